package com.calcgrid.api.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Verifies OAuth2 bearer tokens (signed JWTs) and turns them into a {@link Caller}.
 *
 * <p>Checks, in order: the token is a signed JWT; its algorithm is on the allowlist (RS256 and
 * ES256 by default with JWKS keys, HS256 only with a configured secret, never {@code none}); the
 * signature verifies with a configured key; {@code exp} (required) and {@code nbf} with a small
 * clock skew; {@code iss} equals the configured issuer; {@code aud} contains the configured
 * audience; {@code sub} and {@code tenant} are present. Every rejection says which check failed,
 * and never repeats the token.
 */
public final class TokenVerifier {
  private static final Set<JWSAlgorithm> ASYMMETRIC = Stream.concat(
      JWSAlgorithm.Family.RSA.stream(), JWSAlgorithm.Family.EC.stream())
      .collect(Collectors.toUnmodifiableSet());
  private static final int MAX_ECHO = 80;

  /** A token that was not accepted; the message says why, in words for the caller. */
  public static final class Rejected extends Exception {
    private final boolean keysUnavailable;

    Rejected(String reason, boolean keysUnavailable) {
      super(reason, null, false, false);
      this.keysUnavailable = keysUnavailable;
    }

    /** The token could not be checked because the issuer's keys could not be fetched. */
    public boolean keysUnavailable() {
      return keysUnavailable;
    }
  }

  private final Set<JWSAlgorithm> allowed;
  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
  private final AuthSettings settings;
  private final Clock clock;

  private TokenVerifier(AuthSettings settings, Set<JWSAlgorithm> allowed,
      JWSKeySelector<SecurityContext> keys, Clock clock) {
    this.settings = settings;
    this.allowed = allowed;
    this.clock = clock;
    processor.setJWSKeySelector(keys);
    // RFC 9068 access tokens say "at+jwt"; plain JWTs say "JWT" or nothing
    processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(
        JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
    processor.setJWTClaimsSetVerifier((claims, ctx) -> checkClaims(claims));
  }

  /**
   * A verifier for {@code settings}, which must have authentication enabled.
   *
   * @throws IllegalArgumentException when the settings are incomplete or the keys unreadable
   */
  public static TokenVerifier create(AuthSettings settings) {
    return create(settings, Clock.systemUTC());
  }

  static TokenVerifier create(AuthSettings settings, Clock clock) {
    if (!settings.enabled()) {
      throw new IllegalArgumentException("authentication is not configured");
    }
    if (settings.issuer().isEmpty()) {
      throw new IllegalArgumentException("calcgrid.auth.issuer (CALCGRID_AUTH_ISSUER) must be "
          + "set when authentication is on: tokens of any other issuer are refused");
    }
    if (settings.audience().isEmpty()) {
      throw new IllegalArgumentException("calcgrid.auth.audience (CALCGRID_AUTH_AUDIENCE) must "
          + "not be empty when authentication is on");
    }
    Set<JWSAlgorithm> allowed = new LinkedHashSet<>();
    JWSKeySelector<SecurityContext> jwks = null;
    if (!settings.jwks().isEmpty()) {
      Set<JWSAlgorithm> asymmetric = asymmetric(settings.algorithms());
      allowed.addAll(asymmetric);
      jwks = new JWSVerificationKeySelector<>(asymmetric, jwkSource(settings.jwks()));
    }
    JWSKeySelector<SecurityContext> hmac = null;
    if (!settings.hs256Secret().isEmpty()) {
      byte[] secret = settings.hs256Secret().getBytes(StandardCharsets.UTF_8);
      if (secret.length < 32) {
        throw new IllegalArgumentException("calcgrid.auth.hs256-secret (CALCGRID_AUTH_HS256_SECRET)"
            + " must be at least 32 bytes long; it is " + secret.length);
      }
      allowed.add(JWSAlgorithm.HS256);
      hmac = new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, new ImmutableSecret<>(secret));
    }
    JWSKeySelector<SecurityContext> byJwks = jwks;
    JWSKeySelector<SecurityContext> byHmac = hmac;
    // an HS256 token is never checked against JWKS public keys, nor an RS256 one against the
    // secret: the algorithm picks the key source
    JWSKeySelector<SecurityContext> keys = (header, ctx) -> {
      if (header.getAlgorithm().equals(JWSAlgorithm.HS256)) {
        return byHmac == null ? List.of() : byHmac.selectJWSKeys(header, ctx);
      }
      return byJwks == null ? List.of() : byJwks.selectJWSKeys(header, ctx);
    };
    return new TokenVerifier(settings, Set.copyOf(allowed), keys, clock);
  }

  private static Set<JWSAlgorithm> asymmetric(List<String> names) {
    Set<JWSAlgorithm> algs = new LinkedHashSet<>();
    for (String name : names) {
      JWSAlgorithm alg = JWSAlgorithm.parse(name.strip());
      if (!ASYMMETRIC.contains(alg)) {
        throw new IllegalArgumentException("calcgrid.auth.algorithms: '" + name + "' is not an "
            + "RSA or EC signature algorithm (such as RS256 or ES256); HS256 is enabled by "
            + "setting a secret instead");
      }
      algs.add(alg);
    }
    if (algs.isEmpty()) {
      throw new IllegalArgumentException("calcgrid.auth.algorithms must name at least one "
          + "algorithm when a JWKS is configured");
    }
    return algs;
  }

  private static JWKSource<SecurityContext> jwkSource(String location) {
    try {
      if (location.startsWith("https://") || location.startsWith("http://")) {
        // cached, refreshed ahead of expiry, retried once on a network error
        return JWKSourceBuilder.<SecurityContext>create(URI.create(location).toURL())
            .retrying(true).build();
      }
      Path file = Path.of(location.startsWith("file:") ? URI.create(location).getPath() : location);
      return new ImmutableJWKSet<>(JWKSet.parse(Files.readString(file)));
    } catch (IOException | ParseException | IllegalArgumentException e) {
      throw new IllegalArgumentException("calcgrid.auth.jwks (CALCGRID_AUTH_JWKS): cannot read "
          + "a JWKS from '" + location + "': " + e.getMessage(), e);
    }
  }

  /** The algorithms a token may be signed with. */
  public Set<JWSAlgorithm> algorithms() {
    return allowed;
  }

  /** Verifies {@code token} (the part after "Bearer "). */
  public Caller verify(String token) throws Rejected {
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      throw rejected("the token is not a signed JWT");
    }
    JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
    if (!allowed.contains(alg)) {
      throw rejected("the token is signed with " + echo(alg.getName())
          + ", which is not accepted here (accepted: " + names(allowed) + ")");
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(jwt, null);
    } catch (BadJWTException e) {
      throw rejected(e.getMessage());
    } catch (BadJWSException e) {
      throw rejected("bad signature: the token's signature does not verify with the "
          + "configured keys");
    } catch (BadJOSEException e) {
      String kid = jwt.getHeader().getKeyID();
      throw rejected("no configured " + alg.getName() + " key can check the token"
          + (kid == null ? "" : " (kid " + echo(kid) + ")") + ": " + e.getMessage());
    } catch (KeySourceException e) {
      throw new Rejected("the token issuer's keys could not be fetched: " + e.getMessage(), true);
    } catch (JOSEException e) {
      throw rejected("the token could not be verified: " + e.getMessage());
    }
    return caller(claims);
  }

  private void checkClaims(JWTClaimsSet claims) throws BadJWTException {
    Instant now = clock.instant();
    Duration skew = settings.clockSkew();
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      throw new BadJWTException("the token has no expiry time ('exp')");
    }
    if (now.minus(skew).isAfter(exp.toInstant())) {
      throw new BadJWTException("the token expired at " + exp.toInstant());
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now.plus(skew).isBefore(nbf.toInstant())) {
      throw new BadJWTException("the token is not valid before " + nbf.toInstant());
    }
    if (!settings.issuer().equals(claims.getIssuer())) {
      throw new BadJWTException("wrong issuer: the token's 'iss' is "
          + (claims.getIssuer() == null ? "missing" : echo(claims.getIssuer()))
          + ", expected '" + settings.issuer() + "'");
    }
    List<String> aud = claims.getAudience();
    if (aud == null || !aud.contains(settings.audience())) {
      throw new BadJWTException("wrong audience: the token's 'aud' is "
          + (aud == null || aud.isEmpty() ? "missing" : echo(aud.toString()))
          + ", expected it to contain '" + settings.audience() + "'");
    }
    if (claims.getSubject() == null || claims.getSubject().isBlank()) {
      throw new BadJWTException("the token has no subject ('sub')");
    }
  }

  private static Caller caller(JWTClaimsSet claims) throws Rejected {
    String tenant;
    List<String> roles;
    try {
      tenant = claims.getStringClaim("tenant");
      roles = claims.getStringListClaim("roles");
    } catch (ParseException e) {
      throw rejected("the token's 'tenant' must be a string and 'roles' an array of strings");
    }
    if (tenant == null) {
      throw rejected("the token has no 'tenant' claim");
    }
    if (!Caller.TENANT.matcher(tenant).matches()) {
      throw rejected("the token's 'tenant' " + echo(tenant) + " is not a valid tenant name "
          + "(1 to 128 letters, digits and _ . : @ -, starting with a letter or digit)");
    }
    return new Caller(claims.getSubject(), tenant,
        AccessRole.fromClaims(roles == null ? List.of() : roles));
  }

  private static Rejected rejected(String reason) {
    return new Rejected(reason, false);
  }

  /** A claim value repeated in a message: quoted and cut short. */
  private static String echo(String value) {
    String v = value.length() > MAX_ECHO ? value.substring(0, MAX_ECHO) + "..." : value;
    return "'" + v + "'";
  }

  private static String names(Set<JWSAlgorithm> algs) {
    return algs.stream().map(JWSAlgorithm::getName).collect(Collectors.joining(", "));
  }
}
