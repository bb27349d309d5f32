package com.calcgrid.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

/**
 * HTTP submissions of small jobs at a constant arrival rate (an open model: arrivals do not wait
 * for answers, so a node that falls behind shows it in latency and in the achieved rate).
 *
 * <p>System properties: {@code calcgrid.base} (http://host:port), {@code calcgrid.rate} (jobs
 * per second), {@code calcgrid.seconds}.
 */
public class SubmitSimulation extends Simulation {
  /** Two tasks: small enough that the submission path, not the work, is what is measured. */
  static final String JOB = "{\"name\":\"small\",\"tasks\":["
      + "{\"id\":\"a\",\"fn\":\"util.sum\",\"params\":{\"value\":1}},"
      + "{\"id\":\"b\",\"fn\":\"util.sum\",\"params\":{\"value\":2},\"deps\":[\"a\"]}]}";

  private final HttpProtocolBuilder protocol = http
      .baseUrl(System.getProperty("calcgrid.base", "http://127.0.0.1:8080"))
      .contentTypeHeader("application/json")
      .acceptHeader("application/json")
      .shareConnections();

  private final ScenarioBuilder submit = scenario("submit small jobs")
      .exec(http("submit").post("/api/v1/jobs").body(StringBody(JOB)).check(status().is(202)));

  {
    setUp(submit.injectOpen(constantUsersPerSec(Integer.getInteger("calcgrid.rate", 550))
        .during(Integer.getInteger("calcgrid.seconds", 30))))
        .protocols(protocol);
  }
}
