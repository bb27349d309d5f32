package com.calcgrid.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds what clients see from a job's compact state. */
final class JobViews {
  private final ObjectMapper mapper;
  private final String node;
  /** Which of the job's functions no worker serves; fed by the supervisor's dispatch. */
  final Unserved unserved = new Unserved();

  /** @param node this node's {@code host:port}, shown as the job's supervisor */
  JobViews(ObjectMapper mapper, String node) {
    this.mapper = mapper;
    this.node = node;
  }

  JobView job(JobState s) {
    long now = System.currentTimeMillis();
    long projected = s.projectedFinish(now);
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (TaskStatus t : TaskStatus.values()) {
      if (s.count(t) > 0) {
        counts.put(t.name(), s.count(t));
      }
    }
    return new JobView(s.jobId, s.graph.spec().name(), s.tenant, s.status, s.taskCount(), counts,
        instant(s.submittedAt), instant(s.startedAt), instant(s.finishedAt), s.firstError, node,
        s.scheduled == null ? null : s.scheduled.schedule(),
        s.scheduled == null ? null : Instant.ofEpochMilli(s.scheduled.scheduledFor()),
        unserved.job(s), s.graph.spec().priority(),
        s.graph.spec().deadline() == null ? null : Instant.parse(s.graph.spec().deadline()),
        projected < 0 ? null : Instant.ofEpochMilli(projected), s.atRisk(now));
  }

  TaskView task(JobState s, int i) {
    TaskStatus status = s.statusOf(i);
    int attempts = s.attempt(i) + (status == TaskStatus.RUNNING ? 1 : 0);
    boolean ran = status == TaskStatus.RUNNING || s.attempt(i) > 0;
    return new TaskView(s.jobId, s.graph.taskId(i), status, attempts, s.lostWorkers(i),
        ran ? instant(s.startedAt(i)) : null,
        status == TaskStatus.RUNNING ? null : instant(s.finishedAt(i)),
        ran ? s.nodeName(i) : null, s.error(i), result(s, i), unserved.task(s, i));
  }

  /** Results keyed by task id, of sink tasks ({@code all == false}) or of every task. */
  ResultsView results(JobState s, boolean all, int offset, int limit) {
    Map<String, JsonNode> page = new LinkedHashMap<>();
    int seen = 0;
    for (int t = 0; t < s.graph.templateCount(); t++) {
      if (!all && !s.graph.isSink(t)) {
        continue;
      }
      int first = s.graph.firstTask(t);
      int end = s.graph.endTask(t);
      for (int i = Math.max(first, first + offset - seen); i < end && page.size() < limit; i++) {
        page.put(s.graph.taskId(i), result(s, i));
      }
      seen += end - first;
    }
    return new ResultsView(s.jobId, s.status, all ? "all" : "outputs", offset, limit, seen, page);
  }

  /** The task's result, or JSON null if it has none (yet). */
  JsonNode result(JobState s, int i) {
    byte[] bytes = s.result(i);
    if (bytes == null) {
      return NullNode.getInstance();
    }
    try {
      return mapper.readTree(bytes);
    } catch (IOException e) {
      throw new IllegalStateException("stored result of " + s.graph.taskId(i) + " is not JSON", e);
    }
  }

  private static Instant instant(long epochMillis) {
    return epochMillis == 0 ? null : Instant.ofEpochMilli(epochMillis);
  }
}
