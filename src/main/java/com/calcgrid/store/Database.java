package com.calcgrid.store;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * CalcGrid's own connection pool (the job index and health checks; the journal has its own pool
 * inside pekko-persistence-jdbc) and the schema, applied idempotently at start.
 */
public final class Database implements AutoCloseable {
  private final HikariDataSource pool;
  private final String dialect;

  private Database(HikariDataSource pool, String dialect) {
    this.pool = pool;
    this.dialect = dialect;
  }

  /** Opens a pool for the {@code calcgrid.db} section: url, user, password, pool-size. */
  public static Database open(Config db) {
    String url = db.getString("url");
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(url);
    hc.setUsername(db.getString("user"));
    hc.setPassword(db.getString("password"));
    hc.setMaximumPoolSize(db.getInt("pool-size"));
    hc.setMinimumIdle(1);
    hc.setPoolName("calcgrid-index");
    // fail fast on an unreachable database instead of hanging requests
    hc.setConnectionTimeout(db.getDuration("connection-timeout").toMillis());
    hc.setInitializationFailTimeout(-1);
    return new Database(new HikariDataSource(hc), dialectOf(url));
  }

  public static String dialectOf(String url) {
    if (url.startsWith("jdbc:h2:")) {
      return "h2";
    }
    if (url.startsWith("jdbc:postgresql:")) {
      return "postgres";
    }
    throw new IllegalArgumentException("unsupported database URL '" + url
        + "': CalcGrid runs on H2 (jdbc:h2:...) or PostgreSQL (jdbc:postgresql:...)");
  }

  public javax.sql.DataSource dataSource() {
    return pool;
  }

  public String dialect() {
    return dialect;
  }

  /** Creates whatever tables are missing. Safe to run on every start, from several nodes. */
  public void applySchema() throws SQLException, IOException {
    String sql;
    try (InputStream in = Database.class.getResourceAsStream("/schema/" + dialect + ".sql")) {
      sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
      if (dialect.equals("postgres")) {
        // concurrent CREATE ... IF NOT EXISTS can still collide in PostgreSQL's catalog
        st.execute("SELECT pg_advisory_lock(727274)");
      }
      try {
        for (String stmt : statements(sql)) {
          st.execute(stmt);
        }
      } finally {
        if (dialect.equals("postgres")) {
          st.execute("SELECT pg_advisory_unlock(727274)");
        }
      }
    }
  }

  private static String[] statements(String sql) {
    StringBuilder clean = new StringBuilder();
    for (String line : sql.split("\n")) {
      if (!line.strip().startsWith("--")) {
        clean.append(line).append('\n');
      }
    }
    return java.util.Arrays.stream(clean.toString().split(";"))
        .map(String::strip).filter(s -> !s.isEmpty()).toArray(String[]::new);
  }

  @Override
  public void close() {
    pool.close();
  }
}
