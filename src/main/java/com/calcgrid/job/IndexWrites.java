package com.calcgrid.job;

import com.calcgrid.job.JobIndex.Admitted;
import com.calcgrid.job.JobIndex.Decision;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
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
 * <p>One transaction at a time per node also means admissions on one node are counted exactly
 * against the running-jobs limits, not just approximately.
 */
final class IndexWrites {
  /** Rows per transaction at most, so that one transaction stays short. */
  static final int MAX_BATCH = 500;

  private sealed interface Write {}

  private record Admit(String id, String tenant, String name, int taskCount,
      Instant submittedAt, int maxRunningPerTenant, int maxRunning,
      CompletableFuture<Decision> done) implements Write {}

  private record Finish(String id, JobStatus state, long finishedAt,
      CompletableFuture<Void> done) implements Write {}

  private final DataSource db;
  private final Executor blocking;
  private final Object lock = new Object();
  private List<Write> pending = new ArrayList<>();
  private boolean writing;

  IndexWrites(DataSource db, Executor blocking) {
    this.db = db;
    this.blocking = blocking;
  }

  CompletionStage<Decision> admit(String id, String tenant, String name, int taskCount,
      Instant submittedAt, int maxRunningPerTenant, int maxRunning) {
    CompletableFuture<Decision> done = new CompletableFuture<>();
    enqueue(new Admit(id, tenant, name, taskCount, submittedAt, maxRunningPerTenant, maxRunning,
        done));
    return done;
  }

  CompletionStage<Void> finished(String id, JobStatus state, long finishedAt) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    enqueue(new Finish(id, state, finishedAt, done));
    return done;
  }

  private void enqueue(Write w) {
    boolean start;
    synchronized (lock) {
      pending.add(w);
      start = !writing;
      writing = true;
    }
    if (!start) {
      return;
    }
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

  /** Writes batches until nothing is pending; only one drain runs at a time. */
  private void drain() {
    while (true) {
      List<Write> batch;
      synchronized (lock) {
        if (pending.isEmpty()) {
          writing = false;
          return;
        }
        if (pending.size() <= MAX_BATCH) {
          batch = pending;
          pending = new ArrayList<>();
        } else {
          batch = new ArrayList<>(pending.subList(0, MAX_BATCH));
          pending = new ArrayList<>(pending.subList(MAX_BATCH, pending.size()));
        }
      }
      write(batch);
    }
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
    try (PreparedStatement st = c.prepareStatement(JobIndex.FINISH_SQL)) {
      int rows = 0;
      for (Write w : batch) {
        if (w instanceof Finish f) {
          JobIndex.bindFinish(st, f.id(), f.state(), f.finishedAt());
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
    Integer running = null;
    Map<String, Integer> tenantRunning = new HashMap<>();
    Set<String> listedNow = new HashSet<>();
    try (PreparedStatement insert = c.prepareStatement(JobIndex.INSERT_SQL)) {
      int rows = 0;
      for (Write w : batch) {
        if (!(w instanceof Admit a)) {
          continue;
        }
        Decision d;
        if (listedNow.contains(a.id()) || JobIndex.count(c, JobIndex.LISTED_SQL, a.id()) > 0) {
          d = new Decision(Admitted.ALREADY_LISTED, 0, a.maxRunningPerTenant());
        } else {
          int tenant = tenantRunning.containsKey(a.tenant()) ? tenantRunning.get(a.tenant())
              : JobIndex.count(c, JobIndex.TENANT_RUNNING_SQL, a.tenant(),
                  JobStatus.RUNNING.name());
          tenantRunning.put(a.tenant(), tenant);
          if (running == null) {
            running = JobIndex.count(c, JobIndex.RUNNING_SQL, JobStatus.RUNNING.name());
          }
          if (tenant >= a.maxRunningPerTenant()) {
            d = new Decision(Admitted.TENANT_FULL, tenant, a.maxRunningPerTenant());
          } else if (running >= a.maxRunning()) {
            d = new Decision(Admitted.CLUSTER_FULL, running, a.maxRunning());
          } else {
            JobIndex.bindInsert(insert, a.id(), a.tenant(), a.name(), a.taskCount(),
                a.submittedAt());
            insert.addBatch();
            rows++;
            listedNow.add(a.id());
            tenantRunning.put(a.tenant(), tenant + 1);
            running++;
            d = new Decision(Admitted.ADMITTED, tenant, a.maxRunningPerTenant());
          }
        }
        Decision decided = d;
        replies.add(() -> a.done().complete(decided));
      }
      if (rows > 0) {
        insert.executeBatch();
      }
    }
  }

  private static void writeAlone(Connection c, Write w) {
    try {
      if (w instanceof Admit a) {
        a.done().complete(JobIndex.admitAlone(c, a.id(), a.tenant(), a.name(), a.taskCount(),
            a.submittedAt(), a.maxRunningPerTenant(), a.maxRunning()));
      } else if (w instanceof Finish f) {
        try (PreparedStatement st = c.prepareStatement(JobIndex.FINISH_SQL)) {
          JobIndex.bindFinish(st, f.id(), f.state(), f.finishedAt());
          st.executeUpdate();
        }
        f.done().complete(null);
      }
    } catch (SQLException | RuntimeException e) {
      fail(w, e);
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
