package com.calcgrid.job;

import com.calcgrid.graph.CompiledGraph;
import com.calcgrid.job.JobEvent.DurableDispatchStarted;
import com.calcgrid.job.JobEvent.JobCancelled;
import com.calcgrid.job.JobEvent.JobSubmitted;
import com.calcgrid.job.JobEvent.TaskOutcome;
import com.calcgrid.job.JobEvent.TasksDispatched;
import com.calcgrid.job.JobEvent.TasksFinished;
import com.calcgrid.job.JobEvent.TasksLost;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.apache.pekko.persistence.typed.SnapshotAdapter;

/**
 * The state of one job, laid out for a million tasks: a handful of primitive arrays indexed by
 * task (about 50 bytes a task with small results), counters per template, and nothing per task
 * that is an object, except a successful task's result bytes.
 *
 * <p>It is mutable on purpose: copying arrays of a million entries on every event would cost more
 * than the work. Pekko applies events on the actor's thread and restarts the actor from the
 * journal if a write fails, so no half-applied state is ever observed. Snapshots take a copy
 * ({@link JobSnapshot#of}).
 *
 * <p>RUNNING is never persisted: it means "handed to a worker by this incarnation". After a
 * restart such tasks are READY again and run once more (at-least-once). In durable dispatch
 * (after a recovery) the hand-outs themselves are written, as {@link #out}, so that the next
 * recovery counts each of them as a lost worker ({@link #lost}).
 */
final class JobState {
  String jobId;
  String tenant;
  CompiledGraph graph;
  JobStatus status;
  long submittedAt;
  long startedAt;
  long finishedAt;
  String firstError;
  /** The schedule's firing that submitted this job, or null. */
  ScheduledRun scheduled;

  // Per task, indexed by task: read through the methods below, so that what a value means
  // (RUNNING is transient, a missing result is null) is said in one place.
  private byte[] taskStatus;
  private byte[] attempts;
  private long[] started;
  private long[] finished;
  private short[] node;
  private byte[][] result;
  /** Per task: how many workers were lost while running it (see {@link TasksLost}). */
  private byte[] lost;
  /** Tasks written as handed out ({@link TasksDispatched}) with no outcome since. */
  private BitSet out = new BitSet();
  /** Hand-outs are written before they are sent (see {@link DurableDispatchStarted}). */
  boolean durableDispatch;
  private final List<String> nodes = new ArrayList<>();
  private final Map<String, Short> nodeIndex = new HashMap<>();
  private final Map<Integer, String> errors = new HashMap<>();
  /** Per template: dependency entries not yet satisfied. */
  private int[] remainingDeps;
  /** Per template: tasks not yet SUCCEEDED. */
  private int[] unfinished;
  private final int[] counts = new int[TaskStatus.values().length];

  /** Transient: what may be dispatched next. Rebuilt after recovery. */
  private final ReadyQueue ready = new ReadyQueue();

  boolean isEmpty() {
    return graph == null;
  }

  int taskCount() {
    return graph.taskCount();
  }

  TaskStatus statusOf(int task) {
    return TaskStatus.of(taskStatus[task]);
  }

  String nodeName(int task) {
    short n = node[task];
    return n < 0 ? null : nodes.get(n);
  }

  boolean isRunning() {
    return status == JobStatus.RUNNING;
  }

  /**
   * When the job will end at the rate its tasks have ended since it started: now plus the
   * tasks not yet ended over that rate; -1 before any task has ended or once the job has.
   */
  long projectedFinish(long nowMillis) {
    int ended = count(TaskStatus.SUCCEEDED) + count(TaskStatus.FAILED)
        + count(TaskStatus.SKIPPED) + count(TaskStatus.CANCELLED);
    if (!isRunning() || ended == 0 || startedAt <= 0 || nowMillis <= startedAt) {
      return -1;
    }
    double perTask = (double) (nowMillis - startedAt) / ended;
    return nowMillis + (long) Math.ceil(perTask * (taskCount() - ended));
  }

  /** The job has a deadline and is projected to miss it (or has missed it, still running). */
  boolean atRisk(long nowMillis) {
    long deadline = graph.deadlineMillis();
    if (deadline < 0 || !isRunning()) {
      return false;
    }
    long projected = projectedFinish(nowMillis);
    return nowMillis > deadline || projected > deadline;
  }

  /** Attempts of {@code task} that have ended (0 before its first). */
  int attempt(int task) {
    return attempts[task];
  }

  /** Tasks of the job in {@code state}. */
  int count(TaskStatus state) {
    return counts[state.ordinal()];
  }

  /** Per state (by ordinal), how many of tasks {@code from .. to-1} are in it. */
  int[] countsOf(int from, int to) {
    int[] c = new int[counts.length];
    for (int i = from; i < to; i++) {
      c[taskStatus[i]]++;
    }
    return c;
  }

  /** Workers lost while they ran {@code task}. */
  int lostWorkers(int task) {
    return lost[task];
  }

  /** {@code task}'s stored result as JSON bytes, or null (none, or a JSON null). */
  byte[] result(int task) {
    return result[task];
  }

  /** {@code task} is written as handed out and has no outcome since. */
  boolean writtenOut(int task) {
    return out.get(task);
  }

  /** Tasks written as handed out with no outcome since. */
  int writtenOutCount() {
    return out.cardinality();
  }

  /** When {@code task}'s last attempt started (or, RUNNING, was handed out), or 0. */
  long startedAt(int task) {
    return started[task];
  }

  /** When {@code task}'s last attempt ended, or 0. */
  long finishedAt(int task) {
    return finished[task];
  }

  /** The error of {@code task}'s last failed attempt, or null. */
  String error(int task) {
    return errors.get(task);
  }

  /** Bytes of {@code task}'s stored result (a missing one counts as {@code null}, 4 bytes). */
  int resultLength(int task) {
    byte[] r = result[task];
    return r == null ? 4 : r.length;
  }

  /** Attempts {@code task}'s template allows. */
  int maxAttempts(int task) {
    return graph.template(graph.templateOf(task)).retry().maxAttempts();
  }

  /** Tasks READY now, 0 unless the job runs: what this job adds to the node's gauge. */
  int readyCount() {
    return isEmpty() || !isRunning() ? 0 : counts[TaskStatus.READY.ordinal()];
  }

  /** Hand-outs are written before they are sent (see {@link DurableDispatchStarted}). */
  boolean durableDispatch() {
    return durableDispatch;
  }

  /**
   * The next ready task that {@code fits} (null: any), left in the queue; -1 when none.
   */
  int nextReady(IntPredicate fits) {
    return fits == null ? ready.peek(taskStatus) : ready.peek(taskStatus, fits);
  }

  /** Takes {@link #nextReady} out of the queue and returns it (-1: none). */
  int takeReady(IntPredicate fits) {
    return fits == null ? ready.poll(taskStatus) : ready.poll(taskStatus, fits);
  }

  /** When the task {@link #takeReady} took last entered the queue ({@link System#nanoTime}). */
  long readySince() {
    return ready.polledSince();
  }

  /** Tasks written as handed out that have not ended: each counts as lost after recovery. */
  int[] outAndUnfinished() {
    return out.stream().filter(i -> !statusOf(i).terminal()).toArray();
  }

  // ---- events ----

  JobState apply(JobEvent event) {
    if (isEmpty() && !(event instanceof JobSubmitted)) {
      // the tail of a job being deleted oldest event first (JobDeletion): without its
      // submission there is no job, and the rest is deleted a moment later
      return this;
    }
    if (event instanceof JobSubmitted e) {
      // A fresh object, never the empty state itself: Pekko evaluates the empty state once and
      // starts from that same instance again when it restarts the actor after a journal
      // failure, so it must never be mutated.
      JobState started = new JobState();
      started.onSubmitted(e);
      return started;
    } else if (event instanceof TasksFinished e) {
      for (TaskOutcome o : e.outcomes()) {
        onOutcome(o);
      }
      finishIfDone(e.at());
    } else if (event instanceof TasksDispatched e) {
      short n = nodeIndexOf(e.node());
      for (int i : e.tasks()) {
        out.set(i);
        node[i] = n;
      }
    } else if (event instanceof TasksLost e) {
      onLost(e);
      finishIfDone(e.at());
    } else if (event instanceof DurableDispatchStarted) {
      durableDispatch = true;
    } else if (event instanceof JobCancelled e) {
      onCancelled(e);
    }
    return this;
  }

  private void onSubmitted(JobSubmitted e) {
    jobId = e.jobId();
    tenant = e.tenant();
    scheduled = e.scheduled();
    submittedAt = e.submittedAt();
    graph = CompiledGraph.compile(e.graph());
    status = JobStatus.RUNNING;
    allocate(graph.taskCount());
    counts[TaskStatus.WAITING.ordinal()] = graph.taskCount();
    int templates = graph.templateCount();
    remainingDeps = new int[templates];
    unfinished = new int[templates];
    for (int t = 0; t < templates; t++) {
      remainingDeps[t] = graph.depEnd(t) - graph.depStart(t);
      unfinished[t] = graph.endTask(t) - graph.firstTask(t);
    }
    for (int t = 0; t < templates; t++) {
      if (remainingDeps[t] == 0) {
        makeReady(t);
      }
    }
  }

  private void allocate(int n) {
    taskStatus = new byte[n];
    attempts = new byte[n];
    started = new long[n];
    finished = new long[n];
    node = new short[n];
    java.util.Arrays.fill(node, (short) -1);
    result = new byte[n][];
    lost = new byte[n];
  }

  private void onOutcome(TaskOutcome o) {
    int i = o.task();
    out.clear(i);
    if (statusOf(i).terminal()) {
      return;
    }
    attempts[i] = (byte) Math.min(Byte.MAX_VALUE, Math.max(attempts[i], o.attempt()));
    started[i] = o.startedAt();
    finished[i] = o.finishedAt();
    node[i] = nodeIndexOf(o.node());
    if (startedAt == 0 || o.startedAt() < startedAt) {
      startedAt = o.startedAt();
    }
    switch (o.outcome()) {
      case SUCCEEDED -> {
        set(i, TaskStatus.SUCCEEDED);
        result[i] = o.result() == null ? null : o.result().getBytes(StandardCharsets.UTF_8);
        errors.remove(i);
        onSucceeded(i);
      }
      case RETRYING -> {
        // READY but not queued: the supervisor queues it when its backoff timer fires
        set(i, TaskStatus.READY);
        errors.put(i, o.error());
      }
      case FAILED -> fail(i, o.error());
    }
  }

  private void fail(int i, String error) {
    set(i, TaskStatus.FAILED);
    errors.put(i, error);
    if (firstError == null) {
      firstError = graph.taskId(i) + ": " + error;
    }
    skipDependentsOf(i);
  }

  private void onLost(TasksLost e) {
    for (int i : e.tasks()) {
      out.clear(i);
      if (statusOf(i).terminal()) {
        continue;
      }
      lost[i] = (byte) Math.min(Byte.MAX_VALUE, lost[i] + 1);
      String where = e.node() != null ? e.node() : nodeName(i);
      if (lost[i] >= e.maxLostWorkers()) {
        finished[i] = e.at();
        fail(i, "the worker running this task was lost " + lost[i] + " time"
            + (lost[i] == 1 ? "" : "s") + " (last on node " + where + "); a task that kills"
            + " its node is not retried further (calcgrid.job.max-lost-workers is "
            + e.maxLostWorkers() + ")");
      } else {
        // READY but not queued: the supervisor queues it once this is written
        set(i, TaskStatus.READY);
      }
    }
  }

  private void onSucceeded(int task) {
    int t = graph.templateOf(task);
    boolean templateDone = --unfinished[t] == 0;
    for (int r = graph.dependentStart(t); r < graph.dependentEnd(t); r++) {
      int waitsFor = graph.dependentOnTask(r);
      if (waitsFor == task || (waitsFor == CompiledGraph.ALL && templateDone)) {
        int d = graph.dependentTemplate(r);
        if (--remainingDeps[d] == 0) {
          makeReady(d);
        }
      }
    }
  }

  private void makeReady(int t) {
    int from = graph.firstTask(t);
    int to = graph.endTask(t);
    for (int i = from; i < to; i++) {
      if (taskStatus[i] == TaskStatus.WAITING.ordinal()) {
        set(i, TaskStatus.READY);
      }
    }
    ready.add(from, to, graph.priority(t));
  }

  /** A task failed for good: everything downstream of it can never run. */
  private void skipDependentsOf(int task) {
    BitSet seen = new BitSet(graph.templateCount());
    List<Integer> stack = new ArrayList<>();
    int t = graph.templateOf(task);
    for (int r = graph.dependentStart(t); r < graph.dependentEnd(t); r++) {
      int waitsFor = graph.dependentOnTask(r);
      if (waitsFor == task || waitsFor == CompiledGraph.ALL) {
        stack.add(graph.dependentTemplate(r));
      }
    }
    while (!stack.isEmpty()) {
      int d = stack.remove(stack.size() - 1);
      if (seen.get(d)) {
        continue;
      }
      seen.set(d);
      for (int i = graph.firstTask(d); i < graph.endTask(d); i++) {
        if (!statusOf(i).terminal()) {
          set(i, TaskStatus.SKIPPED);
        }
      }
      for (int r = graph.dependentStart(d); r < graph.dependentEnd(d); r++) {
        stack.add(graph.dependentTemplate(r));
      }
    }
  }

  private void onCancelled(JobCancelled e) {
    for (int i = 0; i < taskStatus.length; i++) {
      if (!statusOf(i).terminal()) {
        set(i, TaskStatus.CANCELLED);
      }
    }
    ready.clear();
    out.clear();
    status = JobStatus.CANCELLED;
    finishedAt = e.at();
  }

  private void finishIfDone(long at) {
    if (status == JobStatus.RUNNING && unfinishedTasks() == 0) {
      status = counts[TaskStatus.FAILED.ordinal()] > 0 ? JobStatus.FAILED : JobStatus.SUCCEEDED;
      finishedAt = at;
    }
  }

  int unfinishedTasks() {
    return counts[TaskStatus.WAITING.ordinal()] + counts[TaskStatus.READY.ordinal()]
        + counts[TaskStatus.RUNNING.ordinal()];
  }

  // ---- transient changes made by the supervisor between events ----

  /** Handed to a worker: RUNNING until its outcome is persisted. */
  void markRunning(int task, long now, String nodeName) {
    set(task, TaskStatus.RUNNING);
    started[task] = now;
    node[task] = nodeIndexOf(nodeName);
  }

  /** A retry whose backoff is over: run it again, after what is queued already. */
  void requeue(int task) {
    requeue(task, false);
  }

  /**
   * Runs a task again: a retry after what is queued, a task whose worker went away
   * ({@code first}) ahead of it, where it was before it was handed out.
   */
  void requeue(int task, boolean first) {
    TaskStatus s = statusOf(task);
    if (s == TaskStatus.RUNNING || s == TaskStatus.READY) {
      set(task, TaskStatus.READY);
      long priority = graph.priority(graph.templateOf(task));
      if (first) {
        ready.addFirst(task, task + 1, priority);
      } else {
        ready.add(task, task + 1, priority);
      }
    }
  }

  /** After recovery nothing is running: queue every READY task, in runs within a template. */
  void rebuildReadyQueue() {
    ready.clear();
    for (int t = 0; t < graph.templateCount(); t++) {
      int runStart = -1;
      for (int i = graph.firstTask(t); i <= graph.endTask(t); i++) {
        boolean isReady = i < graph.endTask(t) && taskStatus[i] == TaskStatus.READY.ordinal();
        if (isReady && runStart < 0) {
          runStart = i;
        } else if (!isReady && runStart >= 0) {
          ready.add(runStart, i, graph.priority(t));
          runStart = -1;
        }
      }
    }
  }

  private void set(int task, TaskStatus to) {
    counts[taskStatus[task]]--;
    counts[to.ordinal()]++;
    taskStatus[task] = (byte) to.ordinal();
  }

  private short nodeIndexOf(String name) {
    if (name == null) {
      return -1;
    }
    return nodeIndex.computeIfAbsent(name, n -> {
      nodes.add(n);
      return (short) (nodes.size() - 1);
    });
  }

  // ---- snapshots ----

  /** Snapshots are written as a {@link JobSnapshot}, a copy nobody mutates while it is stored. */
  static final SnapshotAdapter<JobState> SNAPSHOTS = new SnapshotAdapter<>() {
    @Override
    public Object toJournal(JobState state) {
      return state.snapshot();
    }

    @Override
    public JobState fromJournal(Object from) {
      return fromSnapshot((JobSnapshot) from);
    }
  };

  /** A copy to write; RUNNING is not durable, so it is written as READY. */
  JobSnapshot snapshot() {
    byte[] status = taskStatus.clone();
    for (int i = 0; i < status.length; i++) {
      if (status[i] == TaskStatus.RUNNING.ordinal()) {
        status[i] = (byte) TaskStatus.READY.ordinal();
      }
    }
    return new JobSnapshot(jobId, tenant, graph.spec(), this.status, submittedAt, startedAt,
        finishedAt, firstError, status, attempts.clone(), started.clone(), finished.clone(),
        node.clone(), result.clone(), List.copyOf(nodes), new HashMap<>(errors),
        remainingDeps.clone(), unfinished.clone(), lost.clone(), out.toLongArray(),
        durableDispatch, scheduled);
  }

  static JobState fromSnapshot(JobSnapshot s) {
    JobState st = new JobState();
    st.jobId = s.jobId();
    st.tenant = s.tenant();
    st.scheduled = s.scheduled();
    st.graph = CompiledGraph.compile(s.graph());
    st.status = s.status();
    st.submittedAt = s.submittedAt();
    st.startedAt = s.startedAt();
    st.finishedAt = s.finishedAt();
    st.firstError = s.firstError();
    st.taskStatus = s.taskStatus();
    st.attempts = s.attempts();
    st.started = s.started();
    st.finished = s.finished();
    st.node = s.node();
    st.result = s.result();
    // snapshots written before lost workers were counted have neither
    st.lost = s.lost() != null ? s.lost() : new byte[s.taskStatus().length];
    st.out = s.out() != null ? BitSet.valueOf(s.out()) : new BitSet();
    st.durableDispatch = s.durableDispatch();
    for (String n : s.nodes()) {
      st.nodeIndexOf(n);
    }
    st.errors.putAll(s.errors());
    st.remainingDeps = s.remainingDeps();
    st.unfinished = s.unfinished();
    for (byte b : st.taskStatus) {
      st.counts[b]++;
    }
    return st;
  }
}
