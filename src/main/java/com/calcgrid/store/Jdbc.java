package com.calcgrid.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;

/**
 * Runs JDBC work off the actors' threads: each unit gets a pooled connection on the blocking
 * dispatcher and completes the returned stage with its result or its SQLException.
 *
 * <p>A unit has a deadline ({@code calcgrid.db.call-timeout}): its stage fails with a
 * {@link TimeoutException} once the deadline passes, whether the unit is still waiting for a
 * thread, for a connection or for the database, so a caller (and an HTTP request holding an
 * admission permit) never waits longer. A unit whose deadline passed before it got a thread is
 * not run at all.
 */
public final class Jdbc {
  /** SQLSTATE of a duplicate key, in H2 and PostgreSQL alike. */
  public static final String UNIQUE_VIOLATION = "23505";
  /** The deadline of a unit when none is given. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  /** One unit of work on one connection. */
  public interface Work<T> {
    T apply(Connection c) throws SQLException;
  }

  private final DataSource db;
  private final Executor blocking;
  private final Duration timeout;

  public Jdbc(DataSource db, Executor blocking) {
    this(db, blocking, DEFAULT_TIMEOUT);
  }

  public Jdbc(DataSource db, Executor blocking, Duration timeout) {
    this.db = db;
    this.blocking = blocking;
    this.timeout = timeout;
  }

  public <T> CompletionStage<T> run(Work<T> work) {
    long deadline = System.nanoTime() + timeout.toNanos();
    CompletableFuture<T> result = CompletableFuture.supplyAsync(() -> {
      if (System.nanoTime() - deadline > 0) {
        throw new CompletionException(expired(timeout));
      }
      try (Connection c = db.getConnection()) {
        return work.apply(c);
      } catch (SQLException e) {
        throw new CompletionException(e);
      }
    }, blocking);
    return withDeadline(result, timeout);
  }

  /**
   * {@code stage}, failed with a {@link TimeoutException} that names the setting if it has not
   * completed within {@code timeout}.
   */
  public static <T> CompletableFuture<T> withDeadline(CompletableFuture<T> stage,
      Duration timeout) {
    // orTimeout cancels its timer when the stage completes first: nothing lingers per call
    return stage.copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((v, e) -> {
          if (e == null) {
            return v;
          }
          Throwable cause = e instanceof CompletionException && e.getCause() != null
              ? e.getCause() : e;
          if (cause instanceof TimeoutException && cause.getMessage() == null) {
            throw new CompletionException(expired(timeout));
          }
          throw e instanceof CompletionException ce ? ce : new CompletionException(e);
        });
  }

  private static TimeoutException expired(Duration timeout) {
    return new TimeoutException("the database did not answer within " + timeout.toMillis()
        + " ms (calcgrid.db.call-timeout)");
  }

  public Duration timeout() {
    return timeout;
  }
}
