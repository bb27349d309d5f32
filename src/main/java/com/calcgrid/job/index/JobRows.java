package com.calcgrid.job.index;

import com.calcgrid.job.JobStatus;
import com.calcgrid.job.ScheduledRun;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * The statements that write and count rows of {@code calcgrid_jobs}, and how their parameters
 * are bound: one place for the table's columns (the schedule's two among them), shared by the
 * index's single writes and by {@link IndexWrites}' group commits.
 */
final class JobRows {
  private JobRows() {}

  static final String LISTED_SQL = "SELECT COUNT(*) FROM calcgrid_jobs WHERE id = ?";
  static final String TENANT_RUNNING_SQL =
      "SELECT COUNT(*) FROM calcgrid_jobs WHERE tenant = ? AND state = ?";
  static final String RUNNING_SQL = "SELECT COUNT(*) FROM calcgrid_jobs WHERE state = ?";
  static final String INSERT_SQL = "INSERT INTO calcgrid_jobs (id, tenant, name, state, "
      + "task_count, submitted_at, schedule_id, scheduled_for) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
  static final String FINISH_SQL =
      "UPDATE calcgrid_jobs SET state = ?, finished_at = ? WHERE id = ? AND state <> ?";

  static int count(Connection c, String sql, String... args) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        st.setString(i + 1, args[i]);
      }
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  static void insert(Connection c, String id, String tenant, String name, int taskCount,
      Instant submittedAt, ScheduledRun scheduled) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(INSERT_SQL)) {
      bindInsert(st, id, tenant, name, taskCount, submittedAt, scheduled);
      st.executeUpdate();
    }
  }

  static void bindInsert(PreparedStatement st, String id, String tenant, String name,
      int taskCount, Instant submittedAt, ScheduledRun scheduled) throws SQLException {
    st.setString(1, id);
    st.setString(2, tenant);
    st.setString(3, name);
    st.setString(4, JobStatus.RUNNING.name());
    st.setInt(5, taskCount);
    st.setTimestamp(6, Timestamp.from(submittedAt));
    st.setString(7, scheduled == null ? null : scheduled.schedule());
    st.setTimestamp(8, scheduled == null ? null : new Timestamp(scheduled.scheduledFor()));
  }

  static void bindFinish(PreparedStatement st, String id, JobStatus state, long finishedAt)
      throws SQLException {
    st.setString(1, state.name());
    st.setTimestamp(2, new Timestamp(finishedAt));
    st.setString(3, id);
    st.setString(4, state.name());
  }
}
