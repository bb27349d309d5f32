package com.calcgrid.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Bearer tokens for tests, signed with HS256 and a test secret the test node is given. */
public final class Tokens {
  public static final String SECRET = "calcgrid-test-secret-0123456789-abcdefghij";
  public static final String ISSUER = "https://login.example.test";
  public static final String AUDIENCE = "calcgrid";

  private Tokens() {}

  /** Node settings that turn HS256 authentication on with the test secret. */
  public static Map<String, Object> hs256Node() {
    Map<String, Object> m = new HashMap<>();
    m.put("calcgrid.auth.hs256-secret", SECRET);
    m.put("calcgrid.auth.issuer", ISSUER);
    m.put("calcgrid.auth.audience", AUDIENCE);
    return m;
  }

  /** Claims of a valid token for five minutes. */
  public static JWTClaimsSet.Builder claims(String subject, String tenant, String... roles) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .subject(subject)
        .claim("tenant", tenant)
        .claim("roles", List.of(roles))
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))));
  }

  /** A valid token. */
  public static String token(String subject, String tenant, String... roles) {
    return sign(claims(subject, tenant, roles).build());
  }

  public static String sign(JWTClaimsSet claims) {
    return sign(claims, SECRET);
  }

  public static String sign(JWTClaimsSet claims, String secret) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
      jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
