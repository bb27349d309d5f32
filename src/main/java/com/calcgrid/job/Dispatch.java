package com.calcgrid.job;

import com.calcgrid.graph.CompiledGraph;
import com.calcgrid.graph.TaskTemplate;
import com.calcgrid.job.JobEvent.Outcome;
import com.calcgrid.job.JobEvent.TaskOutcome;
import com.calcgrid.job.JobEvent.TasksFinished;
import com.calcgrid.job.JobSupervisor.Command;
import com.calcgrid.job.JobUpdate.TaskEvent;
import com.calcgrid.metrics.NodeMetrics;
import com.calcgrid.pull.CancelJob;
import com.calcgrid.pull.RequestWork;
import com.calcgrid.pull.RunTasks;
import com.calcgrid.pull.Serves;
import com.calcgrid.pull.SlotsOffered;
import com.calcgrid.pull.TaskAssignment;
import com.calcgrid.pull.TaskFinished;
import com.calcgrid.pull.Worker;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntPredicate;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A supervisor's bookkeeping that is not part of the job's durable state: which worker holds
 * which task, which workers know we have work, who is subscribed, and the outcomes waiting for
 * the next write. All of it is bounded by slots and subscribers, never by the size of the graph.
 */
final class Dispatch {
  /** @param deadline when, in {@link System#nanoTime()}, its report is overdue */
  private record InFlight(long dispatchId, ActorRef<Worker> worker, String node,
      int attempt, long startedAt, long deadline) {}

  /**
   * What an offer produced: the answer for the worker and, in durable dispatch, the tasks to
   * write as handed out before the answer is sent.
   *
   * @param durable null unless the hand-out must be written first
   * @param refused some tasks were failed instead of handed out (their inputs were too large):
   *     their outcomes wait in the buffer for a write
   */
  record Answer(ActorRef<Worker> agent, RunTasks run,
      List<TaskEvent> started, int[] durable, boolean refused) {}

  /** Hand-outs of a worker that is gone. */
  record Lost(String node, int[] tasks) {}

  /**
   * Limits of one supervisor.
   *
   * @param maxInFlight hand-outs out plus outcomes not yet written, at most: every one of them
   *     may have to wait in the stash while a write is in progress, so this stays well below
   *     the stash's capacity and no worker report is ever dropped
   * @param maxInputBytes bytes of dependency results one task may receive, and one answer to an
   *     offer may carry (several tasks' together), so that a hand-out stays well under the
   *     remote frame size
   */
  record Limits(int maxInFlight, long maxInputBytes) {}

  /** Bytes per dependency entry beyond its result and task id, as encoded in a hand-out. */
  private static final int ENTRY_OVERHEAD = 4;

  private final String jobId;
  private final Limits limits;
  private final long reportGraceMillis;
  private final ActorRef<Command> self;
  private final JobViews views;
  private final NodeMetrics metrics;
  /** What this job last added to the node's gauges. */
  private int reportedReady;
  private boolean reportedHosted;
  /** Known workers, and whether each has been told that we have ready tasks. */
  private final Map<ActorRef<Worker>, Boolean> workers = new HashMap<>();
  private final Map<Integer, InFlight> inFlight = new HashMap<>();
  /** What each worker that offered runs, from its last offer (see {@link Serves}). */
  private final Unserved serves;
  /** Per distinct {@link Serves}: which of this job's templates it runs. A handful at most. */
  private final Map<Serves, boolean[]> templatesServed = new HashMap<>();
  final Set<ActorRef<JobUpdate>> subscribers = new HashSet<>();
  private List<TaskOutcome> pending = new ArrayList<>();
  private final Set<Integer> pendingTasks = new HashSet<>();
  private boolean flushQueued;
  /** Recovered, but what it means for the hand-outs is not written yet: hand out nothing. */
  private boolean held;
  /** Tasks whose retry backoff runs: {System.nanoTime() when due, task}, earliest first. */
  private final java.util.PriorityQueue<long[]> retries =
      new java.util.PriorityQueue<>(java.util.Comparator.comparingLong(r -> r[0]));
  private long nextDispatchId = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;

  /**
   * @param reportGraceMillis how long past its own timeout a hand-out may stay silent before it
   *     counts as lost: a worker may hold it briefly in its queue, and a node that paused is
   *     given a fair chance
   */
  Dispatch(String jobId, ActorRef<Command> self, JobViews views, NodeMetrics metrics,
      long reportGraceMillis, Limits limits) {
    this.reportGraceMillis = reportGraceMillis;
    this.limits = limits;
    this.jobId = jobId;
    this.self = self;
    this.views = views;
    this.metrics = metrics;
    this.serves = views.unserved;
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
    retries.clear();
    flushQueued = false;
    workers.replaceAll((w, told) -> Boolean.FALSE);
  }

  /** Hand out nothing until {@link #release}: recovery has events to write first. */
  void hold() {
    held = true;
  }

  void release() {
    held = false;
  }

  boolean isPending(int task) {
    return pendingTasks.contains(task);
  }

  /** @return true if the worker is new and should be watched */
  boolean addWorker(ActorRef<Worker> worker) {
    return workers.putIfAbsent(worker, Boolean.FALSE) == null;
  }

  /**
   * A worker's node is gone: forgets it and returns what it was running, or null if nothing.
   * The supervisor writes the loss ({@link JobEvent.TasksLost}) before it queues them again.
   */
  Lost workerGone(ActorRef<Worker> worker) {
    workers.remove(worker);
    serves.gone(worker);
    List<Integer> tasks = new ArrayList<>();
    String[] node = {null};
    inFlight.entrySet().removeIf(e -> {
      if (e.getValue().worker().equals(worker)) {
        tasks.add(e.getKey());
        node[0] = e.getValue().node();
        return true;
      }
      return false;
    });
    return tasks.isEmpty() ? null
        : new Lost(node[0], tasks.stream().mapToInt(Integer::intValue).toArray());
  }

  /**
   * Asks again, on the periodic sweep, every worker that holds none of our hand-outs: a lost
   * request or offer must not leave ready tasks idle for good.
   */
  void remindWorkers(JobState s) {
    Set<ActorRef<Worker>> busy = new HashSet<>();
    for (InFlight f : inFlight.values()) {
      busy.add(f.worker());
    }
    workers.replaceAll((w, told) -> told && busy.contains(w));
    requestWork(s);
  }

  /** Tells every worker not yet told that this job has ready tasks it may hand out. */
  void requestWork(JobState s) {
    if (s.status != JobStatus.RUNNING || held || allowance() <= 0
        || s.ready.peek(s.taskStatus) < 0) {
      return;
    }
    for (Map.Entry<ActorRef<Worker>, Boolean> w : workers.entrySet()) {
      // a worker known to serve none of the ready tasks' functions is left alone until one is
      IntPredicate fits = fits(s, serves.of(w.getKey()));
      if (!w.getValue() && (fits == null || s.ready.peek(s.taskStatus, fits) >= 0)) {
        w.getKey().tell(new RequestWork(jobId, self));
        w.setValue(Boolean.TRUE);
      }
    }
  }

  /** Hand-outs this supervisor may still have out (see {@link Limits#maxInFlight}). */
  /**
   * Which tasks a worker that serves {@code what} may receive, or null when it may receive any.
   * Tasks of functions that no connected worker serves simply stay READY: the job waits.
   */
  private IntPredicate fits(JobState s, Serves what) {
    if (what == null || what.everything()) {
      return null;
    }
    if (templatesServed.size() > 64) {
      templatesServed.clear();
    }
    CompiledGraph g = s.graph;
    boolean[] ok = templatesServed.computeIfAbsent(what, w -> {
      boolean[] t = new boolean[g.templateCount()];
      for (int k = 0; k < t.length; k++) {
        t[k] = w.serves(g.template(k).fn());
      }
      return t;
    });
    return i -> ok[g.templateOf(i)];
  }

  private static int next(JobState s, IntPredicate fits) {
    return fits == null ? s.ready.peek(s.taskStatus) : s.ready.peek(s.taskStatus, fits);
  }

  private static void take(JobState s, IntPredicate fits) {
    if (fits == null) {
      s.ready.poll(s.taskStatus);
    } else {
      s.ready.poll(s.taskStatus, fits);
    }
  }

  private int allowance() {
    return limits.maxInFlight() - inFlight.size() - pending.size();
  }

  /**
   * Picks the tasks for an offer: at most the slots offered, the in-flight allowance and the
   * bytes one answer may carry. A task whose dependency results alone exceed
   * {@link Limits#maxInputBytes} is failed instead, before anything is built for it.
   */
  Answer offered(JobState s, SlotsOffered offer) {
    int allowance = held ? 0 : Math.max(0, allowance());
    int want = Math.min(offer.slots(), allowance);
    List<TaskAssignment> tasks = new ArrayList<>(Math.min(want, 1024));
    List<TaskEvent> started = subscribers.isEmpty() ? null : new ArrayList<>();
    long now = System.currentTimeMillis();
    long nowNanos = System.nanoTime();
    long bytes = 0;
    boolean refused = false;
    IntPredicate fits = null;
    if (s.status == JobStatus.RUNNING) {
      serves.offered(offer.agent(), offer.serves());
      fits = fits(s, offer.serves());
    }
    while (s.status == JobStatus.RUNNING && tasks.size() < want) {
      int i = next(s, fits);
      if (i < 0) {
        break;
      }
      long need = inputBytes(s, i);
      if (need > limits.maxInputBytes()) {
        take(s, fits);
        refuse(s, i, need, now);
        refused = true;
        continue;
      }
      if (!tasks.isEmpty() && bytes + need > limits.maxInputBytes()) {
        break;
      }
      take(s, fits);
      bytes += need;
      metrics.taskQueueWait(nowNanos - s.ready.polledSince());
      long dispatchId = nextDispatchId++;
      TaskAssignment a = assignment(s, i, dispatchId);
      tasks.add(a);
      s.markRunning(i, now, offer.node());
      inFlight.put(i, new InFlight(dispatchId, offer.agent(), offer.node(), a.attempt(), now,
          System.nanoTime() + (a.timeoutMs() + reportGraceMillis) * 1_000_000));
      if (started != null) {
        started.add(new TaskEvent("started", a.taskId(), a.attempt(), now, offer.node(), null));
      }
    }
    boolean more = s.status == JobStatus.RUNNING && next(s, fits) >= 0;
    // Out of allowance: say no more, and ask again once outcomes are written. Otherwise the
    // agent keeps a supervisor that said "more" in its queue; if not, we must ask again.
    boolean askAgain = more && tasks.size() < allowance;
    workers.computeIfPresent(offer.agent(), (w, told) -> askAgain);
    int[] durable = null;
    if (s.durableDispatch && !tasks.isEmpty()) {
      durable = new int[tasks.size()];
      for (int k = 0; k < durable.length; k++) {
        durable[k] = tasks.get(k).task();
      }
    }
    return new Answer(offer.agent(), new RunTasks(jobId, self, offer.slots(), tasks,
        askAgain, offer.offerId()), started, durable, refused);
  }

  /** Sends an answer (in durable dispatch: once its hand-out is written). */
  void send(JobState s, Answer answer) {
    answer.agent().tell(answer.run());
    metrics.tasksDispatched(answer.run().tasks().size());
    report(s);
    if (answer.started() != null && !answer.started().isEmpty()) {
      publish(new JobUpdate.Batch(answer.started(), views.job(s)));
    }
  }

  /**
   * The bytes of what task i would receive: its dependencies' results and task ids, counted
   * from the stored result bytes without building anything.
   */
  static long inputBytes(JobState s, int i) {
    CompiledGraph g = s.graph;
    int t = g.templateOf(i);
    long total = 0;
    for (int e = g.depStart(t); e < g.depEnd(t); e++) {
      int one = g.depTask(e);
      int d = g.depTemplate(e);
      int first = g.firstTask(d);
      int from = one == CompiledGraph.ALL ? first : one;
      int to = one == CompiledGraph.ALL ? g.endTask(d) : one + 1;
      TaskTemplate dep = g.template(d);
      int idLength = dep.id().length() + ENTRY_OVERHEAD;
      boolean expanded = dep.forEach() != null;
      for (int k = from; k < to; k++) {
        byte[] r = s.result[k];
        total += (r == null ? 4 : r.length) + idLength + (expanded ? 2 + digits(k - first) : 0);
      }
    }
    return total;
  }

  private static int digits(int n) {
    int d = 1;
    while (n >= 10) {
      n /= 10;
      d++;
    }
    return d;
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
        g.params(i), deps, tpl.timeoutMs(), tpl.maxResultBytes());
  }

  /** Fails a task whose inputs are too large to hand out; it never ran. */
  private void refuse(JobState s, int i, long bytes, long now) {
    buffer(new TaskOutcome(i, s.attempts[i], Outcome.FAILED, now, now, null, null,
        "the results of its dependencies total " + bytes + " bytes (with their task ids), more"
            + " than a task may receive: " + limits.maxInputBytes() + " bytes"
            + " (calcgrid.limits.max-input-bytes, CALCGRID_MAX_INPUT_BYTES). Aggregate in"
            + " stages, or have dependencies return less"), true);
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
    } else if (f.permanent()) {
      outcome = Outcome.FAILED;
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

  /** Task becomes due for its next attempt {@code waitMillis} from now. */
  void retryAfter(int task, long waitMillis) {
    retries.add(new long[] {System.nanoTime() + waitMillis * 1_000_000, task});
  }

  /** Milliseconds until the earliest retry is due, or -1 when none waits. */
  long nextRetryInMillis() {
    long[] first = retries.peek();
    return first == null ? -1 : Math.max(0, (first[0] - System.nanoTime()) / 1_000_000);
  }

  /** Queues every task whose backoff is over. */
  void retriesDue(JobState s) {
    long now = System.nanoTime();
    while (!retries.isEmpty() && retries.peek()[0] - now <= 0) {
      s.requeue((int) retries.poll()[1]);
    }
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

  /** Tells subscribers of the tasks that a lost worker failed for good. */
  void publishLost(JobState s, JobEvent.TasksLost event) {
    if (subscribers.isEmpty()) {
      return;
    }
    List<TaskEvent> events = new ArrayList<>();
    for (int i : event.tasks()) {
      if (s.statusOf(i) == TaskStatus.FAILED && s.finished[i] == event.at()) {
        events.add(new TaskEvent("failed", s.graph.taskId(i), s.attempts[i], event.at(),
            s.nodeName(i), s.errors.get(i)));
      }
    }
    if (!events.isEmpty()) {
      publish(new JobUpdate.Batch(events, views.job(s)));
    }
  }

  void publishFinished(JobState s) {
    publish(new JobUpdate.Finished(views.job(s)));
  }

  /** Interrupts what is running on every worker; their late reports are then ignored. */
  void cancelRunning() {
    for (ActorRef<Worker> w : workers.keySet()) {
      w.tell(new CancelJob(jobId));
    }
    inFlight.clear();
  }

  private void publish(JobUpdate update) {
    for (ActorRef<JobUpdate> sub : subscribers) {
      sub.tell(update);
    }
  }
}
