package com.calcgrid.loadtest.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The availability table per fault, from the history: accepted submissions per second during
 * the fault and in the 30 s after healing (against the baseline before any fault), the share of
 * attempts refused, the share of submissions acknowledged within 2 s and the p99 from first try
 * to acknowledgement, the time from healing until throughput is back to 90% of the baseline,
 * and per fault the jobs acknowledged in its phase that were re-executed, lost, wrong or doubled.
 * Also writes timeline.csv (per second) and phases.csv for the plot.
 */
final class Report {
  private Report() {}

  static String write(Path dir, History h, List<FaultRun.Phase> phases, long baseStart,
      long baseEnd, Checker.Result result, List<NodeProc> nodes) throws IOException {
    List<History.Submission> subs = h.submissions();
    long endMs = h.now();
    int seconds = (int) (endMs / 1000) + 1;
    int[] acks = new int[seconds];
    int[] refused = new int[seconds];
    for (History.Submission s : subs) {
      if (s.acknowledged()) {
        acks[(int) Math.min(seconds - 1, s.ackMs / 1000)]++;
      }
      synchronized (s) {
        for (History.Attempt a : s.attempts) {
          if (a.status() != 200 && a.status() != 202) {
            refused[(int) Math.min(seconds - 1, a.atMs() / 1000)]++;
          }
        }
      }
    }
    double baseline = count(acks, baseStart, baseEnd) / ((baseEnd - baseStart) / 1000.0);
    StringBuilder csv = new StringBuilder("second,accepted,refused_attempts\n");
    for (int i = 0; i < seconds; i++) {
      csv.append(i).append(',').append(acks[i]).append(',').append(refused[i]).append('\n');
    }
    Files.writeString(dir.resolve("timeline.csv"), csv);
    StringBuilder pcsv = new StringBuilder("fault,start_s,heal_s,end_s\n");
    for (FaultRun.Phase p : phases) {
      pcsv.append(String.format(Locale.ROOT, "%s,%.1f,%.1f,%.1f%n", p.fault().name(),
          p.startMs() / 1000.0, p.healMs() / 1000.0, p.endMs() / 1000.0));
    }
    Files.writeString(dir.resolve("phases.csv"), pcsv);

    StringBuilder t = new StringBuilder();
    t.append(String.format(Locale.ROOT, "Baseline before the faults: %.2f accepted/s "
        + "(offered in an open loop, at most 64 in progress); %d submissions, %d acknowledged.%n%n", baseline,
        subs.size(), subs.stream().filter(History.Submission::acknowledged).count()));
    t.append("| fault | held | accepted/s during | accepted/s 30 s after | attempts refused "
        + "| accepted within 2 s | p99 accept | healing to full throughput | tasks re-executed "
        + "| jobs lost | wrong results | duplicates |\n");
    t.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    StringBuilder why = new StringBuilder("\nRefused attempts during each fault, by answer "
        + "(0: no answer within 5 s, -1: connection refused or reset):\n\n");
    for (FaultRun.Phase p : phases) {
      java.util.Map<String, Integer> byStatus = new java.util.TreeMap<>();
      for (History.Submission s : subs) {
        synchronized (s) {
          for (History.Attempt a : s.attempts) {
            if (a.atMs() >= p.startMs() && a.atMs() < p.healMs() && a.status() != 200
                && a.status() != 202) {
              byStatus.merge(a.refusal() == null ? Integer.toString(a.status())
                  : a.status() + " " + a.refusal(), 1, Integer::sum);
            }
          }
        }
      }
      why.append("- ").append(p.fault().name()).append(": ").append(byStatus).append('\n');
    }
    for (FaultRun.Phase p : phases) {
      long dur = Math.max(1, p.healMs() - p.startMs());
      double during = count(acks, p.startMs(), p.healMs()) / (dur / 1000.0);
      double after = count(acks, p.healMs(), p.healMs() + 30_000) / 30.0;
      int attempts = 0;
      int refusedAttempts = 0;
      List<Long> latencies = new ArrayList<>();
      int within2s = 0;
      int started = 0;
      int reExec = 0;
      int lost = 0;
      int wrong = 0;
      int dups = 0;
      for (History.Submission s : subs) {
        synchronized (s) {
          for (History.Attempt a : s.attempts) {
            if (a.atMs() >= p.startMs() && a.atMs() < p.healMs()) {
              attempts++;
              if (a.status() != 200 && a.status() != 202) {
                refusedAttempts++;
              }
            }
          }
        }
        if (s.firstMs >= p.startMs() && s.firstMs < p.healMs()) {
          started++;
          latencies.add(s.acknowledged() ? s.latencyMs() : Long.MAX_VALUE);
          if (s.acknowledged() && s.latencyMs() <= 2000) {
            within2s++;
          }
        }
        if (s.firstMs >= p.startMs() && s.firstMs < p.endMs()) {
          if (s.ids.size() > 1) {
            dups++;
          }
          Checker.JobOutcome o = s.jobId == null ? null : result.jobs().get(s.jobId);
          if (o != null) {
            reExec += o.reExecuted();
            lost += o.lost() ? 1 : 0;
            wrong += o.wrong() > 0 ? 1 : 0;
          }
        }
      }
      latencies.sort(null);
      String p99 = latencies.isEmpty() ? "-"
          : fmtMs(latencies.get(Math.min(latencies.size() - 1,
              (int) Math.ceil(latencies.size() * 0.99) - 1)));
      double share2s = started == 0 ? 1 : within2s / (double) started;
      t.append(String.format(Locale.ROOT,
          "| %s | %.0f s | %.2f | %.2f | %.1f%% | %.1f%%%s | %s | %s | %d | %d | %d | %d |%n",
          p.fault().name(), dur / 1000.0, during, after,
          attempts == 0 ? 0 : 100.0 * refusedAttempts / attempts, 100 * share2s,
          p.fault().majorityHealthy() ? (share2s >= 0.95 ? " (goal met)" : " (goal 95%: NO)")
              : "",
          p99, recovery(acks, p.healMs(), p.endMs(), baseline), reExec, lost, wrong, dups));
    }
    t.append(why);
    t.append(String.format(Locale.ROOT, "%nHistory check: %d acknowledged jobs; lost %d, "
        + "wrong results %d, failed %d, results changed after being seen %d, duplicate jobs %d "
        + "(the job index lists %d jobs no acknowledgement named: submissions whose client "
        + "gave up); journal sequence conflicts of job persistence ids %d (other duplicate-key "
        + "errors in the logs: %d); WebSocket subscribers %d, without finished %d, with wrong "
        + "counts %d; ended jobs whose results could not be read in time %d. Node restarts by the "
        + "harness's supervisor: %s.%n",
        result.jobs().size(), result.lost(), result.wrongJobs(), result.failedJobs(),
        result.changedResults(), result.duplicateKeys(), result.orphanJobs(),
        result.journalConflicts(), result.otherDuplicateKeyErrors(), result.subscriptions(),
        result.subscribersWithoutFinished(), result.subscribersWrongCounts(), result.unchecked(),
        String.join(", ", nodes.stream().map(n -> n.name() + " " + n.restarts()).toList())));
    t.append("\nEvents:\n");
    for (History.Event e : h.events) {
      t.append(String.format(Locale.ROOT, "- %.1f s: %s%n", e.atMs() / 1000.0, e.text()));
    }
    Files.writeString(dir.resolve("report.md"), t);
    return t.toString();
  }

  private static int count(int[] perSecond, long fromMs, long toMs) {
    int n = 0;
    for (long s = fromMs / 1000; s < Math.min(perSecond.length, (toMs + 999) / 1000); s++) {
      n += perSecond[(int) s];
    }
    return n;
  }

  /** Seconds from healing until a 5-second window runs at 90% of the baseline or more. */
  private static String recovery(int[] acks, long healMs, long endMs, double baseline) {
    for (long s = healMs / 1000; s + 5 <= Math.min(acks.length, endMs / 1000 + 1); s++) {
      if (count(acks, s * 1000, (s + 5) * 1000) >= 0.9 * baseline * 5) {
        return Math.max(0, s - healMs / 1000) + " s";
      }
    }
    return "> " + (endMs - healMs) / 1000 + " s";
  }

  private static String fmtMs(long ms) {
    return ms == Long.MAX_VALUE ? "not acknowledged" : String.format(Locale.ROOT, "%.2f s",
        ms / 1000.0);
  }
}
