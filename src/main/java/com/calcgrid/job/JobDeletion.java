package com.calcgrid.job;

import com.calcgrid.job.index.JobIndex;
import com.calcgrid.store.Jdbc;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * Removes a finished job from the database: its snapshots, its journal events, its index row and
 * the idempotency keys that named it. The plugin in use (pekko-persistence-jdbc 1.1) has no
 * cleanup tool, so this deletes the rows of the tables the schema creates, with plain SQL that
 * H2 and PostgreSQL both run.
 *
 * <p>Events go oldest first in batches (calcgrid.retention.events-per-batch), each its own short
 * statement, so the journal's own writes never wait behind one large delete. Snapshots go
 * first: a supervisor that recovers in the middle reads only a tail of events without the
 * submission, which it ignores ({@code JobState.apply}), so the job is already gone to it. The
 * index row goes last, so a purge cut short by a crash stays listed and is finished by the next
 * DELETE or by retention; every step can run again.
 */
public final class JobDeletion {
  private final Jdbc jdbc;
  private final JobIndex index;
  private final int eventsPerBatch;

  /** @param eventsPerBatch calcgrid.retention.events-per-batch */
  public JobDeletion(DataSource db, Executor blocking, Duration callTimeout, JobIndex index,
      int eventsPerBatch) {
    this.jdbc = new Jdbc(db, blocking, callTimeout);
    this.index = index;
    this.eventsPerBatch = eventsPerBatch;
  }

  /** The journal's name for a job's supervisor. */
  static String persistenceId(String jobId) {
    return PersistenceId.of(JobSupervisor.ENTITY_KEY.name(), jobId).id();
  }

  /**
   * Deletes the job's rows. {@code finished}: its supervisor has just said it finished, so its
   * index row goes whatever state the row still shows (the row's own update may be late);
   * otherwise a row still listed RUNNING is kept, as that job's submission may be on its way.
   *
   * @return how many journal events were deleted
   */
  public CompletionStage<Long> purge(String jobId, boolean finished) {
    String pid = persistenceId(jobId);
    return jdbc.run(c -> {
          try (PreparedStatement st = c.prepareStatement(
              "DELETE FROM \"snapshot\" WHERE \"persistence_id\" = ?")) {
            st.setString(1, pid);
            return st.executeUpdate();
          }
        })
        .thenCompose(snapshots -> deleteEvents(pid, 0))
        .thenCompose(events -> jdbc.run(c -> {
          boolean auto = c.getAutoCommit();
          c.setAutoCommit(false);
          try {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM calcgrid_idempotency "
                + "WHERE job_id = ?")) {
              st.setString(1, jobId);
              st.executeUpdate();
            }
            try (PreparedStatement st = c.prepareStatement(finished
                ? "DELETE FROM calcgrid_jobs WHERE id = ?"
                : "DELETE FROM calcgrid_jobs WHERE id = ? AND state <> 'RUNNING'")) {
              st.setString(1, jobId);
              st.executeUpdate();
            }
            c.commit();
          } catch (SQLException e) {
            c.rollback();
            throw e;
          } finally {
            c.setAutoCommit(auto);
          }
          index.uncache(jobId);
          return events;
        }));
  }

  /** One batch, oldest first, then the next, until none is left. */
  private CompletionStage<Long> deleteEvents(String pid, long deleted) {
    return jdbc.run(c -> {
      Long last = null;
      try (PreparedStatement st = c.prepareStatement("SELECT \"sequence_number\" FROM "
          + "\"event_journal\" WHERE \"persistence_id\" = ? ORDER BY \"sequence_number\" "
          + "LIMIT 1 OFFSET ?")) {
        st.setString(1, pid);
        st.setInt(2, eventsPerBatch - 1);
        try (ResultSet rs = st.executeQuery()) {
          if (rs.next()) {
            last = rs.getLong(1);
          }
        }
      }
      // no batch-th event: what is left is the last batch
      try (PreparedStatement st = c.prepareStatement(last == null
          ? "DELETE FROM \"event_journal\" WHERE \"persistence_id\" = ?"
          : "DELETE FROM \"event_journal\" WHERE \"persistence_id\" = ? "
              + "AND \"sequence_number\" <= ?")) {
        st.setString(1, pid);
        if (last != null) {
          st.setLong(2, last);
        }
        return new long[] {st.executeUpdate(), last == null ? 0 : 1};
      }
    }).thenCompose(r -> r[1] == 0 ? CompletableFuture.completedFuture(deleted + r[0])
        : deleteEvents(pid, deleted + r[0]));
  }

  /** Ids of jobs that finished before {@code finishedBefore}, oldest first, at most {@code limit}. */
  public CompletionStage<List<String>> finishedBefore(Instant finishedBefore, int limit) {
    return jdbc.run(c -> {
      try (PreparedStatement st = c.prepareStatement("SELECT id FROM calcgrid_jobs "
          + "WHERE state <> 'RUNNING' AND finished_at < ? ORDER BY finished_at LIMIT ?")) {
        st.setTimestamp(1, Timestamp.from(finishedBefore));
        st.setInt(2, limit);
        List<String> ids = new ArrayList<>();
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getString(1));
          }
        }
        return ids;
      }
    });
  }
}
