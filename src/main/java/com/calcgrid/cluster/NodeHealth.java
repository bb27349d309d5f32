package com.calcgrid.cluster;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node should get traffic: it has joined the cluster (Up or WeaklyUp), its
 * database answers a query, and its journal takes a write and gives it back. One per actor
 * system; the HTTP API's {@code /health/ready} and the management port's {@code /ready}
 * ({@link DatabaseReadinessCheck}) both ask it.
 *
 * <p>The two storage checks run in the background every {@code probe-interval}, each bounded by
 * {@code probe-timeout}, and a request only reads their last results: readiness answers at once
 * however slow the database is, and a flood of probes costs the database nothing. A check that
 * is still running when the next is due is not started twice. A result older than a few
 * intervals counts as DOWN, so a stuck prober cannot keep the node ready.
 *
 * <p>The database check pings CalcGrid's own pool (the job index). The journal check writes
 * through the persistence plugin ({@link JournalProbe}), so it also catches a journal that is
 * misconfigured or whose pool is exhausted while the index's pool is fine.
 */
public final class NodeHealth implements Extension {
  private static final Logger log = LoggerFactory.getLogger(NodeHealth.class);
  private static final ExtensionId<NodeHealth> ID = new ExtensionId<>() {
    @Override
    public NodeHealth createExtension(ActorSystem<?> system) {
      return new NodeHealth(system);
    }
  };

  /**
   * @param cluster this node's membership status, e.g. {@code Up}
   * @param reason why the node is not ready, or null when it is
   */
  public record Readiness(boolean ready, String cluster, boolean database, boolean journal,
      String reason) {}

  /** How often the storage checks run and how long each may take. */
  public record Settings(Duration interval, Duration timeout) {
    public static Settings fromConfig(com.typesafe.config.Config config) {
      return new Settings(config.getDuration("calcgrid.health.probe-interval"),
          config.getDuration("calcgrid.health.probe-timeout"));
    }
  }

  /** The last result of one check: when it was reached, and what is wrong (null if nothing). */
  private record Check(boolean ok, String problem, long atNanos) {}

  public static NodeHealth get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final ActorSystem<?> system;
  private volatile Settings settings = new Settings(Duration.ofSeconds(2), Duration.ofSeconds(3));
  private volatile Check database = new Check(false, "the database has not been checked yet",
      System.nanoTime());
  private volatile Check journal = new Check(false, "the journal has not been probed yet",
      System.nanoTime());
  private final AtomicBoolean databaseProbing = new AtomicBoolean();
  private final AtomicBoolean journalProbing = new AtomicBoolean();

  private NodeHealth(ActorSystem<?> system) {
    this.system = system;
  }

  /**
   * Starts the background checks; called once at start, after the database answered (so it
   * counts as up until the first ping says otherwise). Until then the storage counts as down.
   *
   * @param ping a trivial query on the node's own pool
   * @param node this node's host:port, naming its journal probe's persistence id
   */
  public void start(Supplier<CompletionStage<Boolean>> ping, String node, Settings settings) {
    this.settings = settings;
    this.database = new Check(true, null, System.nanoTime());
    JournalProbe probe = new JournalProbe(system, node, settings.timeout());
    system.scheduler().scheduleWithFixedDelay(Duration.ZERO, settings.interval(), () -> {
      checkDatabase(ping);
      checkJournal(probe);
    }, system.executionContext());
  }

  private void checkDatabase(Supplier<CompletionStage<Boolean>> ping) {
    if (!databaseProbing.compareAndSet(false, true)) {
      return;
    }
    CompletableFuture<Boolean> answer;
    try {
      answer = ping.get().toCompletableFuture();
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    // the next ping waits for this one to end (its own timeouts bound it), not for the report
    answer.whenComplete((ok, e) -> databaseProbing.set(false));
    bounded(answer).whenComplete((ok, e) -> database = record("database", database,
        e == null && Boolean.TRUE.equals(ok), "the database did not answer a query", e));
  }

  private void checkJournal(JournalProbe probe) {
    if (!journalProbing.compareAndSet(false, true)) {
      return;
    }
    CompletableFuture<Long> written;
    try {
      written = probe.probe().toCompletableFuture();
    } catch (RuntimeException e) {
      written = CompletableFuture.failedFuture(e);
    }
    written.whenComplete((seq, e) -> journalProbing.set(false));
    bounded(written).whenComplete((seq, e) -> journal = record("journal", journal, e == null,
        "the journal did not take a write and give it back", e));
  }

  private <T> CompletableFuture<T> bounded(CompletableFuture<T> stage) {
    return stage.copy().orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The next result of a check. Its problem says what failed and whether in time, not the
   * driver's words (readiness is unauthenticated); the log gets those, on changes only: a
   * database that stays down is reported once, not every interval.
   */
  private Check record(String name, Check before, boolean ok, String what, Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String problem = ok ? null : cause instanceof TimeoutException
        ? what + " within " + settings.timeout().toMillis() + " ms"
        : what + " (see the node's log)";
    if (before.ok() && !ok) {
      log.warn("{} check failed: {}: {}; /health/ready reports DOWN", name, problem,
          cause == null ? "no error" : cause.toString());
    } else if (!before.ok() && ok) {
      log.info("{} check passes", name);
    }
    return new Check(ok, problem, System.nanoTime());
  }

  public boolean joined() {
    MemberStatus self = Cluster.get(system).selfMember().status();
    return self == MemberStatus.up() || self == MemberStatus.weaklyUp();
  }

  /** The last database check passed and is recent. */
  public boolean databaseAnswers() {
    return problem(database) == null;
  }

  /** The last journal probe passed and is recent. */
  public boolean journalWrites() {
    return problem(journal) == null;
  }

  /** Both storage checks passed recently: what the management port's readiness check asks. */
  public CompletionStage<Boolean> storageReady() {
    return CompletableFuture.completedFuture(databaseAnswers() && journalWrites());
  }

  private String problem(Check c) {
    if (!c.ok()) {
      return c.problem();
    }
    Duration s = settings.interval().multipliedBy(3).plus(settings.timeout());
    long age = System.nanoTime() - c.atNanos();
    return age > s.toNanos() ? "no check result for " + age / 1_000_000 + " ms" : null;
  }

  /** Answers at once, from the last results of the background checks. */
  public Readiness readiness() {
    String status = Cluster.get(system).selfMember().status().toString();
    boolean joined = joined();
    String db = problem(database);
    String jr = problem(journal);
    String reason = !joined ? "this node is " + status + " in the cluster, not Up"
        : db != null ? db : jr;
    return new Readiness(reason == null, status, db == null, jr == null, reason);
  }
}
