package com.calcgrid.job;

import com.calcgrid.graph.CompiledGraph;
import com.calcgrid.graph.TaskTemplate;
import com.calcgrid.job.JobEvent.Outcome;
import com.calcgrid.job.JobEvent.TaskOutcome;
import com.calcgrid.job.JobEvent.TasksFinished;
import com.calcgrid.job.JobSupervisor.Command;
import com.calcgrid.job.JobSupervisor.SlotsOffered;
import com.calcgrid.job.JobSupervisor.TaskFinished;
import com.calcgrid.job.JobUpdate.TaskEvent;
import com.calcgrid.metrics.NodeMetrics;
import com.calcgrid.worker.TaskAssignment;
import com.calcgrid.worker.WorkerAgent;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A supervisor's bookkeeping that is not part of the job's durable state: which worker holds
 * which task, which workers know we have work, who is subscribed, and the outcomes waiting for
 * the next write. All of it is bounded by slots and subscribers, never by the size of the graph.
 */
final class Dispatch {
  /** @param deadline when, in {@link System#nanoTime()}, its report is overdue */
  private record InFlight(long dispatchId, ActorRef<WorkerAgent.Command> worker, String node,
      int attempt, long startedAt, long deadline) {}



  private final String jobId;
  private final long reportGraceMillis;
  private final ActorRef<Command> self;
  private final JobViews views;
  private final NodeMetrics metrics;
  /** What this job last added to the node's gauges. */
  private int reportedReady;
  private boolean reportedHosted;
  /** Known workers, and whether each has been told that we have ready tasks. */
  private final Map<ActorRef<WorkerAgent.Command>, Boolean> workers = new HashMap<>();
  private final Map<Integer, InFlight> inFlight = new HashMap<>();
  final Set<ActorRef<JobUpdate>> subscribers = new HashSet<>();
  private List<TaskOutcome> pending = new ArrayList<>();
  private final Set<Integer> pendingTasks = new HashSet<>();
  private boolean flushQueued;
  private long nextDispatchId = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;

  /**
   * @param reportGraceMillis how long past its own timeout a hand-out may stay silent before it
   *     counts as lost: a worker may hold it briefly in its queue, and a node that paused is
   *     given a fair chance
   */
  Dispatch(String jobId, ActorRef<Command> self, JobViews views, NodeMetrics metrics,
      long reportGraceMillis) {
    this.reportGraceMillis = reportGraceMillis;
    this.jobId = jobId;
    this.self = self;
    this.views = views;
    this.metrics = metrics;
  }

  /** Brings this node's gauges (hosted supervisors, ready tasks) in step with this job. */
  void report(JobState s) {
    if (!reportedHosted && !s.isEmpty()) {
      reportedHosted = true;
      metrics.supervisors(1);
    }
    int ready = s.isEmpty() || s.status != JobStatus.RUNNING
        ? 0 : s.counts[TaskStatus.READY.ordinal()];
    if (ready != reportedReady) {
      metrics.readyTasks(ready - reportedReady);
      reportedReady = ready;
    }
  }

  /** The supervisor stops or restarts: this job leaves the node's gauges. */
  void unreport() {
    metrics.readyTasks(-reportedReady);
    reportedReady = 0;
    if (reportedHosted) {
      reportedHosted = false;
      metrics.supervisors(-1);
    }
  }

  /**
   * Forgets hand-outs and buffered outcomes after the supervisor recovered: they belong to an
   * incarnation whose state was rebuilt from the journal. Workers will be asked for work again.
   */
  void reset() {
    inFlight.clear();
    pending = new ArrayList<>();
    pendingTasks.clear();
    flushQueued = false;
    workers.replaceAll((w, told) -> Boolean.FALSE);
  }

  /** @return true if the worker is new and should be watched */
  boolean addWorker(ActorRef<WorkerAgent.Command> worker) {
    return workers.putIfAbsent(worker, Boolean.FALSE) == null;
  }

  /** A worker's node is gone: what it was running goes back to the queue (at-least-once). */
  void workerGone(JobState s, ActorRef<WorkerAgent.Command> worker) {
    workers.remove(worker);
    inFlight.entrySet().removeIf(e -> {
      if (e.getValue().worker().equals(worker)) {
        s.requeue(e.getKey());
        return true;
      }
      return false;
    });
    requestWork(s);
    report(s);
  }

  /** Tells every worker not yet told that this job has ready tasks. */
  void requestWork(JobState s) {
    if (s.status != JobStatus.RUNNING || s.ready.peek(s.taskStatus) < 0) {
      return;
    }
    for (Map.Entry<ActorRef<WorkerAgent.Command>, Boolean> w : workers.entrySet()) {
      if (!w.getValue()) {
        w.getKey().tell(new WorkerAgent.RequestWork(jobId, self));
        w.setValue(Boolean.TRUE);
      }
    }
  }

  /** Answers an offer with at most that many tasks. */
  void offered(JobState s, SlotsOffered offer) {
    List<TaskAssignment> tasks = new ArrayList<>(Math.min(offer.slots(), 1024));
    List<TaskEvent> started = subscribers.isEmpty() ? null : new ArrayList<>();
    long now = System.currentTimeMillis();
    long nowNanos = System.nanoTime();
    while (s.status == JobStatus.RUNNING && tasks.size() < offer.slots()) {
      int i = s.ready.poll(s.taskStatus);
      if (i < 0) {
        break;
      }
      metrics.taskQueueWait(nowNanos - s.ready.polledSince());
      long dispatchId = nextDispatchId++;
      tasks.add(assignment(s, i, dispatchId));
      s.markRunning(i, now, offer.node());
      inFlight.put(i, new InFlight(dispatchId, offer.agent(), offer.node(), s.attempts[i] + 1,
          now, System.nanoTime() + (tasks.get(tasks.size() - 1).timeoutMs()
              + reportGraceMillis) * 1_000_000));
      if (started != null) {
        started.add(new TaskEvent("started", s.graph.taskId(i), s.attempts[i] + 1, now,
            offer.node(), null));
      }
    }
    boolean more = s.status == JobStatus.RUNNING && s.ready.peek(s.taskStatus) >= 0;
    // the agent keeps a supervisor that said "more" in its queue; otherwise we must ask again
    workers.computeIfPresent(offer.agent(), (w, told) -> more);
    offer.agent().tell(new WorkerAgent.RunTasks(jobId, self, offer.slots(), tasks, more));
    metrics.tasksDispatched(tasks.size());
    report(s);
    if (started != null && !started.isEmpty()) {
      publish(new JobUpdate.Batch(started, views.job(s)));
    }
  }

  private TaskAssignment assignment(JobState s, int i, long dispatchId) {
    CompiledGraph g = s.graph;
    int t = g.templateOf(i);
    Map<String, JsonNode> deps = new LinkedHashMap<>();
    for (int e = g.depStart(t); e < g.depEnd(t); e++) {
      int one = g.depTask(e);
      int from = one == CompiledGraph.ALL ? g.firstTask(g.depTemplate(e)) : one;
      int to = one == CompiledGraph.ALL ? g.endTask(g.depTemplate(e)) : one + 1;
      for (int k = from; k < to; k++) {
        deps.put(g.taskId(k), views.result(s, k));
      }
    }
    TaskTemplate tpl = g.template(t);
    return new TaskAssignment(jobId, i, g.taskId(i), s.attempts[i] + 1, dispatchId, tpl.fn(),
        g.params(i), deps, tpl.timeoutMs());
  }

  /**
   * Turns a worker's report into an outcome to persist, or null when it must be ignored: the
   * task already ended, or it was handed out again since and this report is from the old one.
   */
  TaskOutcome accept(JobState s, TaskFinished f) {
    int i = f.task();
    if (i < 0 || i >= s.taskCount() || s.statusOf(i).terminal() || pendingTasks.contains(i)) {
      return null;
    }
    InFlight current = inFlight.get(i);
    if (current != null && current.dispatchId() != f.dispatchId()) {
      return null;
    }
    inFlight.remove(i);
    Outcome outcome;
    if (f.succeeded()) {
      outcome = Outcome.SUCCEEDED;
    } else {
      int maxAttempts = s.graph.template(s.graph.templateOf(i)).retry().maxAttempts();
      outcome = f.attempt() < maxAttempts ? Outcome.RETRYING : Outcome.FAILED;
    }
    return new TaskOutcome(i, f.attempt(), outcome, f.startedAt(), f.finishedAt(), f.node(),
        f.result(), f.error());
  }

  /**
   * Hand-outs whose report is overdue, as failed attempts: a message between nodes can be lost
   * (remoting delivers at most once), and a task must not wait for it forever.
   */
  List<TaskFinished> overdue() {
    long now = System.nanoTime();
    List<TaskFinished> lost = new ArrayList<>();
    for (Map.Entry<Integer, InFlight> e : inFlight.entrySet()) {
      InFlight f = e.getValue();
      if (now - f.deadline() > 0) {
        lost.add(new TaskFinished(e.getKey(), f.attempt(), f.dispatchId(), false, null,
            "no report from node " + f.node() + " within the task's timeout plus "
                + reportGraceMillis + " ms; the hand-out is presumed lost",
            f.startedAt(), System.currentTimeMillis(), f.node()));
      }
    }
    return lost;
  }

  /** When to write what {@link #buffer} holds. */
  enum FlushWhen { NOW, SOON, ALREADY_QUEUED }

  /** Outcomes one write carries at most before it is written at once. */
  private static final int FULL_BATCH = 1000;

  /**
   * Holds an outcome for the next write. The write waits a moment while other hand-outs are
   * still out and workers have ready tasks to run, because more outcomes are about to arrive
   * and one write of many outcomes costs far less than many writes of one. When nothing else is
   * out (a chain), or nothing is ready (slots are about to idle until this outcome frees its
   * dependents), it goes at once: then the wait would be time lost on the critical path, and
   * outcomes that arrive during the write still share the next one.
   */
  FlushWhen buffer(TaskOutcome o, boolean readyTasksLeft) {
    pending.add(o);
    pendingTasks.add(o.task());
    if (pending.size() >= FULL_BATCH || inFlight.isEmpty() || !readyTasksLeft) {
      flushQueued = true;
      return FlushWhen.NOW;
    }
    if (flushQueued) {
      return FlushWhen.ALREADY_QUEUED;
    }
    flushQueued = true;
    return FlushWhen.SOON;
  }

  List<TaskOutcome> drain() {
    flushQueued = false;
    List<TaskOutcome> out = pending;
    pending = new ArrayList<>();
    pendingTasks.clear();
    return out;
  }

  void publishOutcomes(JobState s, TasksFinished event) {
    if (subscribers.isEmpty()) {
      return;
    }
    List<TaskEvent> events = new ArrayList<>(event.outcomes().size());
    for (TaskOutcome o : event.outcomes()) {
      events.add(new TaskEvent(o.outcome().name().toLowerCase(java.util.Locale.ROOT),
          s.graph.taskId(o.task()), o.attempt(), o.finishedAt(), o.node(), o.error()));
    }
    publish(new JobUpdate.Batch(events, views.job(s)));
  }

  void publishFinished(JobState s) {
    publish(new JobUpdate.Finished(views.job(s)));
  }

  /** Interrupts what is running on every worker; their late reports are then ignored. */
  void cancelRunning() {
    for (ActorRef<WorkerAgent.Command> w : workers.keySet()) {
      w.tell(new WorkerAgent.CancelJob(jobId));
    }
    inFlight.clear();
  }

  private void publish(JobUpdate update) {
    for (ActorRef<JobUpdate> sub : subscribers) {
      sub.tell(update);
    }
  }
}
