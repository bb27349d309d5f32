package com.calcgrid.worker;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.TestNodes;
import com.calcgrid.testing.Tokens;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two tenants weighted 3:1 keep a node's 4 slots busy with jobs of the same 10 ms tasks: while
 * both have work, alpha's tasks take about three quarters of the slots (equal shares, as
 * before weights, would give 1:1). Checked as a range around 3, not a time.
 */
class TenantWeightsIT {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String WORK = "{\"name\": \"eod\", \"tasks\": [{\"id\": \"t\", \"fn\":"
      + " \"util.sleep\", \"params\": {\"ms\": 10, \"value\": 1}, \"forEach\": {\"param\": \"i\","
      + " \"range\": [0, 3000]}}]}";

  @Test
  void slotsAreSplitByTheTenantsWeights() throws Exception {
    Map<String, Object> settings = new HashMap<>(Tokens.hs256Node());
    settings.put("calcgrid.worker.slots", 4);
    settings.put("calcgrid.sharing.tenant-weights", "alpha=3,beta=1");
    try (CalcGridNode node = TestNodes.h2(settings)) {
      Api anonymous = new Api(node.httpPort());
      Api alpha = anonymous.as(Tokens.token("ann", "alpha", "submitter"));
      Api beta = anonymous.as(Tokens.token("ben", "beta", "submitter"));
      // two jobs each, posted in turn: neither tenant is first
      List<String> alphaJobs = List.of(alpha.submit(WORK), alpha.submit(WORK));
      List<String> betaJobs = List.of(beta.submit(WORK), beta.submit(WORK));
      int[] done = new int[2];
      Api.await(() -> {
        done[0] = succeeded(alpha, alphaJobs);
        done[1] = succeeded(beta, betaJobs);
        return done[0] + done[1];
      }, WAIT, n -> n >= 2_000);
      double ratio = (double) done[0] / Math.max(1, done[1]);
      System.out.printf("tenant weights 3:1: alpha %d tasks, beta %d: %.2f : 1%n", done[0],
          done[1], ratio);
      assertTrue(ratio >= 2.0 && ratio <= 4.5,
          "alpha " + done[0] + " tasks, beta " + done[1] + ": ratio " + ratio);
      for (String id : alphaJobs) {
        alpha.post("/api/v1/jobs/" + id + "/cancel", "");
      }
      for (String id : betaJobs) {
        beta.post("/api/v1/jobs/" + id + "/cancel", "");
      }
    }
  }

  private static int succeeded(Api api, List<String> jobs) throws Exception {
    int n = 0;
    for (String id : jobs) {
      n += api.job(id).path("counts").path("SUCCEEDED").asInt();
    }
    return n;
  }
}
