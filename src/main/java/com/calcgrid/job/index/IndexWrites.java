package com.calcgrid.job.index;

import com.calcgrid.job.JobStatus;
import com.calcgrid.job.ScheduledRun;
import com.calcgrid.job.index.JobIndex.Admitted;
import com.calcgrid.job.index.JobIndex.Decision;
import com.calcgrid.store.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Group commit of the index's writes: admissions of new jobs and jobs that finished. Whatever
 * arrives while a transaction is being written goes into the next one, so under load one commit
 * carries many rows instead of one commit per row (on H2 the commit is most of what an index
 * write costs). A caller's stage completes only after its row committed.
 *
 * <p>Finishes are applied before admissions in a transaction, so an admission sees every end
 * queued before it. A finish lost in a crash is written again when the job recovers.
 *
 * <p>A finish does not start a transaction of its own at once: it waits up to
 * {@link #FINISH_DELAY_MS} for an admission (or other finishes) to share one with. Nobody waits
 * on a finish, while small jobs end about as often as they arrive, so this takes most of the
 * index's commits for ended jobs off the node.
 *
 * <p>Admissions are counted exactly against the running-jobs limits, across nodes too: one
 * transaction at a time per node, and on PostgreSQL, which several nodes share, each transaction
 * that admits takes a cluster-wide lock (a transaction-scoped advisory lock) before it counts,
 * so two nodes never both count the same free place. The lock is held for one batch's counting
 * and insert, a few milliseconds, and group commit makes it one lock per batch, not per job.
 * The embedded H2 serves one node, which its own order already makes exact.
 */
final class IndexWrites {
  /** Rows per transaction at most, so that one transaction stays short. */
  static final int MAX_BATCH = 500;
  /** How long a finish may wait for company before it is written alone. */
  static final long FINISH_DELAY_MS = 20;

  private sealed interface Write {}

  private record Admit(String id, String tenant, String name, int taskCount,
      Instant submittedAt, int maxRunningPerTenant, int maxRunning, ScheduledRun scheduled,
      CompletableFuture<Decision> done) implements Write {}

  private record Finish(String id, JobStatus state, long finishedAt,
      CompletableFuture<Void> done) implements Write {}

  private final DataSource db;
  private final Executor blocking;
  /** A caller's stage fails after this; its write is dropped if it has not started yet. */
  private final Duration callTimeout;
  private final Object lock = new Object();
  private List<Write> pending = new ArrayList<>();
  private boolean writing;
  /** A timer will write the pending finishes if nothing else does first. */
  private boolean finishTimer;
  /** The next batch is written even if it holds only finishes: they have waited their delay. */
  private boolean finishesDue;

  IndexWrites(DataSource db, Executor blocking, Duration callTimeout) {
    this.db = db;
    this.blocking = blocking;
    this.callTimeout = callTimeout;
  }

  CompletionStage<Decision> admit(String id, String tenant, String name, int taskCount,
      Instant submittedAt, int maxRunningPerTenant, int maxRunning, ScheduledRun scheduled) {
    CompletableFuture<Decision> done = new CompletableFuture<>();
    enqueue(new Admit(id, tenant, name, taskCount, submittedAt, maxRunningPerTenant, maxRunning,
        scheduled, done));
    // a slow database answers the submission with 503 in time; the admission is then dropped
    // from any batch not yet written (see expired), as nobody waits for it any more
    done.orTimeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
    return Jdbc.withDeadline(done, callTimeout);
  }

  CompletionStage<Void> finished(String id, JobStatus state, long finishedAt) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    enqueue(new Finish(id, state, finishedAt, done));
    return done;
  }

  /**
   * An admission starts a transaction at once if none is running; a finish waits for company,
   * at most {@link #FINISH_DELAY_MS}.
   */
  private void enqueue(Write w) {
    boolean now = w instanceof Admit;
    synchronized (lock) {
      pending.add(w);
      if (writing || (!now && finishTimer)) {
        return;
      }
      if (!now) {
        finishTimer = true;
      } else {
        writing = true;
      }
    }
    if (now) {
      startDrain();
    } else {
      armFinishTimer();
    }
  }

  private void armFinishTimer() {
    CompletableFuture.delayedExecutor(FINISH_DELAY_MS, TimeUnit.MILLISECONDS)
        .execute(this::finishDelayOver);
  }

  /** Writes the finishes that found no company, unless a transaction already took them. */
  private void finishDelayOver() {
    synchronized (lock) {
      finishTimer = false;
      if (writing || pending.isEmpty()) {
        return;
      }
      writing = true;
      finishesDue = true;
    }
    startDrain();
  }

  private void startDrain() {
    try {
      blocking.execute(this::drain);
    } catch (RuntimeException e) {
      // the executor is shut down: nothing will write, so say so to everyone waiting
      List<Write> lost;
      synchronized (lock) {
        lost = pending;
        pending = new ArrayList<>();
        writing = false;
      }
      lost.forEach(x -> fail(x, e));
    }
  }

  /**
   * Writes batches until nothing is pending, or only a few finishes that have not waited their
   * delay yet; only one drain runs at a time.
   */
  private void drain() {
    while (true) {
      List<Write> batch;
      boolean arm = false;
      synchronized (lock) {
        // finishes alone wait for company, unless they have waited already or fill a batch
        if (pending.isEmpty()
            || (!finishesDue && pending.size() < MAX_BATCH && onlyFinishes(pending))) {
          writing = false;
          arm = !pending.isEmpty() && !finishTimer;
          finishTimer |= arm;
          batch = null;
        } else if (pending.size() <= MAX_BATCH) {
          batch = pending;
          pending = new ArrayList<>();
        } else {
          batch = new ArrayList<>(pending.subList(0, MAX_BATCH));
          pending = new ArrayList<>(pending.subList(MAX_BATCH, pending.size()));
        }
        finishesDue = false;
      }
      if (batch == null) {
        if (arm) {
          armFinishTimer();
        }
        return;
      }
      write(batch);
    }
  }

  private static boolean onlyFinishes(List<Write> writes) {
    for (Write w : writes) {
      if (!(w instanceof Finish)) {
        return false;
      }
    }
    return true;
  }

  private void write(List<Write> batch) {
    try (Connection c = db.getConnection()) {
      try {
        writeTogether(c, batch);
      } catch (SQLException | RuntimeException e) {
        // one bad row (a job listed at the same moment by another node, say) must not fail the
        // others: write each on its own, as if nobody else had been waiting
        for (Write w : batch) {
          writeAlone(c, w);
        }
      }
    } catch (SQLException | RuntimeException e) {
      // no connection (the database is down): everyone hears it now, nobody waits for a retry
      batch.forEach(w -> fail(w, e));
    }
  }

  private static void writeTogether(Connection c, List<Write> batch) throws SQLException {
    List<Runnable> replies = new ArrayList<>(batch.size());
    c.setAutoCommit(false);
    try {
      // finishes first: a job that ended makes room for the admissions of the same batch
      finishAll(c, batch, replies);
      admitAll(c, batch, replies);
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
    replies.forEach(Runnable::run);
  }

  private static void finishAll(Connection c, List<Write> batch, List<Runnable> replies)
      throws SQLException {
    try (PreparedStatement st = c.prepareStatement(JobRows.FINISH_SQL)) {
      int rows = 0;
      for (Write w : batch) {
        if (w instanceof Finish f) {
          JobRows.bindFinish(st, f.id(), f.state(), f.finishedAt());
          st.addBatch();
          rows++;
          replies.add(() -> f.done().complete(null));
        }
      }
      if (rows > 0) {
        st.executeBatch();
      }
    }
  }

  private static void admitAll(Connection c, List<Write> batch, List<Runnable> replies)
      throws SQLException {
    if (batch.stream().noneMatch(w -> w instanceof Admit)) {
      return;
    }
    lockAdmissions(c);
    RunningCounts counts = new RunningCounts(c);
    Set<String> listedNow = new HashSet<>();
    try (PreparedStatement insert = c.prepareStatement(JobRows.INSERT_SQL)) {
      int rows = 0;
      for (Write w : batch) {
        if (!(w instanceof Admit a) || expired(a)) {
          continue;
        }
        Decision d = decide(a, listedNow.contains(a.id()) || isListed(c, a), counts);
        if (d.outcome() == Admitted.ADMITTED) {
          JobRows.bindInsert(insert, a.id(), a.tenant(), a.name(), a.taskCount(),
              a.submittedAt(), a.scheduled());
          insert.addBatch();
          rows++;
          listedNow.add(a.id());
          counts.admitted(a.tenant());
        }
        replies.add(() -> a.done().complete(d));
      }
      if (rows > 0) {
        insert.executeBatch();
      }
    }
  }

  /**
   * Whether the job may be listed: not when it already is, nor when its tenant or the cluster
   * runs as many jobs as allowed. The one rule for a batch and for a row written alone.
   */
  private static Decision decide(Admit a, boolean listed, RunningCounts counts)
      throws SQLException {
    if (listed) {
      return new Decision(Admitted.ALREADY_LISTED, 0, a.maxRunningPerTenant());
    }
    int tenant = counts.tenant(a.tenant());
    if (tenant >= a.maxRunningPerTenant()) {
      return new Decision(Admitted.TENANT_FULL, tenant, a.maxRunningPerTenant());
    }
    int running = counts.all();
    if (running >= a.maxRunning()) {
      return new Decision(Admitted.CLUSTER_FULL, running, a.maxRunning());
    }
    return new Decision(Admitted.ADMITTED, tenant, a.maxRunningPerTenant());
  }

  /** Its caller was answered already (the deadline passed): listing it now would orphan a row. */
  private static boolean expired(Admit a) {
    return a.done().isDone();
  }

  private static boolean isListed(Connection c, Admit a) throws SQLException {
    return JobRows.count(c, JobRows.LISTED_SQL, a.id()) > 0;
  }

  /** Running jobs, counted once per transaction and kept up to date as rows are admitted. */
  private static final class RunningCounts {
    private final Connection c;
    private final Map<String, Integer> byTenant = new HashMap<>();
    private Integer all;

    RunningCounts(Connection c) {
      this.c = c;
    }

    int tenant(String tenant) throws SQLException {
      Integer n = byTenant.get(tenant);
      if (n == null) {
        n = JobRows.count(c, JobRows.TENANT_RUNNING_SQL, tenant, JobStatus.RUNNING.name());
        byTenant.put(tenant, n);
      }
      return n;
    }

    int all() throws SQLException {
      if (all == null) {
        all = JobRows.count(c, JobRows.RUNNING_SQL, JobStatus.RUNNING.name());
      }
      return all;
    }

    void admitted(String tenant) throws SQLException {
      byTenant.put(tenant, tenant(tenant) + 1);
      all = all() + 1;
    }
  }

  private static void writeAlone(Connection c, Write w) {
    try {
      if (w instanceof Admit a) {
        if (!expired(a)) {
          a.done().complete(admitAlone(c, a));
        }
      } else if (w instanceof Finish f) {
        try (PreparedStatement st = c.prepareStatement(JobRows.FINISH_SQL)) {
          JobRows.bindFinish(st, f.id(), f.state(), f.finishedAt());
          st.executeUpdate();
        }
        f.done().complete(null);
      }
    } catch (SQLException | RuntimeException e) {
      fail(w, e);
    }
  }

  /** One admission in a transaction of its own, counted under the same lock. */
  private static Decision admitAlone(Connection c, Admit a) throws SQLException {
    c.setAutoCommit(false);
    try {
      lockAdmissions(c);
      Decision d = decide(a, isListed(c, a), new RunningCounts(c));
      if (d.outcome() == Admitted.ADMITTED) {
        JobRows.insert(c, a.id(), a.tenant(), a.name(), a.taskCount(), a.submittedAt(),
            a.scheduled());
      }
      c.commit();
      return d;
    } catch (SQLException e) {
      c.rollback();
      if (Jdbc.UNIQUE_VIOLATION.equals(e.getSQLState())) {
        // listed at the same moment by another node
        return new Decision(Admitted.ALREADY_LISTED, 0, a.maxRunningPerTenant());
      }
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** Any number that no other advisory lock of the database uses. */
  private static final long ADMISSION_LOCK = 0x43616c6347726964L; // "CalcGrid"

  /** On PostgreSQL, waits for the cluster-wide admission lock, held until the transaction ends. */
  private static void lockAdmissions(Connection c) throws SQLException {
    if (!"PostgreSQL".equals(c.getMetaData().getDatabaseProductName())) {
      return;
    }
    try (PreparedStatement st = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
      st.setLong(1, ADMISSION_LOCK);
      st.execute();
    }
  }

  private static void fail(Write w, Throwable e) {
    if (w instanceof Admit a) {
      a.done().completeExceptionally(e);
    } else if (w instanceof Finish f) {
      f.done().completeExceptionally(e);
    }
  }
}
