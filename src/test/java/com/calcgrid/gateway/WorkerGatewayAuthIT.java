package com.calcgrid.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.FakeWorker;
import com.calcgrid.testing.TestNodes;
import com.calcgrid.testing.Tokens;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The gateway with authentication on: only the worker role connects, and it can do no more. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerGatewayAuthIT {
  private CalcGridNode node;
  private Api api;

  @BeforeAll
  void start() throws Exception {
    Map<String, Object> settings = new HashMap<>(Tokens.hs256Node());
    settings.put("calcgrid.external-functions", "py.*");
    node = TestNodes.h2(settings);
    api = new Api(node.httpPort());
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  private int refusedWith(String token) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> FakeWorker.connect(node.httpPort(), token));
    return assertInstanceOf(WebSocketHandshakeException.class, e.getCause()).getResponse()
        .statusCode();
  }

  @Test
  void withoutATokenOrWithAnotherRoleTheUpgradeIsRefused() {
    assertEquals(401, refusedWith(null));
    assertEquals(403, refusedWith(Tokens.token("alice", "desk-a", "submitter")));
    assertEquals(403, refusedWith(Tokens.token("victor", "desk-a", "viewer")));
  }

  @Test
  void aWorkerTokenConnectsAndMayNotReadOrSubmit() throws Exception {
    String token = Tokens.token("py-farm-1", "desk-a", "worker");
    FakeWorker w = FakeWorker.serving(node.httpPort(), token, "farm-1", 2, "py.auth");
    try {
      Api asWorker = api.as(token);
      assertEquals(403, asWorker.get("/api/v1/jobs").statusCode());
      assertEquals(403, asWorker.post("/api/v1/jobs", """
          {"tasks": [{"id": "a", "fn": "util.sum"}]}""").statusCode());
      assertEquals(403, asWorker.get("/api/v1/cluster").statusCode());
    } finally {
      w.close();
    }
    // an admin may connect a worker too
    FakeWorker.serving(node.httpPort(), Tokens.token("root", "ops", "admin"), "ops", 1,
        "py.auth").close();
  }
}
