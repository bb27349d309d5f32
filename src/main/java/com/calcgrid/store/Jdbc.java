package com.calcgrid.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * Runs JDBC work off the actors' threads: each unit gets a pooled connection on the blocking
 * dispatcher and completes the returned stage with its result or its SQLException.
 */
public final class Jdbc {
  /** One unit of work on one connection. */
  public interface Work<T> {
    T apply(Connection c) throws SQLException;
  }

  private final DataSource db;
  private final Executor blocking;

  public Jdbc(DataSource db, Executor blocking) {
    this.db = db;
    this.blocking = blocking;
  }

  public <T> CompletionStage<T> run(Work<T> work) {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection c = db.getConnection()) {
        return work.apply(c);
      } catch (SQLException e) {
        throw new CompletionException(e);
      }
    }, blocking);
  }
}
