package com.calcgrid.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL server that .ci/run starts (see STACK.md), named by
 * {@code CALCGRID_TEST_PG_URL} (a JDBC URL of an existing database, e.g.
 * {@code jdbc:postgresql://127.0.0.1:5433/postgres}) and {@code CALCGRID_TEST_PG_USER}. Each
 * test class gets a database of its own. Under CI the server is required; elsewhere tests that
 * need it are skipped when it is not configured.
 */
public final class Postgres {
  /** One database on the test server. */
  public record Db(String url, String user, String password) {}

  private Postgres() {}

  public static Db freshDatabase() throws Exception {
    String admin = System.getenv("CALCGRID_TEST_PG_URL");
    if (admin == null || admin.isBlank()) {
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException("CI must provide PostgreSQL: CALCGRID_TEST_PG_URL is not set");
      }
      Assumptions.abort("CALCGRID_TEST_PG_URL is not set; start PostgreSQL as .ci/run does");
    }
    String user = System.getenv().getOrDefault("CALCGRID_TEST_PG_USER", "postgres");
    String password = System.getenv().getOrDefault("CALCGRID_TEST_PG_PASSWORD", "");
    String name = "calcgrid_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(admin, user, password);
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    }
    String url = admin.substring(0, admin.lastIndexOf('/') + 1) + name;
    return new Db(url, user, password);
  }
}
