package com.calcgrid.api.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.SeedAndChild;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A member that stops answering (SIGSTOP) and is not downed: submissions to the other member
 * are still accepted at once, keyed or not, and their jobs run there, while retries of keys
 * whose jobs live on the frozen member wait.
 *
 * <p>Two things make it so. A new job's id is chosen so that its shard lives on a member that
 * answers; without that, every submission whose shard lived on the frozen member would wait out
 * the ask timeout (30 s here), and the client below gives up after 15 s. And a submission
 * waiting for a supervisor holds a place among the waiting ones, not among those being read:
 * without that, the stuck retries would take the tenant's 4 places and the new submissions
 * would get 429.
 */
class FrozenMemberSubmissionIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(15);
  /** More than the tenant's places for submissions being read (4), fewer than its waiting (8). */
  private static final int STUCK = 6;
  private static final String QUICK =
      "{\"name\": \"frozen\", \"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\","
          + " \"params\": {\"value\": 3}}]}";

  @Test
  void submissionsAreAcceptedAndRunWhileAMemberIsFrozen() throws Exception {
    try (SeedAndChild nodes = SeedAndChild.start(
        Map.of("pekko.cluster.split-brain-resolver.stable-after", "300s"),
        Map.of("calcgrid.http.ask-timeout", "30s"), WAIT)) {
      Api api = nodes.seedApi();
      // keyed jobs until enough of them live on the child, as a third of them would in a
      // three-node cluster
      List<String> keysOnChild = new ArrayList<>();
      Api.await(() -> {
        String key = UUID.randomUUID().toString();
        HttpResponse<String> r = api.post("/api/v1/jobs", QUICK, "Idempotency-Key", key);
        assertEquals(202, r.statusCode(), r.body());
        JsonNode job = api.awaitJob(Api.json(r).get("id").asText(), WAIT,
            v -> "SUCCEEDED".equals(v.path("state").asText()));
        if (nodes.childHostPort.equals(job.path("supervisor").asText())) {
          keysOnChild.add(key);
        }
        return keysOnChild.size();
      }, WAIT, n -> n >= STUCK);

      nodes.child.pause();
      Api.await(() -> Api.json(api.get("/api/v1/cluster")), WAIT,
          v -> v.path("unreachable").size() == 1);
      // retries of those keys: each waits for the frozen member until the ask times out
      List<CompletableFuture<HttpResponse<String>>> stuck = new ArrayList<>();
      // (one after the other: more than 4 at once would find the places for reading taken)
      for (String key : keysOnChild.subList(0, STUCK)) {
        stuck.add(api.client().sendAsync(post(api, key), HttpResponse.BodyHandlers.ofString()));
        int waiting = stuck.size();
        Api.await(() -> nodes.seed.admission().waiting(), WAIT, n -> n == waiting);
      }

      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> r = api.client().send(
            post(api, i % 2 == 0 ? UUID.randomUUID().toString() : null),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), "submission " + i + ": " + r.body());
        ids.add(Api.json(r).get("id").asText());
      }
      for (String id : ids) {
        JsonNode done = api.awaitJob(id, WAIT, v -> !"RUNNING".equals(v.path("state").asText()));
        assertEquals("SUCCEEDED", done.get("state").asText(), done.toString());
      }
      stuck.forEach(f -> f.cancel(true));
      nodes.child.kill();
    }
  }

  private static HttpRequest post(Api api, String key) {
    HttpRequest.Builder post = api.request("/api/v1/jobs").timeout(CLIENT_TIMEOUT)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(QUICK));
    if (key != null) {
      post.header("Idempotency-Key", key);
    }
    return post.build();
  }
}
