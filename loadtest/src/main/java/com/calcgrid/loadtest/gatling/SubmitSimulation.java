package com.calcgrid.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

/**
 * HTTP submissions of small jobs. With {@code calcgrid.clients} set, that many clients submit one
 * job after the other (a closed model: the achieved rate is the node's capacity); otherwise jobs
 * arrive at {@code calcgrid.rate} per second whatever the answers (an open model: a node that
 * falls behind shows it in latency).
 *
 * <p>System properties: {@code calcgrid.base} (http://host:port), {@code calcgrid.clients} or
 * {@code calcgrid.rate}, {@code calcgrid.seconds}.
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
    int seconds = Integer.getInteger("calcgrid.seconds", 30);
    Integer clients = Integer.getInteger("calcgrid.clients");
    setUp(clients != null
        ? submit.injectClosed(constantConcurrentUsers(clients).during(seconds))
        : submit.injectOpen(constantUsersPerSec(Integer.getInteger("calcgrid.rate", 550))
            .during(seconds)))
        .protocols(protocol);
  }
}
