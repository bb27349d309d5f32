package com.calcgrid.api.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.typesafe.config.Config;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which addresses a node may listen on, by its authentication settings. */
class BindPolicyTest {

  private static Config config(String host, Map<String, Object> more) {
    Map<String, Object> m = new HashMap<>(more);
    m.put("calcgrid.host", host);
    return CalcGridNode.loadConfig(m, null);
  }

  private static BindPolicy.Verdict check(String host, Map<String, Object> more) {
    Config c = config(host, more);
    return BindPolicy.check(c, AuthSettings.fromConfig(c.getConfig("calcgrid.auth")));
  }

  @Test
  void loopbackWithoutAuthenticationRunsOpenWithAWarning() {
    for (String host : new String[] {"127.0.0.1", "localhost", "::1", "127.0.0.5"}) {
      BindPolicy.Verdict v = check(host, Map.of());
      assertTrue(v.open(), host);
      assertTrue(v.warnings().get(0).startsWith("authentication is off"), v.warnings().toString());
    }
  }

  @Test
  void anyOtherAddressWithoutAuthenticationIsRefused() {
    for (String host : new String[] {"0.0.0.0", "::", "10.1.2.3", "no-such-host.invalid"}) {
      assertThrows(BindPolicy.UnsafeBindException.class, () -> check(host, Map.of()), host);
    }
    assertThrows(BindPolicy.UnsafeBindException.class, () -> check("127.0.0.1",
        Map.of("pekko.management.http.bind-hostname", "0.0.0.0")));
  }

  @Test
  void theOptOutStartsOpenAndSaysSoLoudly() {
    BindPolicy.Verdict v = check("0.0.0.0", Map.of("calcgrid.auth.disabled-i-understand", true));
    assertTrue(v.open());
    assertTrue(v.warnings().get(0).startsWith("AUTHENTICATION IS DISABLED"), v.warnings().toString());
  }

  @Test
  void withAuthenticationAnyAddressIsFineButPlainRemotingIsWarnedAbout() {
    Map<String, Object> auth = Map.of("calcgrid.auth.hs256-secret", "x".repeat(32),
        "calcgrid.auth.issuer", "https://issuer");
    BindPolicy.Verdict v = check("0.0.0.0", auth);
    assertFalse(v.open());
    assertTrue(v.warnings().get(0).contains("without TLS"), v.warnings().toString());
    Map<String, Object> tls = new HashMap<>(auth);
    tls.put("pekko.remote.artery.transport", "tls-tcp");
    assertTrue(check("0.0.0.0", tls).warnings().isEmpty());
  }
}
