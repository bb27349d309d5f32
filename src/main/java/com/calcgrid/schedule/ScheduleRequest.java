package com.calcgrid.schedule;

import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.graph.GraphLimits;
import com.calcgrid.graph.GraphParser;
import com.calcgrid.graph.GraphProblem;
import com.calcgrid.graph.GraphValidator;
import com.calcgrid.graph.InvalidGraphException;
import com.calcgrid.graph.JsonLimits;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads the body of {@code POST /api/v1/schedules} and {@code PATCH /api/v1/schedules/{id}}:
 * every field is checked where it enters, and the first bad one is refused with its name.
 */
public final class ScheduleRequest {
  /** A checked schedule, and whether it is to be paused (null: leave as is). */
  public record Parsed(ScheduleSpec spec, Boolean paused) {}

  /**
   * @param maxPerTenant schedules one tenant may have
   * @param minInterval the shortest time allowed between two firings of a schedule
   * @param maxGraphBytes the largest graph a schedule may carry, as JSON
   * @param maxCatchUpWindow the longest catch-up window
   */
  public record Limits(int maxPerTenant, Duration minInterval, int maxGraphBytes,
      Duration maxCatchUpWindow) {}

  private static final Set<String> FIELDS = Set.of("name", "cron", "timeZone", "overlap",
      "catchUpWindow", "graph", "startAt", "endAt", "paused");
  /** Firings looked at for the interval limit: a cron's pattern repeats well within them. */
  private static final int GAPS_CHECKED = 1000;
  private static final int MAX_NAME = 200;

  private final ObjectMapper mapper;
  private final GraphParser graphParser;
  private final FunctionRegistry functions;
  private final GraphLimits graphLimits;
  private final Limits limits;

  public ScheduleRequest(JsonLimits json, FunctionRegistry functions, GraphLimits graphLimits,
      Limits limits) {
    this.mapper = new ObjectMapper(JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(json.maxNestingDepth())
            .maxStringLength(json.maxStringLength())
            .maxNumberLength(json.maxNumberLength()).build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build());
    this.graphParser = new GraphParser(json);
    this.functions = functions;
    this.graphLimits = graphLimits;
    this.limits = limits;
  }

  public Limits limits() {
    return limits;
  }

  /** A new schedule. */
  public Parsed create(byte[] body, Instant now) {
    JsonNode root = object(body);
    if (!root.hasNonNull("graph")) {
      throw new InvalidScheduleException("graph", "is required: the graph each firing submits");
    }
    String graph = graph(root.get("graph"));
    ScheduleSpec spec = new ScheduleSpec(
        name(root, defaultName(graph)),
        text(root, "cron", null),
        text(root, "timeZone", "UTC"),
        Overlap.parse(text(root, "overlap", Overlap.SKIP.wire())),
        window(root, Duration.ofMinutes(1)),
        graph,
        instant(root, "startAt", null),
        instant(root, "endAt", null));
    return new Parsed(checked(spec, now), bool(root, "paused", false));
  }

  /** Changes to {@code current}: only the fields present change; null clears startAt or endAt. */
  public Parsed change(ScheduleSpec current, byte[] body, Instant now) {
    JsonNode root = object(body);
    String graph = root.has("graph") ? graph(root.get("graph")) : current.graph();
    ScheduleSpec spec = new ScheduleSpec(
        root.has("name") ? name(root, current.name()) : current.name(),
        text(root, "cron", current.cron()),
        text(root, "timeZone", current.timeZone()),
        root.has("overlap") ? Overlap.parse(text(root, "overlap", null)) : current.overlap(),
        window(root, current.catchUpWindow()),
        graph,
        root.has("startAt") ? instant(root, "startAt", null) : current.startAt(),
        root.has("endAt") ? instant(root, "endAt", null) : current.endAt());
    return new Parsed(checked(spec, now), root.has("paused") ? bool(root, "paused", null) : null);
  }

  /** The cross-field checks: zone and cron together, the interval limit, start before end. */
  private ScheduleSpec checked(ScheduleSpec spec, Instant now) {
    CronSchedule cron = CronSchedule.of(spec.cron(), spec.timeZone());
    Instant from = spec.startAt() != null && spec.startAt().isAfter(now) ? spec.startAt() : now;
    if (cron.next(from) == null) {
      throw new InvalidScheduleException("cron", "'" + spec.cron() + "' never fires after "
          + from);
    }
    Duration gap = cron.shortestGap(from, GAPS_CHECKED);
    if (gap != null && gap.compareTo(limits.minInterval()) < 0) {
      throw new InvalidScheduleException("cron", "'" + spec.cron() + "' fires " + gap
          + " apart, more often than the " + limits.minInterval() + " a schedule may "
          + "(calcgrid.schedules.min-interval)");
    }
    if (spec.startAt() != null && spec.endAt() != null && !spec.endAt().isAfter(spec.startAt())) {
      throw new InvalidScheduleException("endAt", "must be after startAt");
    }
    return spec;
  }

  private JsonNode object(byte[] body) {
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (JsonProcessingException e) {
      throw new InvalidScheduleException("$", "malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidScheduleException("$", "unreadable body");
    }
    if (root == null || !root.isObject()) {
      throw new InvalidScheduleException("$", "expected a JSON object");
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new InvalidScheduleException(name.length() > 64 ? name.substring(0, 64) : name,
            "unknown field; a schedule has " + String.join(", ", FIELDS.stream().sorted()
                .toList()));
      }
    }
    return root;
  }

  private String graph(JsonNode node) {
    if (!node.isObject()) {
      throw new InvalidScheduleException("graph", "must be a graph object, as posted to "
          + "/api/v1/jobs");
    }
    byte[] bytes;
    try {
      bytes = mapper.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new InvalidScheduleException("graph", "cannot be written back as JSON");
    }
    if (bytes.length > limits.maxGraphBytes()) {
      throw new InvalidScheduleException("graph", "is " + bytes.length + " bytes of JSON, more "
          + "than the " + limits.maxGraphBytes() + " a schedule may carry "
          + "(calcgrid.schedules.max-graph-bytes); use forEach or a data file for large inputs");
    }
    try {
      GraphValidator.parseAndValidate(graphParser, bytes, functions, graphLimits);
    } catch (InvalidGraphException e) {
      List<GraphProblem> problems = e.problems().stream()
          .map(p -> new GraphProblem("graph." + p.where(), p.message())).toList();
      throw new InvalidScheduleException("graph", e.getMessage(), problems);
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private String defaultName(String graph) {
    try {
      JsonNode name = mapper.readTree(graph).get("name");
      return name != null && name.isTextual() ? name.asText() : "schedule";
    } catch (IOException e) {
      return "schedule";
    }
  }

  private static String name(JsonNode root, String otherwise) {
    String name = text(root, "name", otherwise);
    if (name == null || name.isBlank() || name.length() > MAX_NAME) {
      throw new InvalidScheduleException("name", "must be 1 to " + MAX_NAME + " characters");
    }
    return name;
  }

  private static String text(JsonNode root, String field, String otherwise) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      if (otherwise == null) {
        throw new InvalidScheduleException(field, "is required");
      }
      return otherwise;
    }
    if (!n.isTextual()) {
      throw new InvalidScheduleException(field, "must be a string");
    }
    return n.asText();
  }

  private static Boolean bool(JsonNode root, String field, Boolean otherwise) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return otherwise;
    }
    if (!n.isBoolean()) {
      throw new InvalidScheduleException(field, "must be true or false");
    }
    return n.asBoolean();
  }

  private Duration window(JsonNode root, Duration otherwise) {
    JsonNode n = root.get("catchUpWindow");
    if (n == null || n.isNull()) {
      return otherwise;
    }
    Duration d;
    try {
      d = Duration.parse(n.asText());
    } catch (DateTimeParseException e) {
      throw new InvalidScheduleException("catchUpWindow", "must be an ISO-8601 duration such as "
          + "PT60S or PT1H, got '" + clip(n.asText()) + "'");
    }
    if (d.isNegative() || d.compareTo(limits.maxCatchUpWindow()) > 0) {
      throw new InvalidScheduleException("catchUpWindow", "must be from PT0S to "
          + limits.maxCatchUpWindow());
    }
    return d;
  }

  private static Instant instant(JsonNode root, String field, Instant otherwise) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return otherwise;
    }
    try {
      return OffsetDateTime.parse(n.asText()).toInstant();
    } catch (DateTimeParseException e) {
      throw new InvalidScheduleException(field, "must be an ISO-8601 instant with an offset, "
          + "such as 2025-07-01T00:00:00Z, got '" + clip(n.asText()) + "'");
    }
  }

  private static String clip(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }
}
