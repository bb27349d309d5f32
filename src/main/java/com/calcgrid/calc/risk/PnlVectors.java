package com.calcgrid.calc.risk;

import com.calcgrid.calc.Params;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds up the P&L vectors among a task's dependency results, element by element, for {@code
 * risk.aggregate} and {@code risk.var}, and writes P&L vectors into results.
 *
 * <p>A dep result counts when it is an object with a {@code pnl} vector (such as a {@code
 * risk.revalue}, {@code risk.aggregate} or {@code risk.var} result) or a plain array of numbers;
 * other results (say a {@code risk.portfolio} summary) are ignored. Numeric {@code positions} and
 * {@code baseValue} fields are added up too. Vectors are summed in dependency order, starting
 * from zeros, so the sum is the same to the last bit as a plain loop over the same vectors.
 *
 * <p>A {@code pnl} vector is either a JSON array of numbers or, in the compact {@link
 * Encoding#BASE64} form, a string: the base64 of the vector's IEEE-754 doubles, 8 bytes each,
 * big-endian. Both are exact; the string is about half the size and costs no decimal
 * formatting or parsing, which is most of what a vector of a few hundred doubles costs to pass
 * between tasks.
 *
 * <p>Batch coverage: {@code risk.revalue} results say which {@code book} and {@code batch} they
 * are and how many positions the book has ({@code bookPositions}). Unless partial sums are
 * allowed, the batches of each book found among the deps must cover all its positions, exactly
 * once: a graph whose forEach range is too short for today's portfolio fails instead of
 * reporting the risk of part of a book.
 */
final class PnlVectors {
  private PnlVectors() {}

  /** How a result writes its {@code pnl}: the {@code pnlEncoding} param. */
  enum Encoding {
    /** A JSON array of numbers, readable; the default. */
    NUMBERS("numbers"),
    /** A base64 string of the big-endian IEEE-754 doubles: exact, compact, cheap. */
    BASE64("base64");

    static final String PARAM = "pnlEncoding";
    private final String name;

    Encoding(String name) {
      this.name = name;
    }

    /** The {@code pnlEncoding} param, {@link #NUMBERS} when absent or null. */
    static Encoding of(JsonNode params) {
      if (Params.isAbsent(params.get(PARAM))) {
        return NUMBERS;
      }
      return Params.oneOf(params, PARAM, NUMBERS.name, BASE64.name).equals(BASE64.name)
          ? BASE64 : NUMBERS;
    }
  }

  /** Writes {@code pnl} into {@code out} as its field {@code pnl}, in {@code encoding}. */
  static void put(ObjectNode out, double[] pnl, Encoding encoding) {
    if (encoding == Encoding.BASE64) {
      out.put("pnl", encode(pnl));
      return;
    }
    ArrayNode array = out.putArray("pnl");
    for (double p : pnl) {
      array.add(p);
    }
  }

  /** The base64 of {@code pnl}'s IEEE-754 doubles, big-endian. */
  static String encode(double[] pnl) {
    ByteBuffer bytes = ByteBuffer.allocate(pnl.length * Double.BYTES);
    for (double p : pnl) {
      bytes.putLong(Double.doubleToRawLongBits(p));
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  /**
   * The doubles of an {@link #encode}d vector.
   *
   * @throws IllegalArgumentException when {@code text} is not base64 of a whole number of doubles
   */
  static double[] decode(String text) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not base64: " + e.getMessage());
    }
    if (bytes.length % Double.BYTES != 0) {
      throw new IllegalArgumentException(bytes.length + " bytes, not a whole number of doubles");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    double[] pnl = new double[bytes.length / Double.BYTES];
    for (int j = 0; j < pnl.length; j++) {
      pnl[j] = Double.longBitsToDouble(buffer.getLong());
    }
    return pnl;
  }

  /** The sums; {@code baseValue} and {@code positions} are null when no dep had them. */
  record Sum(double[] pnl, Long positions, Double baseValue) {}

  private static final class Coverage {
    long bookPositions = -1;
    long covered;
    final Map<Long, String> batches = new HashMap<>();
  }

  static Sum sum(Map<String, JsonNode> deps, boolean allowPartial) {
    double[] total = null;
    String firstId = null;
    long positions = 0;
    double baseValue = 0;
    boolean hasPositions = false;
    boolean hasBase = false;
    Map<String, Coverage> books = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> dep : deps.entrySet()) {
      JsonNode result = dep.getValue();
      double[] vector = vectorOf(dep.getKey(), result);
      if (vector == null) {
        continue;
      }
      if (total == null) {
        total = new double[vector.length];
        firstId = dep.getKey();
      } else if (vector.length != total.length) {
        throw new IllegalArgumentException("P&L vectors differ in length: '" + firstId + "' has "
            + total.length + " scenarios, '" + dep.getKey() + "' has " + vector.length);
      }
      for (int j = 0; j < total.length; j++) {
        total[j] += vector[j];
      }
      if (result.isObject()) {
        if (result.path("positions").isNumber()) {
          positions += result.get("positions").longValue();
          hasPositions = true;
        }
        if (result.path("baseValue").isNumber()) {
          baseValue += result.get("baseValue").doubleValue();
          hasBase = true;
        }
        track(books, dep.getKey(), result);
      }
    }
    if (total == null) {
      throw new IllegalArgumentException("no dependency returned a P&L vector (an object with a "
          + "'pnl', such as a risk.revalue result or a risk.var result with includePnl, or a "
          + "numeric array); deps: " + describe(deps));
    }
    if (!allowPartial) {
      checkCoverage(books);
    }
    return new Sum(total, hasPositions ? positions : null, hasBase ? baseValue : null);
  }

  /** The P&L vector of one dep result, or null when it has none. */
  private static double[] vectorOf(String id, JsonNode result) {
    if (result == null) {
      return null;
    }
    if (!result.isObject()) {
      return isNumbers(result) ? numbers(result) : null;
    }
    JsonNode pnl = result.get("pnl");
    if (pnl == null) {
      return null;
    }
    if (pnl.isTextual()) {
      try {
        return decode(pnl.textValue());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("dependency '" + id + "' has a 'pnl' string that is "
            + "not an encoded P&L vector (" + e.getMessage() + ")");
      }
    }
    if (!isNumbers(pnl)) {
      throw new IllegalArgumentException("dependency '" + id + "' has a 'pnl' that is neither "
          + "an array of numbers nor a base64 string of doubles");
    }
    return numbers(pnl);
  }

  private static double[] numbers(JsonNode array) {
    double[] v = new double[array.size()];
    for (int j = 0; j < v.length; j++) {
      v[j] = array.get(j).doubleValue();
    }
    return v;
  }

  private static void track(Map<String, Coverage> books, String id, JsonNode result) {
    JsonNode batch = result.get("batch");
    JsonNode bookPositions = result.get("bookPositions");
    if (batch == null || !batch.canConvertToLong() || bookPositions == null
        || !bookPositions.canConvertToLong() || !result.path("positions").canConvertToLong()) {
      return;
    }
    String book = result.path("book").isTextual() ? result.get("book").textValue() : null;
    Coverage c = books.computeIfAbsent(book, b -> new Coverage());
    String other = c.batches.putIfAbsent(batch.longValue(), id);
    if (other != null) {
      throw new IllegalArgumentException("batch " + batch.longValue() + " of " + label(book)
          + " is counted twice: by '" + other + "' and '" + id + "'");
    }
    if (c.bookPositions >= 0 && c.bookPositions != bookPositions.longValue()) {
      throw new IllegalArgumentException("dependencies disagree on the size of " + label(book)
          + ": " + c.bookPositions + " and " + bookPositions.longValue() + " positions ('" + id
          + "'); were they run on different portfolios?");
    }
    c.bookPositions = bookPositions.longValue();
    c.covered += result.get("positions").longValue();
  }

  private static void checkCoverage(Map<String, Coverage> books) {
    for (Map.Entry<String, Coverage> e : books.entrySet()) {
      Coverage c = e.getValue();
      if (c.covered != c.bookPositions) {
        throw new IllegalArgumentException("the batches of " + label(e.getKey()) + " cover "
            + c.covered + " of its " + c.bookPositions + " positions; add batches (a longer "
            + "forEach range or a larger batchSize), or set allowPartial to sum them anyway");
      }
    }
  }

  private static String label(String book) {
    return book == null ? "the whole portfolio" : "book '" + book + "'";
  }

  private static boolean isNumbers(JsonNode v) {
    if (!v.isArray()) {
      return false;
    }
    for (JsonNode x : v) {
      if (!x.isNumber()) {
        return false;
      }
    }
    return true;
  }

  private static String describe(Map<String, JsonNode> deps) {
    if (deps.isEmpty()) {
      return "none";
    }
    List<String> ids = new ArrayList<>(deps.keySet());
    return ids.size() <= 5 ? String.join(", ", ids)
        : String.join(", ", ids.subList(0, 5)) + " and " + (ids.size() - 5) + " more";
  }
}
