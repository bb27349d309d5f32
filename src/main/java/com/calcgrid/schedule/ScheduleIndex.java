package com.calcgrid.schedule;

import com.calcgrid.store.Jdbc;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * The directory of schedules (table {@code calcgrid_schedules}): for listing a tenant's
 * schedules, counting them against the tenant's limit, and waking every schedule when a node
 * starts. Each schedule's journal is the truth; its entity writes its row after each change and
 * again whenever it recovers, so a lost write is repaired.
 */
public final class ScheduleIndex {
  /** One row. */
  public record Row(String id, String tenant, String name, String cron, String timeZone,
      String overlap, boolean paused, Instant createdAt) {}

  /** A page of a tenant's schedules, oldest first. */
  public record Page(List<Row> schedules, int offset, int limit, boolean more) {}

  private final Jdbc jdbc;

  public ScheduleIndex(DataSource db, Executor blocking) {
    this.jdbc = new Jdbc(db, blocking);
  }

  /** Writes the row, replacing what was there. */
  public CompletionStage<Void> put(Row row) {
    return jdbc.run(c -> {
      try (PreparedStatement up = c.prepareStatement("UPDATE calcgrid_schedules SET name = ?, "
          + "cron = ?, time_zone = ?, overlap = ?, paused = ? WHERE id = ?")) {
        up.setString(1, row.name());
        up.setString(2, row.cron());
        up.setString(3, row.timeZone());
        up.setString(4, row.overlap());
        up.setBoolean(5, row.paused());
        up.setString(6, row.id());
        if (up.executeUpdate() > 0) {
          return null;
        }
      }
      try (PreparedStatement in = c.prepareStatement("INSERT INTO calcgrid_schedules (id, "
          + "tenant, name, cron, time_zone, overlap, paused, created_at) "
          + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        in.setString(1, row.id());
        in.setString(2, row.tenant());
        in.setString(3, row.name());
        in.setString(4, row.cron());
        in.setString(5, row.timeZone());
        in.setString(6, row.overlap());
        in.setBoolean(7, row.paused());
        in.setTimestamp(8, Timestamp.from(row.createdAt()));
        in.executeUpdate();
      } catch (SQLException e) {
        // written at the same moment by the schedule's previous incarnation: theirs stands
        if (!"23505".equals(e.getSQLState())) {
          throw e;
        }
      }
      return null;
    });
  }

  public CompletionStage<Void> remove(String id) {
    return jdbc.run(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "DELETE FROM calcgrid_schedules WHERE id = ?")) {
        st.setString(1, id);
        st.executeUpdate();
      }
      return null;
    });
  }

  /** How many schedules the tenant has. */
  public CompletionStage<Integer> count(String tenant) {
    return jdbc.run(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "SELECT COUNT(*) FROM calcgrid_schedules WHERE tenant = ?")) {
        st.setString(1, tenant);
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          return rs.getInt(1);
        }
      }
    });
  }

  /** Oldest first; {@code tenant} null lists every tenant's. */
  public CompletionStage<Page> list(String tenant, int offset, int limit) {
    return jdbc.run(c -> {
      String where = tenant == null ? "" : " WHERE tenant = ?";
      try (PreparedStatement st = c.prepareStatement("SELECT id, tenant, name, cron, "
          + "time_zone, overlap, paused, created_at FROM calcgrid_schedules" + where
          + " ORDER BY created_at, id LIMIT ? OFFSET ?")) {
        int p = 1;
        if (tenant != null) {
          st.setString(p++, tenant);
        }
        st.setInt(p++, limit + 1);
        st.setInt(p, offset);
        List<Row> rows = new ArrayList<>();
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getString(4), rs.getString(5), rs.getString(6), rs.getBoolean(7),
                rs.getTimestamp(8).toInstant()));
          }
        }
        boolean more = rows.size() > limit;
        return new Page(more ? rows.subList(0, limit) : rows, offset, limit, more);
      }
    });
  }

  /** Every schedule's id, for waking them at start. */
  public CompletionStage<List<String>> ids() {
    return jdbc.run(c -> {
      try (PreparedStatement st = c.prepareStatement("SELECT id FROM calcgrid_schedules");
          ResultSet rs = st.executeQuery()) {
        List<String> ids = new ArrayList<>();
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
        return ids;
      }
    });
  }

  static Row rowOf(ScheduleState s) {
    ScheduleSpec spec = s.spec();
    return new Row(s.id(), s.tenant(), spec.name(), spec.cron(), spec.timeZone(),
        spec.overlap().wire(), s.paused(), s.createdAt());
  }
}
