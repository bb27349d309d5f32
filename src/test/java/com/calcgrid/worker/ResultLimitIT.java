package com.calcgrid.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.NodeProcess;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A real node (its own JVM) with a 1 MiB result limit: a {@code util.blob} one byte of JSON
 * over it fails its task with an error naming the limit and the setting, its siblings and the
 * node carry on, a blob exactly at the limit passes whole, and a limit a remote message could
 * not carry stops the node at start.
 */
class ResultLimitIT {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final int LIMIT = 1 << 20;

  @Test
  void aResultOverTheLimitFailsItsTaskAndTheNodeCarriesOn() throws Exception {
    try (NodeProcess node = NodeProcess.start(TestNodes.freshDataDir(),
        Map.of("CALCGRID_MAX_RESULT_BYTES", "1m")).awaitReady(Duration.ofSeconds(90))) {
      Api api = node.api();
      HttpResponse<String> negative = api.post("/api/v1/jobs",
          "{\"tasks\": [{\"id\": \"b\", \"fn\": \"util.blob\", \"params\": {\"bytes\": -1}}]}");
      assertEquals(400, negative.statusCode(), negative.body());
      assertTrue(negative.headers().firstValue("Content-Type").orElse("")
          .startsWith("application/problem+json"), negative.headers().toString());
      assertTrue(negative.body().contains("param 'bytes'") && negative.body().contains("-1"),
          negative.body());

      // the JSON of a blob is its letters and two quotes: LIMIT - 1 letters are one byte over
      String job = api.submit("""
          {"tasks": [
            {"id": "big", "fn": "util.blob", "params": {"bytes": %d}},
            {"id": "after", "fn": "util.digest", "deps": ["big"]},
            {"id": "small", "fn": "util.blob", "params": {"bytes": 1000},
             "forEach": {"param": "seed", "range": [0, 3]}},
            {"id": "d", "fn": "util.digest", "deps": ["small"]}]}""".formatted(LIMIT - 1));
      JsonNode done = api.awaitFinished(job, WAIT);
      assertEquals("FAILED", done.get("state").asText(), done.toString());
      JsonNode big = api.task(job, "big");
      assertEquals("FAILED", big.get("state").asText(), big.toString());
      assertEquals(1, big.get("attempts").asInt(), "not retried: " + big);
      String error = big.get("error").asText();
      assertTrue(error.contains((LIMIT + 1) + " bytes") && error.contains(LIMIT + " bytes")
          && error.contains("calcgrid.limits.max-result-bytes")
          && error.contains("CALCGRID_MAX_RESULT_BYTES"), error);
      assertEquals("SKIPPED", api.task(job, "after").get("state").asText());
      JsonNode d = api.task(job, "d");
      assertEquals("SUCCEEDED", d.get("state").asText(), d.toString());
      assertEquals(expected(1000, 0, 1, 2).toString(), d.get("result").toString());

      String atLimit = api.submit("""
          {"tasks": [
            {"id": "big", "fn": "util.blob", "params": {"bytes": %d, "seed": 5}},
            {"id": "d", "fn": "util.digest", "deps": ["big"]}]}""".formatted(LIMIT - 2));
      JsonNode ok = api.awaitFinished(atLimit, WAIT);
      assertEquals("SUCCEEDED", ok.get("state").asText(), ok.toString());
      assertEquals(expected(LIMIT - 2, 5).toString(),
          api.task(atLimit, "d").get("result").toString());
      assertTrue(node.isAlive());
      assertEquals(200, api.get("/health/ready").statusCode());
    }
  }

  @Test
  void aResultLimitNoRemoteMessageCouldCarryRefusesToStart() throws Exception {
    String line = NodeProcess.refusedStart(Map.of("CALCGRID_MAX_RESULT_BYTES", "8m"),
        Duration.ofSeconds(90));
    assertTrue(line.contains("max-result-bytes (8388608)")
        && line.contains("maximum-large-frame-size"), line);
  }

  /** What util.digest must return over blobs of {@code bytes} letters with these seeds. */
  private static JsonNode expected(int bytes, int... seeds) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (int seed : seeds) {
      StringBuilder s = new StringBuilder(bytes);
      for (int i = 0; i < bytes; i++) {
        s.append((char) ('a' + (seed + i) % 26));
      }
      sha.update(s.toString().getBytes(StandardCharsets.UTF_8));
    }
    return Api.JSON.createObjectNode().put("count", seeds.length)
        .put("length", (long) bytes * seeds.length)
        .put("sha256", HexFormat.of().formatHex(sha.digest()));
  }
}
