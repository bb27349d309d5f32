package com.calcgrid.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;

/** conf/tls-remoting.conf as shipped: two nodes form a cluster over mutually authenticated TLS. */
class TlsRemotingIT {
  private static final String PASSWORD = "test-store-password";

  @Test
  void twoNodesJoinOverMutualTls() throws Exception {
    Path dir = Files.createTempDirectory("calcgrid-tls");
    Path keyStore = dir.resolve("node.p12");
    Path cert = dir.resolve("node.crt");
    Path trustStore = dir.resolve("trust.p12");
    keytool("-genkeypair", "-alias", "node", "-keyalg", "RSA", "-keysize", "2048",
        "-dname", "CN=calcgrid-test", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
    keytool("-exportcert", "-alias", "node", "-keystore", keyStore.toString(),
        "-storepass", PASSWORD, "-file", cert.toString());
    keytool("-importcert", "-noprompt", "-alias", "node", "-file", cert.toString(),
        "-storetype", "PKCS12", "-keystore", trustStore.toString(), "-storepass", PASSWORD);

    // the overlay reads these from the environment; a root-level setting stands in for it here
    Map<String, Object> tls = new HashMap<>();
    tls.put("CALCGRID_TLS_KEY_STORE", keyStore.toString());
    tls.put("CALCGRID_TLS_KEY_STORE_PASSWORD", PASSWORD);
    tls.put("CALCGRID_TLS_KEY_PASSWORD", PASSWORD);
    tls.put("CALCGRID_TLS_TRUST_STORE", trustStore.toString());
    tls.put("CALCGRID_TLS_TRUST_STORE_PASSWORD", PASSWORD);
    String overlay = TestNodes.projectFile("conf/tls-remoting.conf").toString();
    Path shared = TestNodes.freshDataDir();

    try (CalcGridNode first = TestNodes.start(shared, tls, overlay)) {
      assertEquals("tls-tcp", first.system().settings().config()
          .getString("pekko.remote.artery.transport"));
      Address seed = Cluster.get(first.system()).selfMember().address();
      Map<String, Object> second = new HashMap<>(tls);
      second.put("pekko.cluster.seed-nodes", List.of(seed.toString()));
      try (CalcGridNode other = TestNodes.start(shared, second, overlay)) {
        Api api = new Api(other.httpPort());
        JsonNode members = Api.await(() -> Api.json(api.get("/api/v1/cluster")),
            Duration.ofSeconds(60), m -> upCount(m) == 2);
        assertEquals(2, upCount(members), members.toString());
      }
    }
  }

  private static long upCount(JsonNode members) {
    long up = 0;
    for (JsonNode m : members.path("members")) {
      up += "Up".equals(m.path("status").asText()) ? 1 : 0;
    }
    return up;
  }

  private static void keytool(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError("keytool " + String.join(" ", args) + " failed: " + out);
    }
  }
}
