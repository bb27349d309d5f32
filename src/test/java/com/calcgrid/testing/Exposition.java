package com.calcgrid.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format (0.0.4): every line is a {@code # HELP}, a
 * {@code # TYPE} or a sample {@code name{label="value",...} number}; every sample belongs to a
 * family with both HELP and TYPE; histogram buckets are cumulative and end at {@code +Inf}
 * equal to {@code _count}. Throws {@link AssertionError} naming the first bad line.
 */
public final class Exposition {
  /** One sample line. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*";
  private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
  private static final Pattern TYPE = Pattern.compile(
      "# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
  private static final Pattern SAMPLE = Pattern.compile(
      "(" + NAME + ")(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?");
  private static final Pattern PAIR = Pattern.compile(
      "(" + LABEL + ")=\"((?:\\\\.|[^\"\\\\])*)\"(,|$)");

  private final Map<String, String> types = new HashMap<>();
  private final Map<String, String> help = new HashMap<>();
  private final List<Sample> samples = new ArrayList<>();

  private Exposition() {}

  public static Exposition parse(String text) {
    Exposition e = new Exposition();
    int n = 0;
    for (String line : text.split("\n", -1)) {
      n++;
      if (line.isEmpty()) {
        continue;
      }
      Matcher m;
      if ((m = HELP.matcher(line)).matches()) {
        e.help.put(m.group(1), m.group(2));
      } else if ((m = TYPE.matcher(line)).matches()) {
        if (e.types.put(m.group(1), m.group(2)) != null) {
          throw new AssertionError("line " + n + ": second TYPE for " + m.group(1));
        }
      } else if ((m = SAMPLE.matcher(line)).matches()) {
        e.samples.add(new Sample(m.group(1), labels(m.group(2), n, line), value(m.group(3), n, line)));
      } else {
        throw new AssertionError("line " + n + " is not HELP, TYPE or a sample: " + line);
      }
    }
    e.checkFamilies();
    return e;
  }

  private static Map<String, String> labels(String text, int n, String line) {
    Map<String, String> out = new LinkedHashMap<>();
    if (text == null || text.isEmpty()) {
      return out;
    }
    Matcher m = PAIR.matcher(text);
    int at = 0;
    while (at < text.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new AssertionError("line " + n + ": bad labels: " + line);
      }
      out.put(m.group(1), m.group(2));
      at = m.end();
    }
    return out;
  }

  private static double value(String text, int n, String line) {
    switch (text) {
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      case "NaN":
        return Double.NaN;
      default:
        try {
          return Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new AssertionError("line " + n + ": bad value: " + line);
        }
    }
  }

  private void checkFamilies() {
    for (Sample s : samples) {
      String family = family(s.name());
      if (family == null) {
        throw new AssertionError("sample " + s.name() + " has no TYPE line");
      }
      if (!help.containsKey(family)) {
        throw new AssertionError(family + " has no HELP line");
      }
    }
    for (Map.Entry<String, String> t : types.entrySet()) {
      if (t.getValue().equals("histogram")) {
        checkHistogram(t.getKey());
      }
    }
  }

  /** The family a sample belongs to: its own name, or without a histogram/counter suffix. */
  private String family(String sample) {
    if (types.containsKey(sample)) {
      return sample;
    }
    for (String suffix : List.of("_bucket", "_count", "_sum", "_total", "_created")) {
      if (sample.endsWith(suffix)) {
        String base = sample.substring(0, sample.length() - suffix.length());
        if (types.containsKey(base)) {
          return base;
        }
      }
    }
    return null;
  }

  private void checkHistogram(String name) {
    double previous = 0;
    double inf = Double.NaN;
    for (Sample s : samples) {
      if (s.name().equals(name + "_bucket")) {
        if (s.value() < previous) {
          throw new AssertionError(name + ": buckets are not cumulative at le=" + s.labels().get("le"));
        }
        previous = s.value();
        if ("+Inf".equals(s.labels().get("le"))) {
          inf = s.value();
        }
      }
    }
    if (Double.isNaN(inf)) {
      throw new AssertionError(name + ": no +Inf bucket");
    }
    if (inf != value(name + "_count")) {
      throw new AssertionError(name + ": +Inf bucket " + inf + " != count " + value(name + "_count"));
    }
  }

  public String type(String family) {
    return types.get(family);
  }

  public List<Sample> samples() {
    return samples;
  }

  /** The value of the one sample with this name and these labels (as name, value pairs). */
  public double value(String name, String... labels) {
    Map<String, String> want = new HashMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      want.put(labels[i], labels[i + 1]);
    }
    for (Sample s : samples) {
      if (s.name().equals(name) && s.labels().entrySet().containsAll(want.entrySet())) {
        return s.value();
      }
    }
    throw new AssertionError("no sample " + name + want);
  }

  public boolean has(String name) {
    return samples.stream().anyMatch(s -> s.name().equals(name));
  }
}
