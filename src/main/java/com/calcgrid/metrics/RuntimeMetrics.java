package com.calcgrid.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * JVM and Pekko basics, read when scraped: heap, garbage collection, threads, and the cluster
 * membership as this node sees it.
 */
final class RuntimeMetrics {
  /** Every status is reported, with 0 when no member has it, so that series never vanish. */
  private static final List<String> STATUSES = List.of("Joining", "WeaklyUp", "Up", "Leaving",
      "Exiting", "Down", "Removed", "PreparingForShutdown", "ReadyForShutdown");

  private RuntimeMetrics() {}

  static void register(PrometheusRegistry registry, ActorSystem<?> system) {
    jvm(registry);
    if (system.classicSystem().settings().ProviderClass()
        .equals("org.apache.pekko.cluster.ClusterActorRefProvider")) {
      cluster(registry, system);
    }
  }

  private static void jvm(PrometheusRegistry registry) {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    GaugeWithCallback.builder().name("jvm_memory_used_bytes")
        .help("Memory in use, by area (heap, nonheap).").labelNames("area")
        .callback(cb -> {
          cb.call(memory.getHeapMemoryUsage().getUsed(), "heap");
          cb.call(memory.getNonHeapMemoryUsage().getUsed(), "nonheap");
        }).register(registry);
    GaugeWithCallback.builder().name("jvm_memory_committed_bytes")
        .help("Memory committed by the JVM, by area (heap, nonheap).").labelNames("area")
        .callback(cb -> {
          cb.call(memory.getHeapMemoryUsage().getCommitted(), "heap");
          cb.call(memory.getNonHeapMemoryUsage().getCommitted(), "nonheap");
        }).register(registry);
    GaugeWithCallback.builder().name("jvm_memory_max_bytes")
        .help("Largest amount of memory the area may use (heap: -Xmx), -1 when unbounded.")
        .labelNames("area")
        .callback(cb -> {
          MemoryUsage heap = memory.getHeapMemoryUsage();
          cb.call(heap.getMax(), "heap");
          cb.call(memory.getNonHeapMemoryUsage().getMax(), "nonheap");
        }).register(registry);
    CounterWithCallback.builder().name("jvm_gc_collections")
        .help("Garbage collections since the JVM started, by collector.").labelNames("gc")
        .callback(cb -> {
          for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            cb.call(Math.max(0, gc.getCollectionCount()), gc.getName());
          }
        }).register(registry);
    CounterWithCallback.builder().name("jvm_gc_collection_seconds")
        .help("Time spent in garbage collection since the JVM started, by collector.")
        .labelNames("gc")
        .callback(cb -> {
          for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            cb.call(Math.max(0, gc.getCollectionTime()) / 1e3, gc.getName());
          }
        }).register(registry);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    GaugeWithCallback.builder().name("jvm_threads_current").help("Live threads.")
        .callback(cb -> cb.call(threads.getThreadCount())).register(registry);
    GaugeWithCallback.builder().name("jvm_threads_daemon").help("Live daemon threads.")
        .callback(cb -> cb.call(threads.getDaemonThreadCount())).register(registry);
    GaugeWithCallback.builder().name("jvm_threads_peak")
        .help("Most live threads at once since the JVM started.")
        .callback(cb -> cb.call(threads.getPeakThreadCount())).register(registry);
  }

  private static void cluster(PrometheusRegistry registry, ActorSystem<?> system) {
    Cluster cluster = Cluster.get(system);
    GaugeWithCallback.builder().name("pekko_cluster_members")
        .help("Cluster members by status, as this node sees the membership.").labelNames("status")
        .callback(cb -> {
          Map<String, Integer> counts = new LinkedHashMap<>();
          for (String s : STATUSES) {
            counts.put(s, 0);
          }
          CurrentClusterState state = cluster.state();
          for (Member m : state.getMembers()) {
            counts.merge(m.status().toString(), 1, Integer::sum);
          }
          counts.forEach((s, n) -> cb.call(n, s));
        }).register(registry);
    GaugeWithCallback.builder().name("pekko_cluster_unreachable_members")
        .help("Members that this node or another observer currently finds unreachable.")
        .callback(cb -> cb.call(cluster.state().getUnreachable().size())).register(registry);
    GaugeWithCallback.builder().name("pekko_cluster_self_up")
        .help("1 when this node is Up or WeaklyUp in the cluster, else 0.")
        .callback(cb -> {
          MemberStatus s = cluster.selfMember().status();
          cb.call(s == MemberStatus.up() || s == MemberStatus.weaklyUp() ? 1 : 0);
        }).register(registry);
  }
}
