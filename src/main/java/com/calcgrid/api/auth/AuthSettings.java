package com.calcgrid.api.auth;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/**
 * The {@code calcgrid.auth} section. Authentication is on when a JWKS or an HS256 secret is
 * configured; tokens must then carry the configured issuer and audience.
 *
 * @param jwks a JWKS file path or http(s) URL with the public keys of the token issuer, or empty
 * @param hs256Secret a shared secret for HS256 tokens (development), or empty
 * @param issuer the required {@code iss}
 * @param audience a value {@code aud} must contain
 * @param algorithms signature algorithms accepted with JWKS keys (HS256 is accepted only with
 *     a secret)
 * @param clockSkew tolerance when checking {@code exp} and {@code nbf}
 * @param openAccessAcknowledged the explicit opt-out that lets a node without authentication
 *     listen on a non-loopback address
 */
public record AuthSettings(String jwks, String hs256Secret, String issuer, String audience,
    List<String> algorithms, Duration clockSkew, boolean openAccessAcknowledged) {

  public static AuthSettings fromConfig(Config auth) {
    return new AuthSettings(auth.getString("jwks").strip(), auth.getString("hs256-secret"),
        auth.getString("issuer").strip(), auth.getString("audience").strip(),
        auth.getStringList("algorithms"), auth.getDuration("clock-skew"),
        auth.getBoolean("disabled-i-understand"));
  }

  /** True when tokens are required. */
  public boolean enabled() {
    return !jwks.isEmpty() || !hs256Secret.isEmpty();
  }

  /** Auth off entirely, for tests and embedded runs. */
  public static AuthSettings off() {
    return new AuthSettings("", "", "", "", List.of(), Duration.ZERO, false);
  }
}
