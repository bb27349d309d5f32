package com.calcgrid.job;

import com.calcgrid.cluster.Role;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.apache.pekko.actor.ActorSelection;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.Patterns;

/**
 * Chooses a new job's id so that its supervisor starts on a node that answers.
 *
 * <p>A job's id decides its shard, and the shard its node. While a member is unreachable (cut
 * off, paused, crashed and not yet downed, which takes tens of seconds), a submission whose
 * shard lives there waits for the ask timeout and fails. A new job's id is free: only the
 * Idempotency-Key it is claimed with must name it. So while some member is unreachable, the
 * first of a few candidate ids whose shard lives on a reachable node is taken. Where the shards
 * live is asked of the shard regions then, at most every two seconds; while every member is
 * reachable nothing is asked and the first candidate is taken, so this costs nothing in the
 * common case. Shards that no member hosts yet are avoided too: the coordinator might place
 * them on the unreachable member, and cannot place them at all while it misses a majority of
 * the members to record the placement with.
 */
public final class ShardHomes {
  private static final Duration REFRESH_EVERY = Duration.ofSeconds(2);
  /** A region that does not answer within this is left out: it is one to avoid. */
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(1);
  /**
   * Enough to find a hosted shard even when the reachable members host only a few of them (a
   * young cluster: 5 of 100 shards give a 1 in 500,000 chance of none); it costs a few hundred
   * microseconds per submission, and only while a member is unreachable.
   */
  static final int CANDIDATES = 256;

  private final ActorSystem<?> system;
  private final HashCodeMessageExtractor<Object> shards;
  private final AtomicReference<CompletableFuture<Map<String, Address>>> asking =
      new AtomicReference<>();
  private volatile Picture picture = new Picture(Map.of(), System.nanoTime() - Long.MAX_VALUE / 2);

  /** Shard id to the node hosting it, as heard at {@code heardAt} (System.nanoTime). */
  private record Picture(Map<String, Address> homes, long heardAt) {}

  public ShardHomes(ActorSystem<?> system) {
    this.system = system;
    this.shards = new HashCodeMessageExtractor<>(
        system.settings().config().getInt("pekko.cluster.sharding.number-of-shards"));
  }

  /**
   * The first of {@code candidate(0)}, {@code candidate(1)}, ... whose shard lives on a
   * reachable node; {@code candidate(0)} when every member is reachable or nothing better is
   * known. Completes at once unless a member is unreachable and the picture is older than two
   * seconds: then after the shard regions answered, within two seconds.
   */
  public CompletionStage<String> choose(IntFunction<String> candidate) {
    if (Cluster.get(system).state().getUnreachable().isEmpty()) {
      return CompletableFuture.completedFuture(candidate.apply(0));
    }
    return fresh().thenApply(known -> pick(known, candidate));
  }

  private String pick(Map<String, Address> known, IntFunction<String> candidate) {
    Set<Address> away = Cluster.get(system).state().getUnreachable().stream()
        .map(Member::address).collect(Collectors.toSet());
    for (int choice = 0; choice < CANDIDATES; choice++) {
      String id = candidate.apply(choice);
      Address home = known.get(shards.shardId(id));
      if (home != null && !away.contains(home)) {
        return id;
      }
    }
    return candidate.apply(0);
  }

  /** The shard a job's id falls in. */
  String shardOf(String jobId) {
    return shards.shardId(jobId);
  }

  /**
   * Where the shards live, asked again when the last answer is over two seconds old. Each
   * reachable member's region is asked for its own shards: the cluster-wide statistics answer
   * nothing at all while one region does not answer, which is exactly when this is needed.
   */
  private CompletionStage<Map<String, Address>> fresh() {
    Picture last = picture;
    if (System.nanoTime() - last.heardAt() < REFRESH_EVERY.toNanos()) {
      return CompletableFuture.completedFuture(last.homes());
    }
    CompletableFuture<Map<String, Address>> mine = new CompletableFuture<>();
    CompletableFuture<Map<String, Address>> running = asking.compareAndExchange(null, mine);
    if (running != null) {
      return running;
    }
    CurrentClusterState state = Cluster.get(system).state();
    Map<Address, CompletableFuture<Set<String>>> asked = new HashMap<>();
    for (Member m : state.getMembers()) {
      if (m.status() == MemberStatus.up() && m.hasRole(Role.SCHEDULER.id())
          && !state.getUnreachable().contains(m)) {
        asked.put(m.address(), shardsOf(m.address()));
      }
    }
    CompletableFuture.allOf(asked.values().toArray(CompletableFuture[]::new))
        .whenComplete((ignored, error) -> {
          Map<String, Address> heard = new HashMap<>();
          asked.forEach((member, shards) -> shards.join().forEach(s -> heard.put(s, member)));
          Map<String, Address> homes = Map.copyOf(heard);
          picture = new Picture(homes, System.nanoTime());
          asking.set(null);
          mine.complete(homes);
        });
    return mine;
  }

  /** The shards the member's job region hosts; none when it does not answer in time. */
  private CompletableFuture<Set<String>> shardsOf(Address member) {
    ActorSelection region = Adapter.toClassic(system).actorSelection(
        member + "/system/sharding/" + JobSupervisor.ENTITY_KEY.name());
    return Patterns.ask(region, ShardRegion.getShardRegionStateInstance(), ASK_TIMEOUT)
        .toCompletableFuture()
        .thenApply(reply -> ((ShardRegion.CurrentShardRegionState) reply).getShards().stream()
            .map(ShardRegion.ShardState::shardId).collect(Collectors.toSet()))
        .exceptionally(e -> Set.of());
  }
}
