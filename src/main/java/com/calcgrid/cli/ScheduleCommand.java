package com.calcgrid.cli;

import com.calcgrid.api.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code calcgrid schedule create|list|pause|resume|trigger|delete}: schedules on a running
 * node, through its HTTP API (docs/schedules.md).
 */
@Command(name = "schedule", mixinStandardHelpOptions = true,
    description = "Create, list, pause, resume, trigger and delete schedules on a running node.",
    subcommands = {ScheduleCommand.Create.class, ScheduleCommand.ListAll.class,
        ScheduleCommand.Pause.class, ScheduleCommand.Resume.class, ScheduleCommand.Trigger.class,
        ScheduleCommand.Delete.class})
public final class ScheduleCommand implements Runnable {

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** The node to talk to and the token to show it. */
  static final class Target {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--url", description = "the node's HTTP address [${DEFAULT-VALUE}]",
        defaultValue = "${env:CALCGRID_URL:-http://127.0.0.1:8080}")
    URI url;

    @Option(names = "--token", description = "bearer token, when the node requires one "
        + "[env CALCGRID_TOKEN]", defaultValue = "${env:CALCGRID_TOKEN}")
    String token;


    HttpRequest.Builder request(String path) {
      HttpRequest.Builder b = HttpRequest.newBuilder(url.resolve(path))
          .timeout(Duration.ofSeconds(30));
      return token == null || token.isBlank() ? b
          : b.header("Authorization", "Bearer " + token.strip());
    }

    /** Sends; prints the body (or the problem on stderr); exit code 0, 1 or 2 (refused). */
    int send(HttpRequest.Builder request, String command) throws Exception {
      HttpResponse<String> r = CliHttp.client().send(request.build(), HttpResponse.BodyHandlers.ofString());
      PrintWriter out = mixee.commandLine().getOut();
      PrintWriter err = mixee.commandLine().getErr();
      if (r.statusCode() / 100 != 2) {
        err.println("calcgrid schedule " + command + ": " + r.statusCode() + ":");
        err.println(r.body());
        err.flush();
        return r.statusCode() / 100 == 4 ? 2 : 1;
      }
      if (!r.body().isEmpty()) {
        JsonNode body = Json.MAPPER.readTree(r.body());
        out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(body));
        out.flush();
      }
      return 0;
    }

    static String id(String id) {
      return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a schedule from a JSON file with name, cron, timeZone, overlap, "
          + "catchUpWindow and graph; prints it, with its id.")
  static final class Create implements Callable<Integer> {
    @Mixin Target target;

    @Parameters(index = "0", paramLabel = "SCHEDULE", description = "the schedule, a JSON file")
    Path file;

    @Override
    public Integer call() throws Exception {
      if (!Files.isRegularFile(file)) {
        System.err.println("calcgrid schedule create: no such file: " + file);
        return 2;
      }
      return target.send(target.request("/api/v1/schedules")
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofFile(file)), "create");
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the schedules of your tenant.")
  static final class ListAll implements Callable<Integer> {
    @Mixin Target target;

    @Option(names = "--limit", defaultValue = "100", description = "at most this many")
    int limit;

    @Override
    public Integer call() throws Exception {
      return target.send(target.request("/api/v1/schedules?limit=" + limit).GET(), "list");
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true,
      description = "Pause a schedule: no firing until it is resumed.")
  static final class Pause implements Callable<Integer> {
    @Mixin Target target;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() throws Exception {
      return target.send(target.request("/api/v1/schedules/" + Target.id(id))
          .header("Content-Type", "application/json")
          .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"paused\": true}")), "pause");
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true,
      description = "Resume a paused schedule; firings that fell while paused do not run.")
  static final class Resume implements Callable<Integer> {
    @Mixin Target target;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() throws Exception {
      return target.send(target.request("/api/v1/schedules/" + Target.id(id))
          .header("Content-Type", "application/json")
          .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"paused\": false}")),
          "resume");
    }
  }

  @Command(name = "trigger", mixinStandardHelpOptions = true,
      description = "Fire a schedule now (subject to its overlap policy); prints the job id.")
  static final class Trigger implements Callable<Integer> {
    @Mixin Target target;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() throws Exception {
      return target.send(target.request("/api/v1/schedules/" + Target.id(id) + "/trigger")
          .POST(HttpRequest.BodyPublishers.noBody()), "trigger");
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a schedule; the jobs it started stay.")
  static final class Delete implements Callable<Integer> {
    @Mixin Target target;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() throws Exception {
      return target.send(target.request("/api/v1/schedules/" + Target.id(id)).DELETE(),
          "delete");
    }
  }
}
