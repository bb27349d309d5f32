package com.calcgrid.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.NodeProcess;
import com.calcgrid.testing.Postgres;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a node does with the database it is given, started as {@code ./calcgrid node} is: a
 * PostgreSQL URL alone (no overlay) gives a working node, and a database it cannot use ends the
 * start with exit code 2 and one line that says why, never a stack trace or a node that says it
 * is ready while every submission times out.
 */
class DatabaseStartupIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  void aPostgresUrlAloneGivesANodeThatIsReadyAndRunsJobs() throws Exception {
    Postgres.Db db = Postgres.freshDatabase();
    // no CALCGRID_CONFIG: the driver and the journal's profile must follow from the URL
    try (NodeProcess node = NodeProcess.start(TestNodes.freshDataDir(), Map.of(
        "CALCGRID_DB_URL", db.url(), "CALCGRID_DB_USER", db.user(),
        "CALCGRID_DB_PASSWORD", db.password()))) {
      node.awaitReady(WAIT);
      Api api = node.api();
      JsonNode ready = Api.json(api.get("/health/ready"));
      assertEquals("UP", ready.get("journal").asText(), ready.toString());
      String id = api.submit("""
          {"tasks": [{"id": "a", "fn": "util.sum", "params": {"value": 2}},
                     {"id": "b", "fn": "util.sum", "deps": ["a"]}]}""");
      assertEquals("SUCCEEDED", api.awaitFinished(id, WAIT).get("state").asText());
      assertEquals(2, Api.json(api.get("/api/v1/jobs/" + id + "/results")).get("results")
          .get("b").asInt());
    }
  }

  @Test
  void anUnknownUrlSchemeIsRefusedWithExitCode2AndOneLine() throws Exception {
    String out = NodeProcess.refusedStart(Map.of("CALCGRID_DB_URL",
        "jdbc:mysql://127.0.0.1/calcgrid?password=hunter2"), Duration.ofSeconds(60));
    assertTrue(out.contains("jdbc:mysql") && out.contains("PostgreSQL"), out);
    assertTrue(!out.contains("hunter2"), "the password is not echoed: " + out);
  }

  @Test
  void wrongCredentialsAreRefusedAtOnceWithExitCode2AndOneLine() throws Exception {
    Postgres.Db db = Postgres.freshDatabase();
    long start = System.nanoTime();
    // the default startup-timeout (60s) would be waited for if credentials counted as "not yet"
    String out = NodeProcess.refusedStart(Map.of("CALCGRID_DB_URL", db.url(),
        "CALCGRID_DB_USER", "no_such_role"), Duration.ofSeconds(50));
    assertTrue(out.contains("no_such_role") && out.contains("CALCGRID_DB_USER"), out);
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(50).toNanos());
  }

  @Test
  void aMissingDatabaseIsRefusedWithExitCode2AndOneLine() throws Exception {
    Postgres.Db db = Postgres.freshDatabase();
    String url = db.url().substring(0, db.url().lastIndexOf('/') + 1) + "no_such_database";
    String out = NodeProcess.refusedStart(
        Map.of("CALCGRID_DB_URL", url, "CALCGRID_DB_USER", db.user()), Duration.ofSeconds(50));
    assertTrue(out.contains("no_such_database"), out);
  }

  @Test
  void anUnreachableDatabaseIsWaitedForThenRefusedWithExitCode2AndOneLine() throws Exception {
    int nobody = NodeProcess.freePort();
    String out = NodeProcess.refusedStart(Map.of(
        "CALCGRID_DB_URL", "jdbc:postgresql://127.0.0.1:" + nobody + "/calcgrid",
        "CALCGRID_DB_STARTUP_TIMEOUT", "3s"), Duration.ofSeconds(60));
    assertTrue(out.contains("did not answer within 3s")
        && out.contains("CALCGRID_DB_STARTUP_TIMEOUT"), out);
  }

}
