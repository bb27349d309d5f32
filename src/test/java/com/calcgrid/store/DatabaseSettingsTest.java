package com.calcgrid.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.TestNodes;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The database's URL decides the driver, the journal's profile and the defaults; every
 * connection carries the statement timeout; settings the node cannot use are refused with a
 * message that names them.
 */
class DatabaseSettingsTest {
  private static final String JOURNAL_DB = "pekko-persistence-jdbc.shared-databases.calcgrid";

  @Test
  void aPostgresUrlAloneSwitchesTheJournalAndItsDefaults() {
    Config c = CalcGridNode.loadConfig(Map.of("calcgrid.db.url",
        "jdbc:postgresql://db.example:5432/calcgrid"), null);
    assertEquals("slick.jdbc.PostgresProfile$", c.getString(JOURNAL_DB + ".profile"));
    assertEquals("org.postgresql.Driver", c.getString(JOURNAL_DB + ".db.driver"));
    assertEquals(8, c.getInt("jdbc-journal.parallelism"));
    assertEquals(8, c.getInt(JOURNAL_DB + ".db.maxConnections"));
    assertEquals(8, c.getInt("calcgrid.db.pool-size"));
    assertEquals("SET statement_timeout = 10000", c.getString(JOURNAL_DB + ".db.connectionInitSql"));
    assertEquals(30, c.getInt(JOURNAL_DB + ".db.properties.socketTimeout"));
    assertEquals(5, c.getInt(JOURNAL_DB + ".db.properties.connectTimeout"));
    assertEquals(3000, c.getInt(JOURNAL_DB + ".db.connectionTimeout"));
  }

  @Test
  void theDefaultIsH2AndAnOverlayOrOverrideStillWinsOverTheDialectDefaults() {
    Config h2 = CalcGridNode.loadConfig(Map.of(), null);
    assertEquals("slick.jdbc.H2Profile$", h2.getString(JOURNAL_DB + ".profile"));
    assertEquals("org.h2.Driver", h2.getString(JOURNAL_DB + ".db.driver"));
    assertEquals(1, h2.getInt("jdbc-journal.parallelism"));
    assertEquals("SET QUERY_TIMEOUT 10000", h2.getString(JOURNAL_DB + ".db.connectionInitSql"));
    assertFalse(h2.hasPath(JOURNAL_DB + ".db.properties.socketTimeout"));

    Config pg = CalcGridNode.loadConfig(Map.of("calcgrid.db.pool-size", 3,
        "calcgrid.db.statement-timeout", "2s"),
        TestNodes.projectFile("conf/postgres.conf").toString());
    assertEquals("slick.jdbc.PostgresProfile$", pg.getString(JOURNAL_DB + ".profile"));
    assertEquals(3, pg.getInt("calcgrid.db.pool-size"));
    assertEquals("SET statement_timeout = 2000", pg.getString(JOURNAL_DB + ".db.connectionInitSql"));
  }

  @Test
  void whatTheNodeCannotUseIsRefusedNamingTheSetting() {
    DatabaseUnusableException scheme = assertThrows(DatabaseUnusableException.class,
        () -> CalcGridNode.loadConfig(Map.of("calcgrid.db.url",
            "jdbc:mysql://h/db?user=a&password=secret"), null));
    assertTrue(scheme.getMessage().contains("CALCGRID_DB_URL"), scheme.getMessage());
    assertFalse(scheme.getMessage().contains("secret"), scheme.getMessage());

    DatabaseUnusableException order = assertThrows(DatabaseUnusableException.class,
        () -> CalcGridNode.loadConfig(Map.of("calcgrid.db.socket-timeout", "5s",
            "calcgrid.db.statement-timeout", "10s"), null));
    assertTrue(order.getMessage().contains("CALCGRID_DB_SOCKET_TIMEOUT"), order.getMessage());
  }

  @Test
  void everyPooledConnectionCarriesTheStatementTimeout() throws Exception {
    try (Database db = Database.open(ConfigFactory.parseMap(Map.of(
        "url", "jdbc:h2:mem:settings-test;DB_CLOSE_DELAY=-1", "user", "sa",
        "statement-timeout", "1500ms")))) {
      for (javax.sql.DataSource pool : java.util.List.of(db.dataSource(), db.background())) {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                + " WHERE SETTING_NAME = 'QUERY_TIMEOUT'")) {
          assertTrue(rs.next());
          assertEquals("1500", rs.getString(1));
        }
      }
    }
  }
}
