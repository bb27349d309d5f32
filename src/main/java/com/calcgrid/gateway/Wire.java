package com.calcgrid.gateway;

import com.calcgrid.api.Json;
import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.pull.TaskAssignment;
import com.calcgrid.pull.TaskFinished;
import com.calcgrid.worker.ResultLimit;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The gateway's JSON messages, read strictly and written compactly (docs/workers.md has the
 * protocol). Every field a worker sends is checked here, where it enters: a message that is not
 * what the protocol says closes the connection with the reason.
 */
final class Wire {
  private Wire() {}

  private static final Pattern FUNCTION =
      Pattern.compile("[A-Za-z][A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+)*");
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9._-]{1,32}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:@-]{1,64}");
  private static final Pattern JOB = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  /** Longer error messages are cut: they are stored with the task. */
  static final int MAX_ERROR_CHARS = 4096;

  /** A message that breaks the protocol; its message is what the worker is told. */
  static final class BadMessage extends Exception {
    BadMessage(String message) {
      super(message);
    }
  }

  sealed interface Incoming permits Hello, Outcomes, Drain, Pong {}

  /** A function an external worker serves. {@code version} is null when it gave none. */
  record Fn(String name, String version) {}

  /**
   * The worker's first message.
   *
   * @param name how the worker calls itself, for people (null: the gateway names it)
   */
  record Hello(String name, int slots, List<Fn> functions) implements Incoming {

    /** What it serves: each name, and each name@version. */
    List<String> served() {
      Set<String> out = new LinkedHashSet<>();
      for (Fn f : functions) {
        out.add(f.name());
        if (f.version() != null) {
          out.add(f.name() + "@" + f.version());
        }
      }
      return List.copyOf(out);
    }

    /** Null when the hello is acceptable here, else why not. */
    String check(GatewaySettings settings, FunctionRegistry registry) {
      if (slots < 1 || slots > settings.maxSlots()) {
        return "slots must be 1 to " + settings.maxSlots() + " (calcgrid.gateway.max-slots),"
            + " got " + slots;
      }
      if (functions.isEmpty() || functions.size() > settings.maxFunctions()) {
        return "functions must list 1 to " + settings.maxFunctions() + " functions, got "
            + functions.size();
      }
      for (Fn f : functions) {
        if (!registry.isExternal(f.name())) {
          return "function '" + f.name() + "' is not served outside the JVM on this cluster:"
              + " calcgrid.external-functions (CALCGRID_EXTERNAL_FUNCTIONS) lists "
              + (registry.external().patterns().isEmpty() ? "none"
                  : String.join(", ", registry.external().patterns()));
        }
      }
      return null;
    }
  }

  record Outcome(String job, long dispatchId, boolean ok, JsonNode result, String error,
      long startedAt, long finishedAt) {}

  record Outcomes(List<Outcome> outcomes) implements Incoming {}

  /** Finish what was handed out, take nothing new. */
  enum Drain implements Incoming { INSTANCE }

  enum Pong implements Incoming { INSTANCE }

  static Incoming read(String text) throws BadMessage {
    JsonNode m;
    try {
      m = Json.MAPPER.readTree(text);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new BadMessage("not JSON: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage())));
    }
    if (m == null || !m.isObject()) {
      throw new BadMessage("a message must be a JSON object with a 'type'");
    }
    String type = m.path("type").isTextual() ? m.get("type").asText() : null;
    if (type == null) {
      throw new BadMessage("a message must be a JSON object with a 'type'");
    }
    return switch (type) {
      case "hello" -> hello(m);
      case "outcomes" -> outcomes(m);
      case "pong" -> Pong.INSTANCE;
      case "drain" -> Drain.INSTANCE;
      default -> throw new BadMessage("unknown message type '" + clip(type, 40)
          + "': a worker sends hello, outcomes, pong or drain");
    };
  }

  private static Hello hello(JsonNode m) throws BadMessage {
    String name = null;
    if (m.hasNonNull("name")) {
      name = m.get("name").asText();
      if (!m.get("name").isTextual() || !NAME.matcher(name).matches()) {
        throw new BadMessage("hello.name must be 1 to 64 of A-Z a-z 0-9 . _ : @ -");
      }
    }
    if (!m.path("slots").canConvertToInt() || !m.path("slots").isIntegralNumber()) {
      throw new BadMessage("hello.slots must be a whole number");
    }
    JsonNode fns = m.path("functions");
    if (!fns.isArray()) {
      throw new BadMessage("hello.functions must be an array of {name, version}");
    }
    List<Fn> functions = new ArrayList<>();
    for (int i = 0; i < fns.size() && i <= 10_000; i++) {
      JsonNode f = fns.get(i);
      String where = "hello.functions[" + i + "]";
      if (!f.path("name").isTextual() || f.get("name").asText().length() > 128
          || !FUNCTION.matcher(f.get("name").asText()).matches()) {
        throw new BadMessage(where + ".name must be a function name such as py.price");
      }
      String version = null;
      if (f.hasNonNull("version")) {
        version = f.get("version").asText();
        if (!f.get("version").isTextual() || !VERSION.matcher(version).matches()) {
          throw new BadMessage(where + ".version must be 1 to 32 of A-Z a-z 0-9 . _ -");
        }
      }
      functions.add(new Fn(f.get("name").asText(), version));
    }
    return new Hello(name, m.get("slots").asInt(), functions);
  }

  private static Outcomes outcomes(JsonNode m) throws BadMessage {
    JsonNode list = m.path("outcomes");
    if (!list.isArray()) {
      throw new BadMessage("outcomes.outcomes must be an array");
    }
    List<Outcome> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      JsonNode o = list.get(i);
      String where = "outcomes[" + i + "]";
      if (!o.isObject()) {
        throw new BadMessage(where + " must be an object");
      }
      if (!o.path("job").isTextual() || !JOB.matcher(o.get("job").asText()).matches()) {
        throw new BadMessage(where + ".job must be the job id of the hand-out");
      }
      long dispatchId = dispatchId(o.path("dispatchId"), where);
      if (!o.path("ok").isBoolean()) {
        throw new BadMessage(where + ".ok must be true or false");
      }
      boolean ok = o.get("ok").asBoolean();
      String error = null;
      if (!ok) {
        error = o.path("error").isTextual() ? clip(o.get("error").asText(), MAX_ERROR_CHARS)
            : "the external worker reported a failure without a message";
      }
      out.add(new Outcome(o.get("job").asText(), dispatchId, ok,
          ok ? o.path("result") : null, error, millis(o.path("startedAt"), where + ".startedAt"),
          millis(o.path("finishedAt"), where + ".finishedAt")));
    }
    return new Outcomes(out);
  }

  /** Sent as a string (a 63-bit number is not safe in every JSON reader); a number is taken too. */
  private static long dispatchId(JsonNode n, String where) throws BadMessage {
    try {
      if (n.isTextual() && n.asText().length() <= 20) {
        return Long.parseLong(n.asText());
      }
      if (n.isIntegralNumber() && n.canConvertToLong()) {
        return n.asLong();
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new BadMessage(where + ".dispatchId must be the dispatch id of the hand-out");
  }

  private static long millis(JsonNode n, String where) throws BadMessage {
    if (n.isMissingNode() || n.isNull()) {
      return 0;
    }
    if (!n.isNumber() || !n.canConvertToLong()) {
      throw new BadMessage(where + " must be milliseconds since the epoch");
    }
    return n.asLong();
  }

  /** An outcome reported as a success, as the supervisor takes it: its result checked first. */
  static TaskFinished success(int task, int attempt, Outcome r, long declared, long nodeLimit,
      long started, long finished, String node) {
    JsonNode result = r.result() == null || r.result().isMissingNode()
        ? NullNode.getInstance() : r.result();
    String json;
    try {
      json = Json.MAPPER.writeValueAsString(result);
    } catch (JsonProcessingException e) {
      return new TaskFinished(task, attempt, r.dispatchId(), false, null,
          "the result could not be written as JSON: " + e.getOriginalMessage(), true, started,
          finished, node);
    }
    String tooLarge = ResultLimit.check(json, declared, nodeLimit);
    return tooLarge == null
        ? new TaskFinished(task, attempt, r.dispatchId(), true, json, null, started, finished,
            node)
        : new TaskFinished(task, attempt, r.dispatchId(), false, null, tooLarge, true, started,
            finished, node);
  }

  // ---- to the worker ----

  static ObjectNode welcome(String node, String id, GatewaySettings s) {
    ObjectNode m = message("welcome");
    m.put("node", node);
    m.put("worker", id);
    m.put("heartbeatMs", s.heartbeatInterval().toMillis());
    m.put("heartbeatTimeoutMs", s.heartbeatTimeout().toMillis());
    m.put("maxMessageBytes", s.maxMessageBytes());
    m.put("maxResultBytes", s.maxResultBytes());
    return m;
  }

  static ObjectNode tasks(List<TaskAssignment> tasks) {
    ObjectNode m = message("tasks");
    ArrayNode list = m.putArray("tasks");
    for (TaskAssignment a : tasks) {
      ObjectNode t = list.addObject();
      t.put("job", a.jobId());
      t.put("task", a.task());
      t.put("taskId", a.taskId());
      t.put("attempt", a.attempt());
      t.put("dispatchId", Long.toString(a.dispatchId()));
      t.put("fn", a.fn());
      t.set("params", a.params());
      ObjectNode deps = t.putObject("deps");
      for (Map.Entry<String, JsonNode> d : a.deps().entrySet()) {
        deps.set(d.getKey(), d.getValue());
      }
      t.put("timeoutMs", a.timeoutMs());
      if (a.maxResultBytes() > 0) {
        t.put("maxResultBytes", a.maxResultBytes());
      }
    }
    return m;
  }

  static ObjectNode cancel(String job, List<Long> dispatchIds) {
    ObjectNode m = message("cancel");
    m.put("job", job);
    ArrayNode ids = m.putArray("dispatchIds");
    dispatchIds.forEach(id -> ids.add(Long.toString(id)));
    return m;
  }

  static ObjectNode ping() {
    ObjectNode m = message("ping");
    m.put("at", System.currentTimeMillis());
    return m;
  }

  static ObjectNode refused(String job, long dispatchId, String reason) {
    ObjectNode m = message("refused");
    m.put("job", job);
    m.put("dispatchId", Long.toString(dispatchId));
    m.put("reason", reason);
    return m;
  }

  /** The last message before the gateway closes the socket. */
  static ObjectNode error(String reason) {
    ObjectNode m = message("error");
    m.put("reason", reason);
    return m;
  }

  static String text(JsonNode message) {
    try {
      return Json.MAPPER.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode message(String type) {
    ObjectNode m = Json.MAPPER.createObjectNode();
    m.put("type", type);
    return m;
  }

  private static String clip(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return clip(nl < 0 ? s : s.substring(0, nl), 200);
  }
}
