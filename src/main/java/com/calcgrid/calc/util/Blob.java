package com.calcgrid.calc.util;

import com.calcgrid.calc.CalcFunction;
import com.calcgrid.calc.CalcInput;
import com.calcgrid.calc.Params;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Test tool {@code util.blob}: a string of {@code bytes} ASCII letters whose i-th character is
 * {@code 'a' + (seed + i) mod 26}, so tests and benchmarks can make results of any size whose
 * content a reader can recompute.
 */
public final class Blob implements CalcFunction {
  /**
   * The most {@code bytes} a graph may ask for, so a graph cannot make a worker build a string of
   * gigabytes; a blob over the node's {@code calcgrid.limits.max-result-bytes} is built and then
   * fails its task, naming that limit.
   */
  public static final long MAX_BYTES = 64L << 20;

  @Override
  public String name() {
    return "util.blob";
  }

  @Override
  public void validate(JsonNode params) {
    Params.integer(params, "bytes", 0, MAX_BYTES);
    Params.integer(params, "seed", 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
  }

  @Override
  public JsonNode apply(CalcInput input) {
    int bytes = (int) Params.integer(input.params(), "bytes", 0, MAX_BYTES);
    long seed = Params.integer(input.params(), "seed", 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
    return TextNode.valueOf(text(bytes, seed));
  }

  /** The blob itself: {@code bytes} letters, the i-th {@code 'a' + (seed + i) mod 26}. */
  static String text(int bytes, long seed) {
    byte[] out = new byte[bytes];
    int letter = (int) Math.floorMod(seed, 26L);
    for (int i = 0; i < bytes; i++) {
      out[i] = (byte) ('a' + letter);
      letter = letter == 25 ? 0 : letter + 1;
    }
    return new String(out, java.nio.charset.StandardCharsets.US_ASCII);
  }
}
