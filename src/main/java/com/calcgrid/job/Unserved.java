package com.calcgrid.job;

import com.calcgrid.graph.CompiledGraph;
import com.calcgrid.pull.Serves;
import com.calcgrid.pull.Worker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What the workers that offered to a job serve, and which of the job's functions none of them
 * does: the job and task views say why READY tasks wait ("no worker serves py.price"). Each
 * offer names its worker's functions ({@link Serves}); the flags are kept per template and
 * worked out again only when what some worker serves changes, never per task. A worker that has
 * not offered to this job yet is not counted: the note clears at the first offer of a worker
 * that serves the function.
 */
final class Unserved {
  /** Names listed in a note at most; a graph may have thousands of templates. */
  private static final int MAX_NAMES = 5;

  private final Map<ActorRef<Worker>, Serves> byWorker = new HashMap<>();
  /** Per template: no worker serves its function. Null until worked out for {@link #graph}. */
  private boolean[] flags;
  private boolean anyUnserved;
  private CompiledGraph graph;

  /** What {@code worker} serves, from its last offer, or null before its first. */
  Serves of(ActorRef<Worker> worker) {
    return byWorker.get(worker);
  }

  void offered(ActorRef<Worker> worker, Serves serves) {
    if (!serves.equals(byWorker.put(worker, serves))) {
      flags = null;
    }
  }

  void gone(ActorRef<Worker> worker) {
    if (byWorker.remove(worker) != null) {
      flags = null;
    }
  }

  /**
   * Why the job's READY tasks wait, or null when they wait for nothing but a free slot: the
   * functions of READY tasks that no worker serves. One look at the ready queue per name.
   */
  String job(JobState s) {
    if (!worthALook(s)) {
      return null;
    }
    boolean[] pending = flags.clone();
    List<String> names = new ArrayList<>();
    CompiledGraph g = s.graph;
    while (names.size() < MAX_NAMES) {
      int i = s.nextReady(k -> pending[g.templateOf(k)]);
      if (i < 0) {
        break;
      }
      String fn = g.template(g.templateOf(i)).fn();
      names.add(fn);
      // templates of the same function are one name
      for (int t = 0; t < pending.length; t++) {
        if (pending[t] && g.template(t).fn().equals(fn)) {
          pending[t] = false;
        }
      }
    }
    if (names.isEmpty()) {
      return null;
    }
    boolean more = names.size() == MAX_NAMES
        && s.nextReady(k -> pending[g.templateOf(k)]) >= 0;
    return note(String.join(", ", names) + (more ? " and more" : ""));
  }

  /** Why task {@code i} waits, or null: it is READY and no worker serves its function. */
  String task(JobState s, int i) {
    if (s.statusOf(i) != TaskStatus.READY || !worthALook(s)) {
      return null;
    }
    int t = s.graph.templateOf(i);
    return flags[t] ? note(s.graph.template(t).fn()) : null;
  }

  private static String note(String functions) {
    return "no worker serves " + functions;
  }

  /** True when the job runs, some worker offered, and some template's function is unserved. */
  private boolean worthALook(JobState s) {
    if (s.isEmpty() || s.status != JobStatus.RUNNING || byWorker.isEmpty()) {
      return false;
    }
    if (flags == null || graph != s.graph) {
      work(s.graph);
    }
    return anyUnserved;
  }

  private void work(CompiledGraph g) {
    graph = g;
    flags = new boolean[g.templateCount()];
    anyUnserved = false;
    List<Serves> distinct = byWorker.values().stream().distinct().toList();
    for (int t = 0; t < flags.length; t++) {
      String fn = g.template(t).fn();
      flags[t] = distinct.stream().noneMatch(w -> w.serves(fn));
      anyUnserved |= flags[t];
    }
  }
}
