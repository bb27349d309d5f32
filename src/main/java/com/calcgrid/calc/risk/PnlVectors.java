package com.calcgrid.calc.risk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds up the P&L vectors among a task's dependency results, element by element, for {@code
 * risk.aggregate} and {@code risk.var}.
 *
 * <p>A dep result counts when it is an object with an array {@code pnl} of numbers (such as a
 * {@code risk.revalue} or {@code risk.aggregate} result) or a plain array of numbers; other
 * results (say a {@code risk.portfolio} summary) are ignored. Numeric {@code positions} and
 * {@code baseValue} fields are added up too.
 *
 * <p>Batch coverage: {@code risk.revalue} results say which {@code book} and {@code batch} they
 * are and how many positions the book has ({@code bookPositions}). Unless partial sums are
 * allowed, the batches of each book found among the deps must cover all its positions, exactly
 * once: a graph whose forEach range is too short for today's portfolio fails instead of
 * reporting the risk of part of a book.
 */
final class PnlVectors {
  private PnlVectors() {}

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
      JsonNode vector = result != null && result.isObject() ? result.get("pnl") : result;
      if (result != null && result.isObject() && vector != null && !isNumbers(vector)) {
        throw new IllegalArgumentException("dependency '" + dep.getKey()
            + "' has a 'pnl' that is not an array of numbers");
      }
      if (vector == null || !isNumbers(vector)) {
        continue;
      }
      if (total == null) {
        total = new double[vector.size()];
        firstId = dep.getKey();
      } else if (vector.size() != total.length) {
        throw new IllegalArgumentException("P&L vectors differ in length: '" + firstId + "' has "
            + total.length + " scenarios, '" + dep.getKey() + "' has " + vector.size());
      }
      for (int j = 0; j < total.length; j++) {
        total[j] += vector.get(j).doubleValue();
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
          + "numeric array 'pnl', or a numeric array); deps: " + describe(deps));
    }
    if (!allowPartial) {
      checkCoverage(books);
    }
    return new Sum(total, hasPositions ? positions : null, hasBase ? baseValue : null);
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
