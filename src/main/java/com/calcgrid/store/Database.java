package com.calcgrid.store;

import com.calcgrid.store.DatabaseSettings.Dialect;
import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CalcGrid's own connection pools (the job index, idempotency keys and health checks; the
 * journal has its own pool inside pekko-persistence-jdbc) and the schema, applied idempotently
 * at start.
 *
 * <p>Two pools: the main one serves requests; a background one of a single connection serves
 * periodic reads (the metrics' job counts), so those never take a connection from a submission.
 * Every connection carries the timeouts of {@link DatabaseSettings}.
 */
public final class Database implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Database.class);
  /** How often a starting node says that it is still waiting for the database. */
  private static final long WAIT_LOG_NANOS = 10_000_000_000L;

  private final DatabaseSettings settings;
  private final HikariDataSource pool;
  private final HikariDataSource background;

  private Database(DatabaseSettings settings, HikariDataSource pool, HikariDataSource background) {
    this.settings = settings;
    this.pool = pool;
    this.background = background;
  }

  /** Opens the pools for a {@code calcgrid.db} section (see {@link DatabaseSettings}). */
  public static Database open(Config db) {
    return open(DatabaseSettings.fromConfig(db));
  }

  /**
   * Opens the pools without connecting: they connect on first use, so a database that is still
   * starting does not fail this call ({@link #awaitSchema} waits for it).
   */
  public static Database open(DatabaseSettings s) {
    return new Database(s, pool(s, "calcgrid-index", s.poolSize(), 1),
        pool(s, "calcgrid-background", 1, 0));
  }

  private static HikariDataSource pool(DatabaseSettings s, String name, int size, int minIdle) {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(s.url());
    hc.setDriverClassName(s.dialect().driver);
    hc.setUsername(s.user());
    hc.setPassword(s.password());
    hc.setMaximumPoolSize(size);
    hc.setMinimumIdle(minIdle);
    hc.setPoolName(name);
    // a request waits this long for a connection, then fails, instead of hanging
    hc.setConnectionTimeout(s.connectionTimeout().toMillis());
    hc.setValidationTimeout(s.validationTimeout().toMillis());
    hc.setConnectionInitSql(s.connectionInitSql());
    hc.setDataSourceProperties(s.driverProperties());
    hc.setInitializationFailTimeout(-1);
    return new HikariDataSource(hc);
  }

  /** "h2" or "postgres". */
  public static String dialectOf(String url) {
    return Dialect.of(url).id;
  }

  /** The pool of requests. */
  public DataSource dataSource() {
    return pool;
  }

  /** The single-connection pool of periodic background reads. */
  public DataSource background() {
    return background;
  }

  public DatabaseSettings settings() {
    return settings;
  }

  public String dialect() {
    return settings.dialect().id;
  }

  /**
   * Waits until the database answers, at most {@code startup-timeout}, and applies the schema.
   * Only a database that cannot be reached is waited for (containers start together); wrong
   * credentials, a missing database or any other refusal fail at once.
   *
   * @throws DatabaseUnusableException with one line that says what is wrong
   */
  public void awaitSchema() {
    Duration timeout = settings.startupTimeout();
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    long lastLog = 0;
    while (true) {
      try (Connection c = connectDirectly()) {
        applySchema(c);
        return;
      } catch (SQLException e) {
        if (!unreachable(e)) {
          throw new DatabaseUnusableException(refusal(e), e);
        }
        long now = System.nanoTime();
        if (now > deadline) {
          throw new DatabaseUnusableException("the database at " + settings.safeUrl()
              + " (CALCGRID_DB_URL) did not answer within " + human(timeout)
              + " (calcgrid.db.startup-timeout, CALCGRID_DB_STARTUP_TIMEOUT): "
              + oneLine(e.getMessage()), e);
        }
        if (lastLog == 0 || now - lastLog > WAIT_LOG_NANOS) {
          log.warn("database at {} not reachable yet ({}); waiting up to {}", settings.safeUrl(),
              oneLine(e.getMessage()), human(timeout));
          lastLog = now;
        }
        sleepQuietly(Math.min(1000, Math.max(0, (deadline - now) / 1_000_000)));
      } catch (IOException e) {
        throw new IllegalStateException("the schema file is missing from the jar", e);
      }
    }
  }

  /** A connection of its own, outside the pools: its failure carries the driver's own reason. */
  private Connection connectDirectly() throws SQLException {
    Properties p = settings.driverProperties();
    p.setProperty("user", settings.user());
    p.setProperty("password", settings.password());
    Connection c = DriverManager.getConnection(settings.url(), p);
    try (Statement st = c.createStatement()) {
      st.execute(settings.connectionInitSql());
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /**
   * Worth waiting for: the server cannot be reached (SQLSTATE class 08), is starting up
   * (57P03), has no connection to spare (53300), or an embedded database file is still held by
   * a process that is stopping (H2's 90020).
   */
  static boolean unreachable(SQLException e) {
    String state = e.getSQLState();
    if (e instanceof SQLTransientException) {
      return true;
    }
    return state != null && (state.startsWith("08") || state.equals("57P03")
        || state.equals("53300") || state.equals("90020"));
  }

  private String refusal(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String hint;
    if (state.startsWith("28")) {
      hint = "check CALCGRID_DB_USER and CALCGRID_DB_PASSWORD";
    } else if (state.equals("3D000")) {
      hint = "create the database or name an existing one in CALCGRID_DB_URL";
    } else if (state.startsWith("42")) {
      hint = "the user needs the right to create and use CalcGrid's tables";
    } else {
      hint = "check CALCGRID_DB_URL, CALCGRID_DB_USER and CALCGRID_DB_PASSWORD";
    }
    return "cannot use the database at " + settings.safeUrl() + " as user '" + settings.user()
        + "': " + oneLine(e.getMessage()) + " (" + hint + ")";
  }

  /** 60s, 1m30s: as a setting is written. */
  private static String human(Duration d) {
    return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
  }

  private static String oneLine(String s) {
    return s == null ? "(no message)" : s.replaceAll("\\s*\\R\\s*", " ").strip();
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatabaseUnusableException("interrupted while waiting for the database", e);
    }
  }

  /** Creates whatever tables are missing. Safe to run on every start, from several nodes. */
  public void applySchema() throws SQLException, IOException {
    try (Connection c = pool.getConnection()) {
      applySchema(c);
    }
  }

  private void applySchema(Connection c) throws SQLException, IOException {
    String sql;
    try (InputStream in = Database.class.getResourceAsStream("/schema/" + dialect() + ".sql")) {
      if (in == null) {
        throw new IOException("/schema/" + dialect() + ".sql");
      }
      sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    boolean postgres = settings.dialect() == Dialect.POSTGRES;
    try (Statement st = c.createStatement()) {
      if (postgres) {
        // concurrent CREATE ... IF NOT EXISTS can still collide in PostgreSQL's catalog
        st.execute("SELECT pg_advisory_lock(727274)");
      }
      try {
        for (String stmt : statements(sql)) {
          st.execute(stmt);
        }
      } finally {
        if (postgres) {
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
    background.close();
    pool.close();
  }
}
