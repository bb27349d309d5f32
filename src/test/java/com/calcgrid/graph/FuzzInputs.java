package com.calcgrid.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A seeded generator of hostile graph documents for fuzzing the parser, the validator and the
 * submission API. Input {@code i} is a pure function of (seed, i, corpus), so a failure is
 * reproduced from the seed and index alone.
 *
 * <p>Most inputs start from a real graph (the examples in docs/, recorded workflow shapes, or a
 * random valid graph) and are mutated in the tree ({@link FuzzTreeMutations}: wrong types at
 * every field, values at and over each limit, cycles, bad deps, odd params) or in the bytes
 * (truncation, hostile tokens, broken UTF-8, BOMs and other encodings, duplicated spans). The
 * first inputs go through every hand-written hostile document ({@link FuzzHostile}) once, so
 * even a short run covers them all.
 */
public final class FuzzInputs {
  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int LARGE = 16_384;

  /**
   * One generated document.
   *
   * @param kind how it was made, e.g. {@code tree:wrong-type}
   * @param expectWhere a path the refusal must name (or a path inside it), or null when the
   *     document may be accepted or refused anywhere
   */
  public record Input(long index, String kind, byte[] bytes, String expectWhere) {
    /** The document as text for a failure message: escaped, cut to {@code max} characters. */
    public String shown(int max) {
      String s = new String(bytes, 0, Math.min(bytes.length, max * 4), StandardCharsets.UTF_8);
      String shown = escape(s, max);
      return shown + (bytes.length > max ? "... (" + bytes.length + " bytes)" : "");
    }
  }

  /** Control characters, surrogates and undecodable bytes as \\u escapes; at most {@code max}. */
  static String escape(String s, int max) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < max; i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\n') || c == 0x7f || Character.isSurrogate(c) || c == '\uFFFD') {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private final long seed;
  private final List<ObjectNode> corpus;
  private final GraphLimits limits;
  private final JsonLimits json;
  private final List<ObjectNode> small = new ArrayList<>();
  private final List<ObjectNode> large = new ArrayList<>();

  private FuzzInputs(long seed, List<ObjectNode> corpus, GraphLimits limits, JsonLimits json) {
    this.seed = seed;
    this.corpus = corpus;
    this.limits = limits;
    this.json = json;
    for (ObjectNode graph : corpus) {
      (graph.toString().length() > LARGE ? large : small).add(graph);
    }
  }

  /**
   * A generator over the graphs in {@code files}: CalcGrid graphs, or WfCommons workflow
   * records (tasks with {@code parents}), which become graphs of {@code util.sum} tasks.
   */
  public static FuzzInputs of(long seed, List<Path> files, GraphLimits limits, JsonLimits json) {
    List<ObjectNode> corpus = new ArrayList<>();
    for (Path f : files) {
      try {
        JsonNode doc = MAPPER.readTree(Files.readAllBytes(f));
        if (doc instanceof ObjectNode graph) {
          corpus.add(fromWorkflow(graph));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("fuzz corpus " + f, e);
      }
    }
    return new FuzzInputs(seed, List.copyOf(corpus), limits, json);
  }

  /** The JSON files of a folder, sorted by name so the corpus does not depend on the disk. */
  public static List<Path> jsonFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public long seed() {
    return seed;
  }

  public int corpusSize() {
    return corpus.size();
  }

  /** Input {@code index}; the same seed, corpus and index give the same bytes. */
  public Input next(long index) {
    SplittableRandom rnd = new SplittableRandom(mix(seed, index));
    if (index < FuzzHostile.COUNT) {
      FuzzHostile.Doc d = FuzzHostile.make((int) index, limits, json, rnd);
      return new Input(index, "hostile:" + d.kind(), d.bytes(), d.expectWhere());
    }
    ObjectNode base = rnd.nextInt(4) == 0 || corpus.isEmpty()
        ? FuzzTreeMutations.randomGraph(rnd) : pickFromCorpus(rnd).deepCopy();
    int pick = rnd.nextInt(100);
    if (pick < 8) {
      return new Input(index, "valid", bytes(base, rnd), null);
    }
    if (pick < 50) {
      FuzzTreeMutations m = new FuzzTreeMutations(rnd, limits);
      int rounds = rnd.nextInt(4) == 0 ? 2 + rnd.nextInt(3) : 1;
      JsonNode doc = base;
      String kind = null;
      String where = null;
      for (int r = 0; r < rounds; r++) {
        FuzzTreeMutations.Result res = m.mutate(doc);
        doc = res.doc();
        kind = kind == null ? res.kind() : kind + "+" + res.kind();
        // only a single mutation knows where the refusal must point
        where = rounds == 1 ? res.expectWhere() : null;
      }
      return new Input(index, "tree:" + kind, bytes(doc, rnd), where);
    }
    if (pick < 90) {
      FuzzBytes.Result res = FuzzBytes.mutate(bytes(base, rnd), rnd);
      return new Input(index, "bytes:" + res.kind(), res.bytes(), null);
    }
    FuzzHostile.Doc d = FuzzHostile.make(FuzzHostile.pick(rnd), limits, json, rnd);
    return new Input(index, "hostile:" + d.kind(), d.bytes(), d.expectWhere());
  }

  /**
   * A graph of the corpus; one of the large ones (recorded workflows of 100 kB and more) only
   * one time in ten, so they are fuzzed without making every document cost milliseconds.
   */
  private ObjectNode pickFromCorpus(SplittableRandom rnd) {
    List<ObjectNode> from = large.isEmpty() || !small.isEmpty() && rnd.nextInt(10) != 0
        ? small : large;
    return from.get(rnd.nextInt(from.size()));
  }

  /** Compact or pretty, so byte mutations meet both layouts. */
  static byte[] bytes(JsonNode doc, SplittableRandom rnd) {
    try {
      return rnd.nextBoolean() ? MAPPER.writeValueAsBytes(doc)
          : MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] encode(String s, String charset) {
    return s.getBytes(Charset.forName(charset));
  }

  /** A WfCommons record (tasks with parents) as a graph; a CalcGrid graph as it is. */
  private static ObjectNode fromWorkflow(ObjectNode doc) {
    JsonNode tasks = doc.get("tasks");
    if (!(tasks instanceof ArrayNode array) || array.isEmpty() || !array.get(0).has("parents")) {
      return doc;
    }
    ObjectNode graph = MAPPER.createObjectNode();
    graph.put("name", doc.path("name").asText("workflow"));
    ArrayNode out = graph.putArray("tasks");
    for (JsonNode t : array) {
      ObjectNode task = out.addObject();
      task.put("id", t.path("id").asText());
      task.put("fn", "util.sum");
      task.putObject("params").put("value", t.path("runtimeSeconds").asDouble());
      if (t.path("parents").size() > 0) {
        task.set("deps", t.get("parents").deepCopy());
      }
    }
    return graph;
  }

  private static long mix(long seed, long index) {
    long z = seed + 0x9E3779B97F4A7C15L * (index + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
