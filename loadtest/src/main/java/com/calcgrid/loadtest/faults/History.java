package com.calcgrid.loadtest.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What the run recorded, in milliseconds since it began: every submission with each of its
 * attempts, the acknowledged jobs, the harness's own events (faults, exits), and what the
 * WebSocket subscribers saw. The checker and the report read only this and the nodes' logs.
 */
final class History {
  /** One HTTP attempt of a submission: when, to which node, and the status (0 timeout, -1 error). */
  /** @param refusal a refusal's problem type ("too-many-running-jobs"), or null */
  record Attempt(long atMs, long tookMs, String node, int status, String refusal) {}

  /** A submission: its key, first try, and (once acknowledged) its job and the time. */
  static final class Submission {
    final int index;
    final Graphs.Graph graph;
    final long firstMs;
    final List<Attempt> attempts = new ArrayList<>();
    volatile long ackMs = -1;
    volatile String jobId;
    /** Job ids the cluster answered for this key: more than one is a duplicate. */
    final List<String> ids = new ArrayList<>();
    volatile String rejected;

    Submission(int index, Graphs.Graph graph, long firstMs) {
      this.index = index;
      this.graph = graph;
      this.firstMs = firstMs;
    }

    boolean acknowledged() {
      return ackMs >= 0;
    }

    long latencyMs() {
      return ackMs - firstMs;
    }
  }

  /** A subscriber's view of one job: connections made, and the final counts it saw. */
  static final class Subscription {
    final String jobId;
    volatile int connections;
    volatile String finishedJson;

    Subscription(String jobId) {
      this.jobId = jobId;
    }
  }

  record Event(long atMs, String text) {}

  final long startNanos = System.nanoTime();
  final List<Submission> submissions = new ArrayList<>();
  final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  /** Results seen while jobs ran, by job id and task id: the first value seen for each. */
  final Map<String, Map<String, String>> seenResults = new ConcurrentHashMap<>();
  final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();

  long now() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  void event(String text) {
    long t = now();
    events.add(new Event(t, text));
    System.out.printf("[faults %7.1f s] %s%n", t / 1000.0, text);
  }

  synchronized Submission add(int index, Graphs.Graph graph) {
    Submission s = new Submission(index, graph, now());
    submissions.add(s);
    return s;
  }

  synchronized List<Submission> submissions() {
    return new ArrayList<>(submissions);
  }
}
