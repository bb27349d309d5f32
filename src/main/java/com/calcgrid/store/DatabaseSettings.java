package com.calcgrid.store;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The {@code calcgrid.db} section: where the database is, and how long any use of it may take.
 * The driver, the Slick profile and the schema follow from the URL's scheme, so a PostgreSQL URL
 * alone gives a node whose job index and journal both speak PostgreSQL.
 *
 * <p>Every wait is bounded: for a pooled connection ({@code connectionTimeout}), for a new
 * connection ({@code connectTimeout}, PostgreSQL), for any read on a connection
 * ({@code socketTimeout}, PostgreSQL), for one statement ({@code statementTimeout}: PostgreSQL's
 * {@code statement_timeout}, H2's {@code QUERY_TIMEOUT}) and for a whole call of the API
 * ({@code callTimeout}: queue, connection and statement).
 */
public record DatabaseSettings(String url, String user, String password, Dialect dialect,
    int poolSize, Duration connectionTimeout, Duration connectTimeout, Duration socketTimeout,
    Duration statementTimeout, Duration callTimeout, Duration startupTimeout) {

  /** What a {@code calcgrid.db} section that names only some keys falls back to. */
  private static final Config DEFAULTS = ConfigFactory.parseString("""
      user = "", password = "", pool-size = 4, connection-timeout = 3s, connect-timeout = 5s,
      socket-timeout = 30s, statement-timeout = 10s, call-timeout = 5s, startup-timeout = 60s
      """);

  /** The databases CalcGrid runs on, told apart by the URL's scheme. */
  public enum Dialect {
    H2("h2", "jdbc:h2:", "org.h2.Driver", "slick.jdbc.H2Profile$"),
    POSTGRES("postgres", "jdbc:postgresql:", "org.postgresql.Driver", "slick.jdbc.PostgresProfile$");

    /** Names the schema file {@code /schema/<id>.sql}. */
    public final String id;
    final String scheme;
    public final String driver;
    public final String slickProfile;

    Dialect(String id, String scheme, String driver, String slickProfile) {
      this.id = id;
      this.scheme = scheme;
      this.driver = driver;
      this.slickProfile = slickProfile;
    }

    /** The dialect of {@code url}; an unknown scheme is refused, naming the setting. */
    public static Dialect of(String url) {
      for (Dialect d : values()) {
        if (url.startsWith(d.scheme)) {
          return d;
        }
      }
      throw new DatabaseUnusableException("calcgrid.db.url (CALCGRID_DB_URL) is '"
          + redact(url) + "': CalcGrid runs on H2 (jdbc:h2:...) or PostgreSQL "
          + "(jdbc:postgresql://host:port/database)");
    }
  }

  /** Reads a {@code calcgrid.db} section; keys it lacks take the defaults above. */
  public static DatabaseSettings fromConfig(Config db) {
    Config c = db.withFallback(DEFAULTS);
    String url = c.getString("url").strip();
    DatabaseSettings s = new DatabaseSettings(url, c.getString("user"), c.getString("password"),
        Dialect.of(url), c.getInt("pool-size"), c.getDuration("connection-timeout"),
        c.getDuration("connect-timeout"), c.getDuration("socket-timeout"),
        c.getDuration("statement-timeout"), c.getDuration("call-timeout"),
        c.getDuration("startup-timeout"));
    s.check();
    return s;
  }

  private void check() {
    positive("pool-size (CALCGRID_DB_POOL_SIZE)", poolSize);
    // HikariCP refuses to wait less than 250 ms for a pooled connection
    if (connectionTimeout.toMillis() < 250) {
      throw new DatabaseUnusableException("calcgrid.db.connection-timeout "
          + "(CALCGRID_DB_CONNECTION_TIMEOUT) must be at least 250ms, not " + connectionTimeout);
    }
    positive("connect-timeout (CALCGRID_DB_CONNECT_TIMEOUT)", connectTimeout.toMillis());
    positive("statement-timeout (CALCGRID_DB_STATEMENT_TIMEOUT)", statementTimeout.toMillis());
    positive("call-timeout (CALCGRID_DB_CALL_TIMEOUT)", callTimeout.toMillis());
    if (socketTimeout.compareTo(statementTimeout) <= 0) {
      // the server must cancel a long statement before the client gives up on the connection
      throw new DatabaseUnusableException("calcgrid.db.socket-timeout "
          + "(CALCGRID_DB_SOCKET_TIMEOUT, " + socketTimeout + ") must be longer than "
          + "calcgrid.db.statement-timeout (" + statementTimeout + ")");
    }
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new DatabaseUnusableException("calcgrid.db." + name + " must be positive");
    }
  }

  /** Run on each new connection: the statement timeout, in the dialect's words. */
  public String connectionInitSql() {
    long ms = statementTimeout.toMillis();
    return switch (dialect) {
      case H2 -> "SET QUERY_TIMEOUT " + ms;
      case POSTGRES -> "SET statement_timeout = " + ms;
    };
  }

  /**
   * Driver properties: the PostgreSQL driver's connect and socket timeouts (whole seconds). A
   * value the URL sets itself wins over these.
   */
  public Properties driverProperties() {
    Properties p = new Properties();
    driverTimeouts().forEach((k, v) -> p.setProperty(k, v.toString()));
    return p;
  }

  private Map<String, Object> driverTimeouts() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (dialect == Dialect.POSTGRES) {
      m.put("connectTimeout", seconds(connectTimeout));
      m.put("loginTimeout", seconds(connectTimeout));
      m.put("socketTimeout", seconds(socketTimeout));
    }
    return m;
  }

  private static long seconds(Duration d) {
    return Math.max(1, (d.toMillis() + 999) / 1000);
  }

  /**
   * The settings of pekko-persistence-jdbc's pool (under {@code db} of the shared database) that
   * follow from these: driver, profile, the same timeouts as the node's own pool.
   */
  public Map<String, Object> journalOverrides(String sharedDatabase) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(sharedDatabase + ".profile", dialect.slickProfile);
    m.put(sharedDatabase + ".db.driver", dialect.driver);
    m.put(sharedDatabase + ".db.connectionTimeout", connectionTimeout.toMillis());
    m.put(sharedDatabase + ".db.validationTimeout", validationTimeout().toMillis());
    m.put(sharedDatabase + ".db.connectionInitSql", connectionInitSql());
    driverTimeouts().forEach((k, v) -> m.put(sharedDatabase + ".db.properties." + k, v));
    return m;
  }

  /** How long a pool may take to check that a connection still works. */
  public Duration validationTimeout() {
    return Duration.ofMillis(Math.max(250, Math.min(connectionTimeout.toMillis() - 1, 2000)));
  }

  /** The URL with any password in it masked, for messages and logs. */
  public static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  /** {@link #redact(String)} of this URL. */
  public String safeUrl() {
    return redact(url);
  }
}
