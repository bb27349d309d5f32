package com.calcgrid.metrics;

import com.calcgrid.job.JobStatus;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * This node's metrics: one Prometheus registry per actor system (a Pekko extension), so that
 * several nodes in one JVM keep separate numbers. The job supervisors and the worker agent call
 * the methods below on their hot paths; each is a counter increment or a histogram observation
 * and allocates nothing.
 *
 * <p>Task and journal metrics are counted on the node that hosts the job's supervisor, slot
 * metrics on the node whose worker owns the slots. Sum over nodes for cluster totals.
 */
public final class NodeMetrics implements Extension {
  private static final ExtensionId<NodeMetrics> ID = new ExtensionId<>() {
    @Override
    public NodeMetrics createExtension(ActorSystem<?> system) {
      return new NodeMetrics(system);
    }
  };

  /** Content type of {@link #scrape()}: the Prometheus text format 0.0.4. */
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  private static final double[] TASK_SECONDS = {0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
      5, 10, 30, 60, 300, 900, 3600};
  private static final double[] WRITE_SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
      0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  private static final double[] BATCH_SIZES = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000};

  public static NodeMetrics get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  private final CounterDataPoint dispatched;
  private final CounterDataPoint succeeded;
  private final CounterDataPoint retried;
  private final CounterDataPoint failed;
  private final DistributionDataPoint runSeconds;
  private final DistributionDataPoint queueWaitSeconds;
  private final DistributionDataPoint journalWriteSeconds;
  private final DistributionDataPoint journalBatch;
  private final CounterDataPoint jobsSubmitted;
  private final Counter jobsFinished;
  private final Gauge jobsByState;
  private final Counter jobCountReads;
  /** System.nanoTime() of the last successful read of the job counts; 0 before the first. */
  private volatile long jobsReadAt;
  private final LongAdder readyTasks = new LongAdder();
  private final LongAdder supervisors = new LongAdder();
  private final LongAdder jobsAtRisk = new LongAdder();
  private final Gauge slots;
  private final Gauge slotsBusy;
  private final Gauge slotsOffered;
  private final Gauge waitingJobs;
  private final Counter scheduleFirings;
  private final CounterDataPoint scheduleMissed;
  private final DistributionDataPoint scheduleLateness;
  private final LongAdder gatewayWorkers = new LongAdder();
  private final LongAdder gatewaySlots = new LongAdder();
  private final LongAdder gatewayBusy = new LongAdder();
  private final Counter gatewayRefused;
  private final Counter gatewayClosed;

  private NodeMetrics(ActorSystem<?> system) {
    dispatched = counter("calcgrid_tasks_dispatched",
        "Task attempts handed to workers by the job supervisors on this node.");
    succeeded = counter("calcgrid_tasks_succeeded",
        "Task attempts that succeeded, as persisted by the job supervisors on this node.");
    retried = counter("calcgrid_tasks_retried",
        "Task attempts that failed and will be retried, as persisted by the supervisors on this node.");
    failed = counter("calcgrid_tasks_failed",
        "Task attempts that failed for good (no attempts left), as persisted by the supervisors on this node.");
    runSeconds = histogram("calcgrid_task_run_seconds",
        "Run time of task attempts on their worker (finishedAt - startedAt), any outcome.",
        TASK_SECONDS);
    queueWaitSeconds = histogram("calcgrid_task_queue_wait_seconds",
        "Time from a task entering its supervisor's ready queue to its dispatch to a worker.",
        TASK_SECONDS);
    journalWriteSeconds = histogram("calcgrid_journal_write_seconds",
        "Time from a supervisor's persist call for a batch of outcomes to the journal's acknowledgement.",
        WRITE_SECONDS);
    journalBatch = histogram("calcgrid_journal_batch_outcomes",
        "Task outcomes carried by one journal write.", BATCH_SIZES);
    jobsSubmitted = counter("calcgrid_jobs_submitted",
        "Jobs whose submission a supervisor on this node persisted.");
    jobsFinished = Counter.builder().name("calcgrid_jobs_finished")
        .help("Jobs that finished while their supervisor ran on this node, by final state.")
        .labelNames("state").withoutExemplars().register(registry);
    jobsByState = Gauge.builder().name("calcgrid_jobs")
        .help("Jobs in the job index by state, read in the background every "
            + "calcgrid.metrics.jobs-refresh (see calcgrid_jobs_age_seconds). The index is shared: "
            + "every node reports the whole cluster's numbers (use max, not sum). Absent when the "
            + "last read failed.")
        .labelNames("state").withoutExemplars().register(registry);
    jobCountReads = Counter.builder().name("calcgrid_jobs_reads")
        .help("Background reads of calcgrid_jobs from the job index, by outcome (ok, failed).")
        .labelNames("outcome").withoutExemplars().register(registry);
    GaugeWithCallback.builder().name("calcgrid_jobs_age_seconds")
        .help("Seconds since calcgrid_jobs was last read from the job index. Absent before the "
            + "first read.")
        .callback(cb -> {
          long at = jobsReadAt;
          if (at != 0) {
            cb.call((System.nanoTime() - at) / 1e9);
          }
        }).register(registry);
    GaugeWithCallback.builder().name("calcgrid_tasks_ready")
        .help("Tasks ready to run and waiting for a slot, including retries waiting out their "
            + "backoff, summed over the job supervisors on this node.")
        .callback(cb -> cb.call(readyTasks.sum())).register(registry);
    GaugeWithCallback.builder().name("calcgrid_job_supervisors")
        .help("Job supervisors in memory on this node (running jobs, and finished ones until they passivate).")
        .callback(cb -> cb.call(supervisors.sum())).register(registry);
    GaugeWithCallback.builder().name("calcgrid_jobs_at_risk")
        .help("Running jobs whose supervisors on this node project them to miss their deadline.")
        .callback(cb -> cb.call(jobsAtRisk.sum())).register(registry);
    slots = gauge("calcgrid_worker_slots", "Slots of this node's worker: tasks that may run at once.");
    slotsBusy = gauge("calcgrid_worker_slots_busy", "Slots of this node's worker running a task.");
    slotsOffered = gauge("calcgrid_worker_slots_offered",
        "Slots of this node's worker lent to a supervisor and not yet answered.");
    waitingJobs = gauge("calcgrid_worker_waiting_jobs",
        "Jobs with ready tasks waiting for an offer from this node's worker.");
    scheduleFirings = Counter.builder().name("calcgrid_schedule_firings")
        .help("Firings decided by the schedules on this node, by outcome: submitted (a job was "
            + "accepted), skipped (overlap), refused (running-jobs limit or invalid graph).")
        .labelNames("outcome").withoutExemplars().register(registry);
    scheduleMissed = counter("calcgrid_schedule_firings_missed",
        "Scheduled firings older than their schedule's catch-up window when it could run them.");
    scheduleLateness = histogram("calcgrid_schedule_lateness_seconds",
        "Time from a firing's scheduled instant to its job's acceptance.", TASK_SECONDS);
    GaugeWithCallback.builder().name("calcgrid_gateway_workers")
        .help("External workers connected to this node's worker gateway (after their hello).")
        .callback(cb -> cb.call(gatewayWorkers.sum())).register(registry);
    GaugeWithCallback.builder().name("calcgrid_gateway_slots")
        .help("Slots declared by the external workers connected to this node.")
        .callback(cb -> cb.call(gatewaySlots.sum())).register(registry);
    GaugeWithCallback.builder().name("calcgrid_gateway_slots_busy")
        .help("Tasks handed to external workers connected to this node and not yet reported.")
        .callback(cb -> cb.call(gatewayBusy.sum())).register(registry);
    gatewayRefused = Counter.builder().name("calcgrid_gateway_reports_refused")
        .help("Reports from external workers that were refused: for a task not handed to that"
            + " connection (unknown), or malformed.")
        .labelNames("reason").withoutExemplars().register(registry);
    gatewayClosed = Counter.builder().name("calcgrid_gateway_connections_closed")
        .help("External worker connections that ended, by reason (peer, heartbeat, protocol,"
            + " too-large, refused, slow-reader).")
        .labelNames("reason").withoutExemplars().register(registry);
    RuntimeMetrics.register(registry, system);
  }

  private Counter counter(String name, String help) {
    return Counter.builder().name(name).help(help).withoutExemplars().register(registry);
  }

  private Histogram histogram(String name, String help, double[] bounds) {
    return Histogram.builder().name(name).help(help).classicOnly().classicUpperBounds(bounds)
        .withoutExemplars().register(registry);
  }

  private Gauge gauge(String name, String help) {
    return Gauge.builder().name(name).help(help).withoutExemplars().register(registry);
  }

  // ---- job supervisors ----

  public void tasksDispatched(int n) {
    if (n > 0) {
      dispatched.inc(n);
    }
  }

  public void taskQueueWait(long nanos) {
    queueWaitSeconds.observe(nanos / 1e9);
  }

  public void taskSucceeded(long runMillis) {
    succeeded.inc();
    runSeconds.observe(runMillis / 1e3);
  }

  public void taskRetried(long runMillis) {
    retried.inc();
    runSeconds.observe(runMillis / 1e3);
  }

  public void taskFailed(long runMillis) {
    failed.inc();
    runSeconds.observe(runMillis / 1e3);
  }

  public void journalWrite(long nanos, int outcomes) {
    journalWriteSeconds.observe(nanos / 1e9);
    journalBatch.observe(outcomes);
  }

  public void jobSubmitted() {
    jobsSubmitted.inc();
  }

  public void jobFinished(String state) {
    jobsFinished.labelValues(state).inc();
  }

  /** A supervisor's count of ready tasks changed by {@code delta}. */
  public void readyTasks(long delta) {
    readyTasks.add(delta);
  }

  /** A supervisor started hosting a job (+1) or stopped (-1). */
  public void supervisors(int delta) {
    supervisors.add(delta);
  }

  public void jobsAtRisk(int delta) {
    jobsAtRisk.add(delta);
  }

  // ---- schedules ----

  /** A firing's job was accepted {@code latenessMillis} after the firing's instant. */
  public void scheduleFired(long latenessMillis) {
    scheduleFirings.labelValues("submitted").inc();
    scheduleLateness.observe(Math.max(0, latenessMillis) / 1e3);
  }

  /** A firing ended without a job: {@code skipped} or {@code refused}. */
  public void scheduleFiring(String outcome) {
    scheduleFirings.labelValues(outcome).inc();
  }

  public void scheduleMissed(long firings) {
    if (firings > 0) {
      scheduleMissed.inc(firings);
    }
  }

  // ---- worker agent ----

  public void workerSlots(int total) {
    slots.set(total);
  }

  public void workerLoad(int busy, int offered, int waiting) {
    slotsBusy.set(busy);
    slotsOffered.set(offered);
    waitingJobs.set(waiting);
  }

  // ---- worker gateway ----

  /** An external worker said hello (+1, its slots) or went away (-1, minus its slots). */
  public void gatewayWorker(int delta, int slots) {
    gatewayWorkers.add(delta);
    gatewaySlots.add((long) delta * slots);
  }

  /** Tasks out on external workers changed by {@code delta}. */
  public void gatewayBusy(int delta) {
    gatewayBusy.add(delta);
  }

  public void gatewayRefused(String reason) {
    gatewayRefused.labelValues(reason).inc();
  }

  public void gatewayClosed(String reason) {
    gatewayClosed.labelValues(reason).inc();
  }

  // ---- job index ----

  /**
   * The job index's counts by state, as read in the background; a state without jobs is 0 even
   * when the read did not list it.
   */
  public void jobsByState(Map<String, Long> counts) {
    for (JobStatus s : JobStatus.values()) {
      jobsByState.labelValues(s.name()).set(counts.getOrDefault(s.name(), 0L));
    }
    jobsReadAt = System.nanoTime();
    jobCountReads.labelValues("ok").inc();
  }

  /** The job index did not answer: report no numbers rather than stale ones. */
  public void jobsByStateUnknown() {
    jobsByState.clear();
    jobCountReads.labelValues("failed").inc();
  }

  /** Every metric of this node in the Prometheus text format. */
  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** For tests and embedding: the registry itself. */
  public PrometheusRegistry registry() {
    return registry;
  }
}
