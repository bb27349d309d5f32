package com.calcgrid.cluster;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Whether this node should get traffic: it has joined the cluster (Up or WeaklyUp) and its
 * database answers. One per actor system; the HTTP API's {@code /health/ready} and the
 * management port's {@code /ready} ({@link DatabaseReadinessCheck}) both ask it.
 *
 * <p>The database check pings CalcGrid's own pool (the job index). The journal lives in the same
 * database, reached through pekko-persistence-jdbc's pool, so a failed ping means the journal
 * is unreachable too; a journal pool that is exhausted while the index pool is fine is not seen.
 */
public final class NodeHealth implements Extension {
  private static final ExtensionId<NodeHealth> ID = new ExtensionId<>() {
    @Override
    public NodeHealth createExtension(ActorSystem<?> system) {
      return new NodeHealth(system);
    }
  };

  /** @param cluster this node's membership status, e.g. {@code Up} */
  public record Readiness(boolean ready, String cluster, boolean database) {}

  public static NodeHealth get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final ActorSystem<?> system;
  private volatile Supplier<CompletionStage<Boolean>> database;
  private volatile Duration timeout = Duration.ofSeconds(2);

  private NodeHealth(ActorSystem<?> system) {
    this.system = system;
  }

  /** Set once at start; until then the database counts as not answering. */
  public void databaseCheck(Supplier<CompletionStage<Boolean>> ping, Duration timeout) {
    this.timeout = timeout;
    this.database = ping;
  }

  public boolean joined() {
    MemberStatus self = Cluster.get(system).selfMember().status();
    return self == MemberStatus.up() || self == MemberStatus.weaklyUp();
  }

  /** True if the database answered within the timeout; never fails. */
  public CompletionStage<Boolean> databaseAnswers() {
    Supplier<CompletionStage<Boolean>> ping = database;
    if (ping == null) {
      return CompletableFuture.completedFuture(false);
    }
    CompletableFuture<Boolean> answer;
    try {
      answer = ping.get().toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(false);
    }
    return answer.thenApply(Boolean.TRUE::equals)
        .completeOnTimeout(false, timeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(e -> false);
  }

  public CompletionStage<Readiness> readiness() {
    String status = Cluster.get(system).selfMember().status().toString();
    boolean joined = joined();
    return databaseAnswers().thenApply(db -> new Readiness(joined && db, status, db));
  }
}
