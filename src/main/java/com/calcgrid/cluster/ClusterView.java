package com.calcgrid.cluster;

import com.calcgrid.job.JobSupervisor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import scala.jdk.javaapi.CollectionConverters;

/**
 * What an operator sees of the cluster from one node: membership and reachability as this node
 * knows them, the load of every worker, and how many job supervisors each node hosts. Workers and
 * shard regions are asked with a timeout; one that does not answer is reported with an error and
 * never holds up the answer.
 */
public final class ClusterView {

  /**
   * One member as this node sees it.
   *
   * @param ageRank 1 for the member that has been Up longest, then 2, ...; members not yet Up
   *     come last
   * @param oldest the oldest Up member: where cluster singletons and the shard coordinator run
   */
  public record MemberInfo(String address, String node, String status, List<String> roles,
      String dataCenter, int ageRank, boolean oldest, boolean leader, boolean self,
      boolean reachable) {}

  /** A member some other member cannot reach, and who noticed. */
  public record Unreachable(String address, List<String> observedBy) {}

  public record Load(int slots, int busy, int free, int waitingJobs) {}

  /**
   * A worker: {@code load} is null, and {@code error} says why, if it did not answer.
   *
   * @param external for an external worker connected to the gateway on {@code node}: its name
   *     and peer address; null for a node's own worker
   */
  public record Worker(String address, String node, Load load, String error, String external) {}

  /** Job supervisors (sharded entities) hosted by one node, and the shards holding them. */
  public record NodeJobs(String address, int shards, int supervisors) {}

  /**
   * Supervisors per node, from the shard coordinator. {@code error} is set (and {@code nodes}
   * empty) if the statistics did not arrive in time; {@code failedShards} did not answer.
   */
  public record Jobs(List<NodeJobs> nodes, List<String> failedShards, String error) {}

  public record View(String self, String selfStatus, String leader, String oldest,
      List<MemberInfo> members, List<Unreachable> unreachable, List<Worker> workers, Jobs jobs) {}

  private final ActorSystem<?> system;
  private final Duration timeout;

  /** @param timeout how long each worker and the shard statistics may take to answer */
  public ClusterView(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.timeout = timeout;
  }

  public CompletionStage<View> collect() {
    CompletableFuture<List<Worker>> workers = workers().toCompletableFuture();
    CompletableFuture<Jobs> jobs = jobs().toCompletableFuture();
    return workers.thenCombine(jobs, this::view);
  }

  private View view(List<Worker> workers, Jobs jobs) {
    Cluster cluster = Cluster.get(system);
    CurrentClusterState state = cluster.state();
    Address self = cluster.selfMember().address();
    Address leader = state.getLeader();
    Member oldest = null;
    for (Member m : state.getMembers()) {
      if ((m.status() == MemberStatus.up() || m.status() == MemberStatus.leaving())
          && (oldest == null || m.isOlderThan(oldest))) {
        oldest = m;
      }
    }
    Set<Member> unreachable = state.getUnreachable();
    List<Member> byAge = new ArrayList<>();
    state.getMembers().forEach(byAge::add);
    byAge.sort(Member.ageOrdering()::compare);
    List<MemberInfo> members = new ArrayList<>();
    for (Member m : state.getMembers()) {
      List<String> roles = m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted()
          .toList();
      members.add(new MemberInfo(m.address().toString(), nodeName(m.address()),
          m.status().toString(), roles, m.dataCenter(), byAge.indexOf(m) + 1,
          oldest != null && m.equals(oldest), m.address().equals(leader),
          m.address().equals(self), !unreachable.contains(m)));
    }
    return new View(self.toString(), cluster.selfMember().status().toString(),
        leader == null ? null : leader.toString(),
        oldest == null ? null : oldest.address().toString(), members, unreachable(unreachable),
        workers, jobs);
  }

  /**
   * Observers come from the cluster's reachability table, which only the internal read view
   * exposes (pekko-management's /cluster/members reads the same); without it the list is empty.
   */
  private List<Unreachable> unreachable(Set<Member> members) {
    Map<String, List<String>> observers = new TreeMap<>();
    for (Member m : members) {
      observers.put(m.address().toString(), new ArrayList<>());
    }
    try {
      var grouped = org.apache.pekko.cluster.Cluster.get(system.classicSystem()).readView()
          .reachability().observersGroupedByUnreachable();
      for (var e : CollectionConverters.asJava(grouped).entrySet()) {
        List<String> by = new ArrayList<>();
        for (UniqueAddress o : CollectionConverters.asJava(e.getValue())) {
          by.add(o.address().toString());
        }
        by.sort(Comparator.naturalOrder());
        observers.put(e.getKey().address().toString(), by);
      }
    } catch (RuntimeException e) {
      // keep the unreachable members without their observers
    }
    List<Unreachable> out = new ArrayList<>();
    observers.forEach((address, by) -> out.add(new Unreachable(address, by)));
    return out;
  }

  private CompletionStage<List<Worker>> workers() {
    CompletionStage<Receptionist.Listing> listing = AskPattern.ask(system.receptionist(),
        reply -> Receptionist.find(com.calcgrid.pull.Worker.KEY, reply), timeout, system.scheduler());
    return listing.thenCompose(l -> {
      List<CompletableFuture<Worker>> asks = new ArrayList<>();
      // unreachable ones too: an SRE needs to see the worker that stopped answering
      for (ActorRef<com.calcgrid.pull.Worker> w : l.getAllServiceInstances(com.calcgrid.pull.Worker.KEY)) {
        asks.add(load(w).toCompletableFuture());
      }
      return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(v -> {
        List<Worker> out = new ArrayList<>();
        for (CompletableFuture<Worker> a : asks) {
          out.add(a.join());
        }
        out.sort(Comparator.comparing(Worker::address)
            .thenComparing(w -> w.external() == null ? "" : w.external()));
        return out;
      });
    }).exceptionally(e -> List.of(new Worker(null, null, null,
        "the receptionist did not list the workers: " + rootMessage(e), null)));
  }

  private CompletionStage<Worker> load(ActorRef<com.calcgrid.pull.Worker> worker) {
    Address address = global(worker.path().address());
    return AskPattern.<com.calcgrid.pull.Worker, com.calcgrid.pull.Load>ask(worker, com.calcgrid.pull.GetLoad::new,
            timeout, system.scheduler())
        .thenApply(l -> new Worker(address.toString(), l.node(),
            new Load(l.slots(), l.busy(), Math.max(0, l.slots() - l.busy()), l.waitingJobs()),
            null, l.external()))
        .exceptionally(e -> new Worker(address.toString(), nodeName(address), null,
            "no answer within " + timeout.toMillis() + " ms: " + rootMessage(e), null));
  }

  private CompletionStage<Jobs> jobs() {
    // the coordinator gathers every region's numbers within `timeout`; allow it that long, and more
    CompletionStage<ShardRegion.ClusterShardingStats> stats = AskPattern.ask(
        ClusterSharding.get(system).shardState(),
        reply -> new GetClusterShardingStats(JobSupervisor.ENTITY_KEY, timeout, reply),
        timeout.plus(timeout), system.scheduler());
    return stats.thenApply(s -> {
      List<NodeJobs> nodes = new ArrayList<>();
      List<String> failed = new ArrayList<>();
      for (Map.Entry<Address, ShardRegion.ShardRegionStats> e : s.getRegions().entrySet()) {
        int supervisors = 0;
        for (Object n : e.getValue().getStats().values()) {
          supervisors += ((Number) n).intValue();
        }
        nodes.add(new NodeJobs(global(e.getKey()).toString(), e.getValue().getStats().size(),
            supervisors));
        failed.addAll(e.getValue().getFailed());
      }
      nodes.sort(Comparator.comparing(NodeJobs::address));
      failed.sort(Comparator.naturalOrder());
      return new Jobs(nodes, failed, null);
    }).exceptionally(e -> new Jobs(List.of(), List.of(),
        "the shard statistics did not arrive in time: " + rootMessage(e)));
  }

  /** A reference to a local actor carries no host: it is this node. */
  private Address global(Address a) {
    return a.hasGlobalScope() ? a : Cluster.get(system).selfMember().address();
  }

  /** {@code host:port}, as task details name nodes. */
  public static String nodeName(Address address) {
    return address.getHost().orElse("local") + ":" + address.getPort().orElse(0);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
