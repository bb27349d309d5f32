package com.calcgrid.calc.risk;

import com.calcgrid.calc.Params;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.SplittableRandom;

/**
 * Market scenarios, each a relative spot shock and an absolute vol shock applied to every
 * underlying: under scenario j an underlying's spot S becomes S * (1 + spotShock[j]) and its vol
 * v becomes max(v + volShock[j], 0).
 *
 * <p>Three JSON shapes (see {@link #parse}): an explicit list, a grid, or generated normal shocks.
 * The same sets can be built from Java with {@link #of}, {@link #grid} and {@link #generate}.
 */
public final class Scenarios {
  /** At most this many scenarios: every revaluation result carries one P&L per scenario. */
  public static final int MAX = 10_000;

  private final double[] spotShock;
  private final double[] volShock;

  private Scenarios(double[] spotShock, double[] volShock) {
    this.spotShock = spotShock;
    this.volShock = volShock;
  }

  /**
   * Scenario j is (spotShock[j], volShock[j]).
   *
   * @throws IllegalArgumentException when the lengths differ, there are none or more than
   *     {@link #MAX}, a spot shock is not above -1 or a shock is not finite
   */
  public static Scenarios of(double[] spotShock, double[] volShock) {
    if (spotShock.length != volShock.length) {
      throw new IllegalArgumentException("spot and vol shocks differ in length: "
          + spotShock.length + " and " + volShock.length);
    }
    checkCount(spotShock.length, "scenarios");
    for (int j = 0; j < spotShock.length; j++) {
      if (!(spotShock[j] > -1) || !Double.isFinite(spotShock[j])
          || !Double.isFinite(volShock[j])) {
        throw new IllegalArgumentException("scenario " + j + ": the spot shock must be finite "
            + "and above -1 (a fall of 100%), the vol shock finite; got " + spotShock[j] + " and "
            + volShock[j]);
      }
    }
    return new Scenarios(spotShock.clone(), volShock.clone());
  }

  /** The cartesian product of the two axes, spot-major: scenario i * vols.length + k. */
  public static Scenarios grid(double[] spots, double[] vols) {
    checkCount((long) spots.length * vols.length, "grid scenarios");
    double[] s = new double[spots.length * vols.length];
    double[] v = new double[s.length];
    for (int i = 0; i < spots.length; i++) {
      for (int k = 0; k < vols.length; k++) {
        s[i * vols.length + k] = spots[i];
        v[i * vols.length + k] = vols[k];
      }
    }
    return of(s, v);
  }

  /**
   * {@code steps} evenly spaced values from {@code from} to {@code to}, both included; one step
   * gives {@code from} alone. The symmetric formula makes the middle of a symmetric axis exactly 0.
   */
  public static double[] axis(double from, double to, int steps) {
    double[] out = new double[steps];
    for (int i = 0; i < steps; i++) {
      out[i] = steps == 1 ? from : (from * (steps - 1 - i) + to * i) / (steps - 1);
    }
    return out;
  }

  /**
   * {@code count} historical-like scenarios with normal shocks. Scenario j draws two uniforms u1,
   * u2 from a {@link SplittableRandom} seeded with {@link Seeds#mix}(seed, j) (each as
   * (nextLong() >>> 11) / 2^53); Box-Muller gives z1 = sqrt(-2 ln(1 - u1)) cos(2 pi u2) and z2 =
   * sqrt(-2 ln(1 - u1)) sin(2 pi u2). Then spotShock = exp(spotSd z1) - 1 (a log-normal return,
   * so never below -1) and volShock = volSd (correlation z1 + sqrt(1 - correlation^2) z2). Uses
   * {@link StrictMath}, so every node and JDK gets the same bits.
   */
  public static Scenarios generate(int count, long seed, double spotSd, double volSd,
      double correlation) {
    checkCount(count, "generated scenarios");
    double[] s = new double[count];
    double[] v = new double[count];
    double orthogonal = StrictMath.sqrt(1 - correlation * correlation);
    for (int j = 0; j < count; j++) {
      SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, j));
      double u1 = Seeds.unit(rng.nextLong());
      double u2 = Seeds.unit(rng.nextLong());
      double radius = StrictMath.sqrt(-2 * StrictMath.log(1 - u1));
      double z1 = radius * StrictMath.cos(2 * StrictMath.PI * u2);
      double z2 = radius * StrictMath.sin(2 * StrictMath.PI * u2);
      s[j] = StrictMath.expm1(spotSd * z1);
      v[j] = volSd * (correlation * z1 + orthogonal * z2);
    }
    return of(s, v);
  }

  /**
   * Reads a {@code scenarios} param, one of:
   *
   * <ul>
   *   <li>a list {@code [{"spot": -0.05, "vol": 0.01}, ...]}, each key defaulting to 0;
   *   <li>a grid {@code {"spot": {"from": -0.1, "to": 0.1, "steps": 21}, "vol": {...}}}, each
   *       axis an object like this or a list of values, a missing axis being {@code [0]};
   *   <li>{@code {"generate": {"count": 250, "seed": 7, "spotSd": 0.015, "volSd": 0.01,
   *       "correlation": 0}}}, correlation optional, see {@link #generate}.
   * </ul>
   */
  public static Scenarios parse(JsonNode value, String path) {
    JsonNode v = Params.required(value, path);
    try {
      if (v.isArray()) {
        return list(v, path);
      }
      Params.asObject(v, path);
      if (v.has("generate")) {
        Params.allowOnly(v, path, "generate");
        return generated(Params.asObject(v.get("generate"), path + ".generate"),
            path + ".generate");
      }
      if (!v.has("spot") && !v.has("vol")) {
        throw new IllegalArgumentException("param '" + path + "' must be a list of scenarios, "
            + "a grid {\"spot\": ..., \"vol\": ...} or {\"generate\": ...}");
      }
      Params.allowOnly(v, path, "spot", "vol");
      return grid(axis(v.get("spot"), path + ".spot"), axis(v.get("vol"), path + ".vol"));
    } catch (IllegalArgumentException e) {
      if (e.getMessage().contains("param '")) {
        throw e;
      }
      throw new IllegalArgumentException("param '" + path + "': " + e.getMessage(), e);
    }
  }

  private static Scenarios list(JsonNode v, String path) {
    checkCount(v.size(), "scenarios");
    double[] s = new double[v.size()];
    double[] vol = new double[v.size()];
    for (int j = 0; j < v.size(); j++) {
      String at = path + "[" + j + "]";
      JsonNode one = Params.asObject(v.get(j), at);
      Params.allowOnly(one, at, "spot", "vol");
      s[j] = Params.isAbsent(one.get("spot")) ? 0 : Params.asNumber(one.get("spot"), at + ".spot");
      vol[j] = Params.isAbsent(one.get("vol")) ? 0 : Params.asNumber(one.get("vol"), at + ".vol");
    }
    return of(s, vol);
  }

  private static double[] axis(JsonNode v, String path) {
    if (Params.isAbsent(v)) {
      return new double[] {0};
    }
    if (v.isArray()) {
      checkCount(v.size(), "values of " + path);
      double[] out = new double[v.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = Params.asNumber(v.get(i), path + "[" + i + "]");
      }
      return out;
    }
    Params.asObject(v, path);
    Params.allowOnly(v, path, "from", "to", "steps");
    double from = Params.asNumber(v.get("from"), path + ".from");
    double to = Params.asNumber(v.get("to"), path + ".to");
    int steps = (int) Params.asInteger(v.get("steps"), path + ".steps", 1, MAX);
    if (steps == 1 && from != to) {
      throw new IllegalArgumentException("param '" + path + ".steps' is 1, so 'from' and 'to' "
          + "must be equal; got " + from + " and " + to);
    }
    return axis(from, to, steps);
  }

  private static Scenarios generated(JsonNode g, String path) {
    Params.allowOnly(g, path, "count", "seed", "spotSd", "volSd", "correlation");
    int count = (int) Params.asInteger(g.get("count"), path + ".count", 1, MAX);
    long seed = Params.asInteger(g.get("seed"), path + ".seed", Long.MIN_VALUE, Long.MAX_VALUE);
    double spotSd = Params.asNumber(g.get("spotSd"), path + ".spotSd", 0, 1);
    double volSd = Params.asNumber(g.get("volSd"), path + ".volSd", 0, 1);
    double correlation = Params.isAbsent(g.get("correlation")) ? 0
        : Params.asNumber(g.get("correlation"), path + ".correlation", -1, 1);
    return generate(count, seed, spotSd, volSd, correlation);
  }

  private static void checkCount(long n, String what) {
    if (n < 1 || n > MAX) {
      throw new IllegalArgumentException("needs 1 to " + MAX + " " + what + ", got " + n);
    }
  }

  public int size() {
    return spotShock.length;
  }

  /** A copy of the relative spot shocks, one per scenario. */
  public double[] spotShock() {
    return spotShock.clone();
  }

  /** A copy of the absolute vol shocks, one per scenario. */
  public double[] volShock() {
    return volShock.clone();
  }

  double spotShock(int j) {
    return spotShock[j];
  }

  double volShock(int j) {
    return volShock[j];
  }
}
