package com.calcgrid.job;

import com.calcgrid.graph.CompiledGraph;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pages of tasks and the graph by template, read from a job's compact arrays without an object
 * per task: a page costs its rows plus, with a state filter, one scan of the status bytes up to
 * the page; the graph costs one scan of the status bytes.
 */
final class JobBrowser {
  /** Rows in one page; with ids and errors at their limits a page stays far below a frame. */
  static final int MAX_ROWS = 200;
  static final int ROW_ERROR_CHARS = 200;
  /** Templates in one answer: a graph drawn with more boxes than this is not read by anyone. */
  static final int MAX_TEMPLATES = 300;
  /** Dependency edges in one answer, with the same reason. */
  static final int MAX_EDGES = 2000;

  private JobBrowser() {}

  /**
   * Tasks {@code offset .. offset+limit} in graph order of those of {@code template} (null: of
   * every template; an unknown one has none) in {@code state} (null: in any state).
   */
  static TaskPage tasks(JobState s, String template, TaskStatus state, int offset, int limit) {
    int from = 0;
    int to = s.taskCount();
    if (template != null) {
      int t = templateIndex(s.graph, template);
      from = t < 0 ? 0 : s.graph.firstTask(t);
      to = t < 0 ? 0 : s.graph.endTask(t);
    }
    int rows = Math.min(limit, MAX_ROWS);
    List<TaskPage.Row> page = new ArrayList<>(Math.min(rows, 64));
    if (state == null) {
      for (int i = from + offset; i < to && page.size() < rows; i++) {
        page.add(row(s, i));
      }
      return new TaskPage(s.jobId, template, null, offset, rows, to - from, page);
    }
    boolean whole = template == null;
    int seen = 0;
    // the job's counts give the total of a state at once; within one template it is counted
    for (int i = from; i < to && (page.size() < rows || !whole); i++) {
      if (s.statusOf(i) == state && seen++ >= offset && page.size() < rows) {
        page.add(row(s, i));
      }
    }
    return new TaskPage(s.jobId, template, state, offset, rows,
        whole ? s.count(state) : seen, page);
  }

  private static TaskPage.Row row(JobState s, int i) {
    TaskStatus status = s.statusOf(i);
    boolean running = status == TaskStatus.RUNNING;
    boolean ran = running || s.attempt(i) > 0;
    String error = s.error(i);
    if (error != null && error.length() > ROW_ERROR_CHARS) {
      error = error.substring(0, ROW_ERROR_CHARS) + "…";
    }
    return new TaskPage.Row(s.graph.taskId(i), status, s.attempt(i) + (running ? 1 : 0),
        ran ? instant(s.startedAt(i)) : null, running ? null : instant(s.finishedAt(i)),
        ran ? s.nodeName(i) : null, error);
  }

  /** The first {@link #MAX_TEMPLATES} templates with their counts per state and their edges. */
  static JobGraph graph(JobState s) {
    CompiledGraph g = s.graph;
    int shown = Math.min(g.templateCount(), MAX_TEMPLATES);
    boolean truncated = shown < g.templateCount();
    TaskStatus[] states = TaskStatus.values();
    int edges = 0;
    List<JobGraph.Template> out = new ArrayList<>(shown);
    for (int t = 0; t < shown; t++) {
      int[] c = s.countsOf(g.firstTask(t), g.endTask(t));
      Map<String, Integer> counts = new LinkedHashMap<>();
      for (TaskStatus st : states) {
        if (c[st.ordinal()] > 0) {
          counts.put(st.name(), c[st.ordinal()]);
        }
      }
      Set<String> deps = new LinkedHashSet<>();
      for (int e = g.depStart(t); e < g.depEnd(t); e++) {
        int d = g.depTemplate(e);
        if (d >= shown || edges >= MAX_EDGES) {
          truncated = true;
        } else if (deps.add(g.template(d).id())) {
          edges++;
        }
      }
      var tpl = g.template(t);
      out.add(new JobGraph.Template(tpl.id(), tpl.fn(), tpl.count(), tpl.forEach() != null,
          counts, List.copyOf(deps)));
    }
    return new JobGraph(s.jobId, g.templateCount(), truncated, out);
  }

  /** The template named {@code id}, or -1. */
  private static int templateIndex(CompiledGraph g, String id) {
    if (id.indexOf('[') >= 0) {
      return -1;
    }
    int task = g.taskIndex(id);
    if (task < 0) {
      task = g.taskIndex(id + "[0]");
    }
    return task < 0 ? -1 : g.templateOf(task);
  }

  private static Instant instant(long epochMillis) {
    return epochMillis == 0 ? null : Instant.ofEpochMilli(epochMillis);
  }
}
