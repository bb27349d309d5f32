package com.calcgrid.metrics;

import com.calcgrid.store.Jdbc;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code calcgrid_jobs} gauge (jobs in the index by state), read every {@code jobs-refresh}
 * in the background and served from memory: a scrape of {@code /metrics} never queries the
 * database, so an unauthenticated scraper cannot load it, and the count (over a table that only
 * grows) runs on a connection and a thread of its own, never on the pool or the threads that
 * submissions use. Each read is bounded by {@code timeout}; one that fails clears the gauge
 * (no numbers rather than stale ones) until the next succeeds.
 */
public final class JobCounts {
  private static final Logger log = LoggerFactory.getLogger(JobCounts.class);
  static final String SQL = "SELECT state, COUNT(*) FROM calcgrid_jobs GROUP BY state";

  private final Jdbc jdbc;
  private final ExecutorService thread;
  private final NodeMetrics metrics;
  private final Duration timeout;
  private final AtomicBoolean reading = new AtomicBoolean();
  private volatile boolean failing;

  /**
   * @param background a pool of its own (one connection is plenty)
   * @param timeout the longest one read may take, in the database and in total
   */
  public JobCounts(DataSource background, NodeMetrics metrics, Duration timeout) {
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "calcgrid-job-counts");
      t.setDaemon(true);
      return t;
    });
    this.jdbc = new Jdbc(background, thread, timeout);
    this.metrics = metrics;
    this.timeout = timeout;
  }

  /** Reads now and every {@code every}; stops with the actor system. */
  public void start(ActorSystem<?> system, Duration every) {
    system.scheduler().scheduleWithFixedDelay(Duration.ZERO, every, this::refresh,
        system.executionContext());
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "stop-job-counts", () -> {
          thread.shutdownNow();
          return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
        });
  }

  /** One read, unless the last one is still running. */
  void refresh() {
    if (thread.isShutdown() || !reading.compareAndSet(false, true)) {
      return;
    }
    jdbc.run(c -> {
      Map<String, Long> counts = new LinkedHashMap<>();
      try (PreparedStatement st = c.prepareStatement(SQL)) {
        st.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            counts.put(rs.getString(1), rs.getLong(2));
          }
        }
      }
      return counts;
    }).whenComplete((counts, e) -> {
      reading.set(false);
      if (e == null) {
        metrics.jobsByState(counts);
        if (failing) {
          log.info("job counts for /metrics read again");
        }
        failing = false;
      } else {
        metrics.jobsByStateUnknown();
        if (!failing) {
          log.warn("could not read the job counts for /metrics: {}", e.toString());
        }
        failing = true;
      }
    });
  }
}
