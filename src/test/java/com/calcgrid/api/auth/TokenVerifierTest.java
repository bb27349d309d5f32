package com.calcgrid.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Tokens;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Settings checks, roles and clock skew of {@link TokenVerifier}. */
class TokenVerifierTest {
  private static AuthSettings hs256(String secret, String issuer) {
    return new AuthSettings("", secret, issuer, "calcgrid", List.of("RS256"),
        Duration.ofSeconds(30), false);
  }

  @Test
  void incompleteSettingsAreRefusedWithTheSettingToFix() {
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> TokenVerifier.create(hs256("short", Tokens.ISSUER))).getMessage()
        .contains("at least 32 bytes"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> TokenVerifier.create(hs256(Tokens.SECRET, ""))).getMessage()
        .contains("CALCGRID_AUTH_ISSUER"));
    AuthSettings symmetricJwks = new AuthSettings("/nonexistent.json", "", Tokens.ISSUER,
        "calcgrid", List.of("HS256"), Duration.ZERO, false);
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> TokenVerifier.create(symmetricJwks)).getMessage().contains("not an RSA or EC"));
    AuthSettings missingFile = new AuthSettings("/nonexistent.json", "", Tokens.ISSUER,
        "calcgrid", List.of("RS256"), Duration.ZERO, false);
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> TokenVerifier.create(missingFile)).getMessage().contains("cannot read a JWKS"));
  }

  @Test
  void rolesIncludeTheLesserOnesAndUnknownRolesAreIgnored() throws Exception {
    TokenVerifier v = TokenVerifier.create(hs256(Tokens.SECRET, Tokens.ISSUER));
    Caller submitter = v.verify(Tokens.token("sam", "desk-a", "submitter", "astronaut"));
    assertEquals(new Caller("sam", "desk-a", Set.of(AccessRole.SUBMITTER)), submitter);
    assertTrue(submitter.may(AccessRole.VIEWER));
    assertTrue(!submitter.may(AccessRole.ADMIN) && !submitter.sees("desk-b"));
    Caller admin = v.verify(Tokens.token("ada", "ops", "admin"));
    assertTrue(admin.may(AccessRole.SUBMITTER) && admin.sees("desk-b"));
  }

  @Test
  void expiryAllowsTheClockSkewAndNoMore() throws Exception {
    String token = Tokens.token("sam", "desk-a", "viewer");
    Instant exp = Instant.now().plus(Duration.ofMinutes(5));
    TokenVerifier justAfter = TokenVerifier.create(hs256(Tokens.SECRET, Tokens.ISSUER),
        Clock.fixed(exp.plusSeconds(20), ZoneOffset.UTC));
    assertEquals("sam", justAfter.verify(token).subject());
    TokenVerifier tooLate = TokenVerifier.create(hs256(Tokens.SECRET, Tokens.ISSUER),
        Clock.fixed(exp.plusSeconds(40), ZoneOffset.UTC));
    assertTrue(assertThrows(TokenVerifier.Rejected.class, () -> tooLate.verify(token))
        .getMessage().startsWith("the token expired at"));
  }

  @Test
  void aTenantThatIsNotANameIsRefused() {
    TokenVerifier v = TokenVerifier.create(hs256(Tokens.SECRET, Tokens.ISSUER));
    assertTrue(assertThrows(TokenVerifier.Rejected.class,
        () -> v.verify(Tokens.token("sam", "../etc", "viewer"))).getMessage()
        .contains("not a valid tenant name"));
  }

  /** Claims of a token whose signature fails are never read, let alone repeated to the caller. */
  @Test
  void theSignatureIsCheckedBeforeTheClaims() {
    TokenVerifier v = TokenVerifier.create(hs256(Tokens.SECRET, Tokens.ISSUER));
    String forged = Tokens.sign(Tokens.claims("mallory", "desk-a", "admin")
        .issuer("<script>").expirationTime(java.util.Date.from(Instant.EPOCH)).build(),
        "some-other-secret-of-at-least-32-bytes");
    String reason = assertThrows(TokenVerifier.Rejected.class, () -> v.verify(forged))
        .getMessage();
    assertTrue(reason.startsWith("bad signature"), reason);
  }
}
