package com.calcgrid.job.index;

import com.calcgrid.job.JobStatus;
import com.calcgrid.job.ScheduledRun;
import com.calcgrid.store.Jdbc;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The list of jobs, for listing and for waking unfinished jobs after a restart. A job's journal
 * is the truth; this table is a directory of it. A row is written before the submission reaches
 * the journal, so no acknowledged job is missing from it; a row whose submission never arrived
 * is removed when the job is woken and found empty.
 */
public final class JobIndex {
  private static final Logger log = LoggerFactory.getLogger(JobIndex.class);

  /**
   * One row of the listing. {@code schedule} and {@code scheduledFor} name the schedule's firing
   * that started the job; both are null for other jobs.
   */
  public record Entry(String id, String tenant, String name, JobStatus state, int taskCount,
      Instant submittedAt, Instant finishedAt, String schedule, Instant scheduledFor) {}

  /** A page of the listing, newest first. */
  public record Page(List<Entry> jobs, int offset, int limit, boolean more) {}

  /** Ids found by {@link #tenantOf}, least recently asked first; at most this many. */
  private static final int KNOWN_TENANTS = 10_000;

  private final Jdbc jdbc;
  private final IndexWrites writes;
  private final Map<String, String> knownTenants = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > KNOWN_TENANTS;
    }
  };

  public JobIndex(DataSource db, Executor blocking) {
    this(db, blocking, Jdbc.DEFAULT_TIMEOUT);
  }

  /**
   * @param callTimeout the longest a caller waits for any read or write of the index; then its
   *     stage fails with a TimeoutException (calcgrid.db.call-timeout)
   */
  public JobIndex(DataSource db, Executor blocking, Duration callTimeout) {
    this.jdbc = new Jdbc(db, blocking, callTimeout);
    this.writes = new IndexWrites(db, blocking, callTimeout);
  }

  /** How {@link #admit} decided. {@code running} is the count that was over its limit. */
  public enum Admitted { ADMITTED, ALREADY_LISTED, TENANT_FULL, CLUSTER_FULL }

  /** The decision of {@link #admit}, with the count that decided it. */
  public record Decision(Admitted outcome, int running, int limit) {}

  /**
   * Lists a new job unless its tenant or the whole cluster already runs as many jobs as they
   * may. Counts come from this table, which every node shares, and are taken under a
   * cluster-wide lock (see {@link IndexWrites}), so the limits hold exactly across nodes. A job
   * whose id is already listed (an idempotent retry)
   * is {@link Admitted#ALREADY_LISTED} and not counted. Admissions arriving together are
   * committed together (see {@link IndexWrites}); the stage completes once the row is durable.
   */
  public CompletionStage<Decision> admit(String id, String tenant, String name, int taskCount,
      Instant submittedAt, int maxRunningPerTenant, int maxRunning) {
    return admit(id, tenant, name, taskCount, submittedAt, maxRunningPerTenant, maxRunning, null);
  }

  /** As above, for a job that a schedule's firing ({@code scheduled}, may be null) starts. */
  public CompletionStage<Decision> admit(String id, String tenant, String name, int taskCount,
      Instant submittedAt, int maxRunningPerTenant, int maxRunning, ScheduledRun scheduled) {
    return writes.admit(id, tenant, name, taskCount, submittedAt, maxRunningPerTenant,
        maxRunning, scheduled);
  }

  /**
   * Best effort: a lost update is repaired when the job next recovers. Jobs finishing together
   * are committed together, with the admissions of the moment.
   */
  public CompletionStage<Void> recordFinished(String id, JobStatus state, long finishedAt) {
    return writes.finished(id, state, finishedAt).exceptionally(e -> {
      log.warn("could not record job {} as {}: {}", id, state, e.toString());
      return null;
    });
  }

  /**
   * Removes a job listed as running but submitted before {@code submittedBefore}: one whose
   * submission never reached the journal. A younger row is left alone, as its submission may
   * still be on its way to the supervisor.
   */
  public CompletionStage<Void> forget(String id, Instant submittedBefore) {
    synchronized (knownTenants) {
      knownTenants.remove(id);
    }
    return jdbc.run(c -> {
      try (PreparedStatement st = c.prepareStatement("DELETE FROM calcgrid_jobs WHERE id = ? "
          + "AND state = ? AND submitted_at < ?")) {
        st.setString(1, id);
        st.setString(2, JobStatus.RUNNING.name());
        st.setTimestamp(3, Timestamp.from(submittedBefore));
        st.executeUpdate();
      }
      return null;
    });
  }

  /** Forgets what {@link #tenantOf} remembered of a job that was deleted. */
  public void uncache(String id) {
    synchronized (knownTenants) {
      knownTenants.remove(id);
    }
  }

  /**
   * The tenant of a listed job, empty when no job has this id. A job is listed before it is
   * acknowledged ({@link #admit} completes once its row is durable), so a job a client was told
   * about is always found. Found ids are remembered (a job's id and tenant never change); ids
   * not found are asked again, as they may be listed a moment later.
   */
  public CompletionStage<Optional<String>> tenantOf(String id) {
    String known;
    synchronized (knownTenants) {
      known = knownTenants.get(id);
    }
    if (known != null) {
      return CompletableFuture.completedFuture(Optional.of(known));
    }
    return jdbc.run(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "SELECT tenant FROM calcgrid_jobs WHERE id = ?")) {
        st.setString(1, id);
        try (ResultSet rs = st.executeQuery()) {
          if (!rs.next()) {
            return Optional.<String>empty();
          }
          String tenant = rs.getString(1);
          synchronized (knownTenants) {
            knownTenants.put(id, tenant);
          }
          return Optional.of(tenant);
        }
      }
    });
  }

  /** Newest first; {@code tenant} and {@code state} are optional filters. */
  public CompletionStage<Page> list(String tenant, JobStatus state, int offset, int limit) {
    return list(tenant, state, null, null, offset, limit);
  }

  /**
   * Newest first; {@code tenant}, {@code state}, {@code nameContains} (a substring of the job's
   * name, any case) and {@code schedule} are optional filters.
   */
  public CompletionStage<Page> list(String tenant, JobStatus state, String nameContains,
      String schedule, int offset, int limit) {
    return jdbc.run(c -> {
      StringBuilder sql = new StringBuilder("SELECT id, tenant, name, state, task_count, "
          + "submitted_at, finished_at, schedule_id, scheduled_for FROM calcgrid_jobs "
          + "WHERE 1 = 1");
      List<String> args = new ArrayList<>();
      if (tenant != null) {
        sql.append(" AND tenant = ?");
        args.add(tenant);
      }
      if (state != null) {
        sql.append(" AND state = ?");
        args.add(state.name());
      }
      if (nameContains != null) {
        sql.append(" AND LOWER(name) LIKE ? ESCAPE '!'");
        args.add("%" + nameContains.toLowerCase(java.util.Locale.ROOT)
            .replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
      }
      if (schedule != null) {
        sql.append(" AND schedule_id = ?");
        args.add(schedule);
      }
      sql.append(" ORDER BY submitted_at DESC, id LIMIT ? OFFSET ?");
      try (PreparedStatement st = c.prepareStatement(sql.toString())) {
        int p = 1;
        for (String a : args) {
          st.setString(p++, a);
        }
        st.setInt(p++, limit + 1);
        st.setInt(p, offset);
        List<Entry> rows = new ArrayList<>();
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            Timestamp fin = rs.getTimestamp(7);
            Timestamp scheduledFor = rs.getTimestamp(9);
            rows.add(new Entry(rs.getString(1), rs.getString(2), rs.getString(3),
                JobStatus.valueOf(rs.getString(4)), rs.getInt(5),
                rs.getTimestamp(6).toInstant(), fin == null ? null : fin.toInstant(),
                rs.getString(8), scheduledFor == null ? null : scheduledFor.toInstant()));
          }
        }
        boolean more = rows.size() > limit;
        return new Page(more ? rows.subList(0, limit) : rows, offset, limit, more);
      }
    });
  }

  /** The listed state of each of {@code ids} that is listed (at most a few hundred ids). */
  public CompletionStage<Map<String, JobStatus>> states(List<String> ids) {
    if (ids.isEmpty()) {
      return java.util.concurrent.CompletableFuture.completedFuture(Map.of());
    }
    return jdbc.run(c -> {
      String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
      try (PreparedStatement st = c.prepareStatement(
          "SELECT id, state FROM calcgrid_jobs WHERE id IN (" + marks + ")")) {
        for (int i = 0; i < ids.size(); i++) {
          st.setString(i + 1, ids.get(i));
        }
        Map<String, JobStatus> states = new java.util.HashMap<>();
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            states.put(rs.getString(1), JobStatus.valueOf(rs.getString(2)));
          }
        }
        return states;
      }
    });
  }

  /** Ids of jobs not known to have finished, for waking at start. */
  public CompletionStage<List<String>> unfinished() {
    return jdbc.run(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "SELECT id FROM calcgrid_jobs WHERE state = ? ORDER BY submitted_at")) {
        st.setString(1, JobStatus.RUNNING.name());
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

  /** How many jobs the index holds in each state; every state is present, 0 when none. */
  public CompletionStage<Map<JobStatus, Long>> countByState() {
    return jdbc.run(c -> {
      Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
      for (JobStatus s : JobStatus.values()) {
        counts.put(s, 0L);
      }
      try (PreparedStatement st = c.prepareStatement(
          "SELECT state, COUNT(*) FROM calcgrid_jobs GROUP BY state");
          ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          counts.put(JobStatus.valueOf(rs.getString(1)), rs.getLong(2));
        }
      }
      return counts;
    });
  }

  /** True when the database answers a trivial query. */
  public CompletionStage<Boolean> ping() {
    return jdbc.run(c -> {
      try (PreparedStatement st = c.prepareStatement("SELECT 1")) {
        st.executeQuery().close();
        return true;
      }
    });
  }
}
