package com.calcgrid.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * Server-side fan-out: either a half-open integer range {@code [start, end)} or a list of values.
 * Expansion {@code i} gets {@code params[param] = start + i} or {@code values[i]}.
 *
 * @param param the name of the param set on each expansion
 * @param start first value of the range (null when values are given)
 * @param end end of the range, exclusive (null when values are given)
 * @param values explicit values (null when a range is given)
 */
public record ForEach(String param, Long start, Long end, ArrayNode values) {

  /**
   * How many expansions there are. An int: a range wider than that is rejected by
   * {@link GraphValidator} (see {@link GraphLimits#maxTasks()}), which counts in long arithmetic
   * before anything calls this.
   */
  public int count() {
    return values != null ? values.size() : (int) (end - start);
  }

  /** The value of {@code param} for expansion {@code i}. */
  public JsonNode valueAt(int i) {
    return values != null
        ? values.get(i)
        : com.fasterxml.jackson.databind.node.LongNode.valueOf(start + i);
  }
}
