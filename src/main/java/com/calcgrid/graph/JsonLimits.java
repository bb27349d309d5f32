package com.calcgrid.graph;

/**
 * Bounds on the JSON a graph is read from, enforced while parsing so a hostile document is
 * rejected before it is built into a tree.
 *
 * @param maxNestingDepth deepest nesting of arrays and objects
 * @param maxStringLength longest string value, in characters
 * @param maxNumberLength longest number literal, in characters
 */
public record JsonLimits(int maxNestingDepth, int maxStringLength, int maxNumberLength) {
  public static final JsonLimits DEFAULT = new JsonLimits(64, 1_000_000, 100);

  /** Reads calcgrid.graph.json. */
  public static JsonLimits fromConfig(com.typesafe.config.Config config) {
    com.typesafe.config.Config json = config.getConfig("calcgrid.graph.json");
    return new JsonLimits(json.getInt("max-nesting-depth"), json.getInt("max-string-length"),
        json.getInt("max-number-length"));
  }
}
