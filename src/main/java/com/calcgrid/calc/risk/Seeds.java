package com.calcgrid.calc.risk;

/**
 * Derives independent random streams from one user seed, so that item {@code i} of anything
 * synthetic (a trade, a scenario, an underlying's market data) depends only on the seed and
 * {@code i}: any slice can be generated alone, on any node, and equals the same slice of the
 * whole.
 */
final class Seeds {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private Seeds() {}

  /**
   * The SplitMix64 finalizer of {@code seed + (index + 1) * 0x9E3779B97F4A7C15}: a 64-bit hash in
   * which neighbouring indices give unrelated values.
   */
  static long mix(long seed, long index) {
    long z = seed + (index + 1) * GOLDEN_GAMMA;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The top 53 bits of {@code hash} as a double in [0, 1). */
  static double unit(long hash) {
    return (hash >>> 11) * 0x1.0p-53;
  }
}
