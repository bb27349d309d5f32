package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.TestNodes;
import com.calcgrid.testing.Tokens;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** RS256 and ES256 tokens checked against public keys from a JWKS file, as in production. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JwksAuthIT {
  private RSAKey rsa;
  private ECKey ec;
  private CalcGridNode node;
  private Api anonymous;

  @BeforeAll
  void start() throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    Path jwks = Files.createTempFile("calcgrid-jwks", ".json");
    // the node gets the public halves only
    Files.writeString(jwks, new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString());
    node = TestNodes.h2(Map.of("calcgrid.auth.jwks", jwks.toString(),
        "calcgrid.auth.issuer", Tokens.ISSUER, "calcgrid.auth.audience", Tokens.AUDIENCE));
    anonymous = new Api(node.httpPort());
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  private static String sign(JWSAlgorithm alg, String kid, JWSSigner signer, String... roles)
      throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid)
        .type(JOSEObjectType.JWT).build(), Tokens.claims("sam", "desk-a", roles).build());
    jwt.sign(signer);
    return jwt.serialize();
  }

  @Test
  void rs256AndEs256TokensSignedByTheIssuerAreAccepted() throws Exception {
    String rs = sign(JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(rsa), "submitter");
    HttpResponse<String> r = anonymous.as(rs).post("/api/v1/jobs",
        "{\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\"}]}");
    assertEquals(202, r.statusCode(), r.body());
    String es = sign(JWSAlgorithm.ES256, "ec-1", new ECDSASigner(ec), "viewer");
    assertEquals(200, anonymous.as(es).get("/api/v1/jobs").statusCode());
  }

  @Test
  void aTokenSignedWithAnotherKeyIs401BadSignature() throws Exception {
    RSAKey impostor = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    HttpResponse<String> r = anonymous.as(sign(JWSAlgorithm.RS256, "rsa-1",
        new RSASSASigner(impostor), "admin")).get("/api/v1/jobs");
    assertEquals(401, r.statusCode(), r.body());
    assertTrue(Api.json(r).get("detail").asText().contains("bad signature"), r.body());
  }

  @Test
  void hs256IsNotAcceptedWhenOnlyJwksKeysAreConfigured() throws Exception {
    // signed with the RSA public modulus as an HMAC secret: the classic algorithm confusion
    HttpResponse<String> r = anonymous.as(Tokens.sign(Tokens.claims("sam", "desk-a", "admin")
        .build(), rsa.toPublicJWK().getModulus().toString())).get("/api/v1/jobs");
    assertEquals(401, r.statusCode(), r.body());
    assertTrue(Api.json(r).get("detail").asText()
        .contains("signed with 'HS256', which is not accepted here (accepted: "), r.body());
  }
}
