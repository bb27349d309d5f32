package com.calcgrid.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.regex;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.core.CoreDsl.substring;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

/**
 * Many WebSocket subscribers on one running job: each connects to the job's event stream and
 * waits for the final {@code finished} message; the delay from the job's recorded finish time
 * (the server's timestamp of the event) to its arrival here is written to a file, one line per
 * subscriber, when the run ends.
 *
 * <p>System properties: {@code calcgrid.base}, {@code calcgrid.job}, {@code calcgrid.users},
 * {@code calcgrid.ramp} (seconds), {@code calcgrid.delays} (output file).
 */
public class SubscribersSimulation extends Simulation {
  private static final Queue<Long> DELAYS = new ConcurrentLinkedQueue<>();

  private final HttpProtocolBuilder protocol = http
      .wsBaseUrl(System.getProperty("calcgrid.base", "http://127.0.0.1:8080")
          .replaceFirst("^http", "ws"));

  private final ScenarioBuilder subscribe = scenario("subscribe")
      .exec(ws("events").connect("/api/v1/jobs/" + System.getProperty("calcgrid.job") + "/events")
          .await(180).on(ws.checkTextMessage("finished")
              .matching(substring("\"type\":\"finished\""))
              .check(regex("\"finishedAt\":\"([^\"]+)\"").saveAs("finishedAt"))))
      .exec(session -> {
        long now = System.currentTimeMillis();
        DELAYS.add(now - Instant.parse(session.getString("finishedAt")).toEpochMilli());
        return session;
      });

  {
    setUp(subscribe.injectOpen(rampUsers(Integer.getInteger("calcgrid.users", 1000))
        .during(Integer.getInteger("calcgrid.ramp", 5))))
        .protocols(protocol);
  }

  @Override
  public void after() {
    try {
      Files.writeString(Path.of(System.getProperty("calcgrid.delays")),
          DELAYS.stream().map(String::valueOf).collect(Collectors.joining("\n")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
