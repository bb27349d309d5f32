package com.calcgrid.graph;

import com.calcgrid.calc.FunctionRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The properties every graph document must have, checked in process: parsing and validating
 * either returns a graph that compiles and can be journaled, or throws
 * {@link InvalidGraphException} with problems that say where; never any other exception, and
 * never longer than a bound. {@link #run} drives a generator through it with a watchdog.
 */
public final class FuzzCheck {
  /** How a document was answered; over HTTP 202, 400 and 422. */
  public enum Verdict { ACCEPTED, INVALID, TOO_LARGE }

  /** A document that broke a property, with what it takes to reproduce it. */
  public record Violation(long seed, FuzzInputs.Input input, String what) {
    @Override
    public String toString() {
      return "seed " + seed + " input #" + input.index() + " (" + input.kind() + "): "
          + FuzzInputs.escape(what, 3000)
          + "\n  input: " + input.shown(400)
          + "\n  reproduce: -Dcalcgrid.fuzz.seed=" + seed + " -Dcalcgrid.fuzz.from="
          + input.index() + " -Dcalcgrid.fuzz.inputs=1";
    }
  }

  /** What a run saw. */
  public record Stats(long inputs, long accepted, long invalid, long tooLarge, long totalNanos,
      long maxNanos, String slowest, List<Violation> violations) {
    public double perSecond() {
      return inputs / Math.max(1e-9, totalNanos / 1e9);
    }

    public String summary() {
      return String.format(Locale.ROOT, "%,d inputs (%,d accepted, %,d invalid, %,d too large) "
          + "at %,.0f/s, max %.1f ms (%s), %d violations", inputs, accepted, invalid, tooLarge,
          perSecond(), maxNanos / 1e6, slowest, violations.size());
    }
  }

  private static final ObjectMapper CBOR = new CBORMapper();
  private static final int KEEP = 20;

  private final GraphParser parser;
  private final FunctionRegistry functions;
  private final GraphLimits limits;

  public FuzzCheck(JsonLimits json, GraphLimits limits, FunctionRegistry functions) {
    this.parser = new GraphParser(json);
    this.functions = functions;
    this.limits = limits;
  }

  /** The verdict on one document; null when it threw anything but the validation exception. */
  public Verdict verdict(byte[] json) {
    return outcome(json, null).verdict;
  }

  private record Outcome(Verdict verdict, String violation) {}

  private Outcome outcome(FuzzInputs.Input in) {
    Outcome o = outcome(in.bytes(), in.expectWhere());
    if (o.violation() == null && in.kind().equals("valid") && o.verdict() == Verdict.INVALID) {
      return new Outcome(o.verdict(), "a valid graph of the corpus was refused");
    }
    return o;
  }

  private Outcome outcome(byte[] json, String expectWhere) {
    GraphSpec spec;
    try {
      spec = GraphValidator.parseAndValidate(parser, json, functions, limits);
    } catch (InvalidGraphException e) {
      String bad = refusalProblem(e, expectWhere);
      return new Outcome(e.overLimit() ? Verdict.TOO_LARGE : Verdict.INVALID, bad);
    } catch (Throwable e) {
      return new Outcome(null, "threw " + stackTrace(e));
    }
    return new Outcome(Verdict.ACCEPTED, acceptedProblem(spec, expectWhere));
  }

  /** What is wrong with an accepted graph, or null. */
  private String acceptedProblem(GraphSpec spec, String expectWhere) {
    if (expectWhere != null) {
      return "accepted, but a refusal naming '" + expectWhere + "' was expected";
    }
    try {
      if (GraphValidator.taskCount(spec) > limits.maxTasks()) {
        return "accepted with " + GraphValidator.taskCount(spec) + " tasks, over the limit";
      }
      CompiledGraph.compile(spec);
      // the journal stores the spec as CBOR: an accepted graph that cannot be written fails
      // after the caller was told it is stored
      GraphSpec back = CBOR.readValue(CBOR.writeValueAsBytes(spec), GraphSpec.class);
      if (!back.equals(spec)) {
        return "accepted, but the journal's CBOR does not read back the same graph";
      }
    } catch (Throwable e) {
      return "accepted, but " + stackTrace(e);
    }
    return null;
  }

  /** What is wrong with a refusal, or null. */
  private static String refusalProblem(InvalidGraphException e, String expectWhere) {
    List<GraphProblem> problems = e.problems();
    if (problems.isEmpty() || problems.size() > Problems.MAX) {
      return "refused with " + problems.size() + " problems (1 to " + Problems.MAX + " expected)";
    }
    for (GraphProblem p : problems) {
      if (p.where() == null || p.where().isBlank() || p.message() == null
          || p.message().isBlank()) {
        return "a problem without a place or a message: " + p;
      }
      if (!wellFormed(p.where()) || !wellFormed(p.message())) {
        return "a problem that is not well-formed Unicode text: " + FuzzInputs.MAPPER
            .valueToTree(p);
      }
    }
    if (e.getMessage() == null || e.getMessage().isBlank()) {
      return "refused without a message";
    }
    if (expectWhere != null && problems.stream().noneMatch(p -> related(p.where(), expectWhere))) {
      return "refused, but no problem names '" + expectWhere + "': " + problems;
    }
    return null;
  }

  /** The same place, or one inside the other ({@code tasks[2]} and {@code tasks[2].id}). */
  static boolean related(String where, String expected) {
    return where.equals(expected) || inside(where, expected) || inside(expected, where);
  }

  private static boolean inside(String inner, String outer) {
    return outer.equals("$") || inner.startsWith(outer) && inner.length() > outer.length()
        && (inner.charAt(outer.length()) == '.' || inner.charAt(outer.length()) == '[');
  }

  private static boolean wellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Runs inputs {@code from} to {@code from + count} of {@code inputs}, keeping the first 20
   * violations. A watchdog prints the input and where it is stuck once one runs longer than
   * {@code bound}; one that finishes over the bound is a violation.
   */
  public Stats run(FuzzInputs inputs, long from, long count, Duration bound) {
    record Running(FuzzInputs.Input input, long startNanos, Thread thread) {}
    AtomicReference<Running> current = new AtomicReference<>();
    ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "fuzz-watchdog");
      t.setDaemon(true);
      return t;
    });
    AtomicReference<Running> reported = new AtomicReference<>();
    watchdog.scheduleWithFixedDelay(() -> {
      Running r = current.get();
      if (r != null && r != reported.get()
          && System.nanoTime() - r.startNanos() > bound.toNanos()) {
        reported.set(r);
        StringBuilder where = new StringBuilder();
        for (StackTraceElement e : r.thread().getStackTrace()) {
          where.append("\n    at ").append(e);
        }
        System.err.println("fuzz: still running after " + bound + ": "
            + new Violation(inputs.seed(), r.input(), "hangs") + where);
      }
    }, 1, 1, TimeUnit.SECONDS);
    long accepted = 0;
    long invalid = 0;
    long tooLarge = 0;
    long total = 0;
    long max = 0;
    String slowest = "-";
    List<Violation> violations = new ArrayList<>();
    try {
      for (long i = from; i < from + count; i++) {
        FuzzInputs.Input in = inputs.next(i);
        long t0 = System.nanoTime();
        current.set(new Running(in, t0, Thread.currentThread()));
        Outcome o = outcome(in);
        long took = System.nanoTime() - t0;
        current.set(null);
        total += took;
        if (took > max) {
          max = took;
          slowest = "#" + i + " " + in.kind() + ", " + in.bytes().length + " bytes";
        }
        String what = o.violation() != null ? o.violation()
            : took > bound.toNanos() ? "took " + took / 1_000_000 + " ms, over " + bound : null;
        if (what != null && violations.size() < KEEP) {
          violations.add(new Violation(inputs.seed(), in, what));
        }
        if (o.verdict() == Verdict.ACCEPTED) {
          accepted++;
        } else if (o.verdict() == Verdict.INVALID) {
          invalid++;
        } else if (o.verdict() == Verdict.TOO_LARGE) {
          tooLarge++;
        }
      }
    } finally {
      watchdog.shutdownNow();
    }
    return new Stats(count, accepted, invalid, tooLarge, total, max, slowest, violations);
  }

  /** The verdict, or the broken property, for one input: for checks outside {@link #run}. */
  public String check(FuzzInputs.Input in) {
    Outcome o = outcome(in);
    return o.violation() != null ? "VIOLATION " + o.violation() : o.verdict().name();
  }

  private static String stackTrace(Throwable e) {
    StringWriter w = new StringWriter();
    e.printStackTrace(new PrintWriter(w));
    String s = w.toString();
    return s.length() > 3000 ? s.substring(0, 3000) + "..." : s;
  }
}
