package com.calcgrid.calc.risk;

import com.calcgrid.calc.DataFiles;
import com.calcgrid.calc.Params;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Where a portfolio comes from: {@code {"synthetic": {...}}} ({@link SyntheticPortfolio}) or
 * {@code {"file": "path.csv"}} ({@link FilePortfolio}, inside the node's data roots).
 */
public sealed interface PortfolioSource permits SyntheticPortfolio, FilePortfolio {

  /**
   * Reads the source's shape, cheaply: nothing is read from disk or generated, so this is fit
   * for {@code validate()}. A file's path is checked against the node's data roots as far as
   * that needs no disk ({@link DataFiles#checkName}).
   *
   * @param path the param's name for messages, e.g. {@code portfolio}
   * @param files the files this node may read
   */
  static PortfolioSource parse(JsonNode value, String path, DataFiles files) {
    JsonNode v = Params.asObject(value, path);
    if (v.has("synthetic") == v.has("file")) {
      throw new IllegalArgumentException("param '" + path
          + "' must have exactly one of 'synthetic' or 'file', got " + Params.describe(v));
    }
    Params.allowOnly(v, path, "synthetic", "file");
    if (v.has("file")) {
      String file = Params.asText(v.get("file"), path + ".file");
      files.checkName(file, path + ".file");
      return new FilePortfolio(file, files);
    }
    return SyntheticPortfolio.parse(v.get("synthetic"), path + ".synthetic");
  }

  /**
   * Checks, as cheaply as the source allows, that {@code book} can exist in it.
   *
   * @throws IllegalArgumentException naming {@code path} when it cannot
   */
  void checkBook(String book, String path);

  /**
   * The positions of {@code book} (every position when null), in trade order, numbered from 0;
   * of those, the ones numbered {@code from} (inclusive) to {@code to} (exclusive). A range past
   * the end is cut short, and may be empty.
   */
  Slice slice(String book, long from, long to) throws IOException;

  /** Counts per book and the underlyings, for {@code risk.portfolio}. */
  Summary summary() throws IOException;

  /**
   * A slice of a book.
   *
   * @param positions the positions of the slice
   * @param bookPositions how many positions the whole book has, so that a fan-in can check that
   *     its batches cover the book
   */
  record Slice(Portfolio positions, long bookPositions) {}

  /**
   * What {@code risk.portfolio} reports.
   *
   * @param books position count per book, in order of first appearance
   * @param underlyings underlying names, in order of first appearance
   */
  record Summary(long trades, Map<String, Long> books, List<String> underlyings) {}
}
