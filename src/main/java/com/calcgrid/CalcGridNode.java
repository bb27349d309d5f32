package com.calcgrid;

import com.calcgrid.api.AdminCheck;
import com.calcgrid.api.ClusterRoutes;
import com.calcgrid.api.HealthRoutes;
import com.calcgrid.api.HttpApi;
import com.calcgrid.api.JobEventsSocket;
import com.calcgrid.api.JobRoutes;
import com.calcgrid.api.Json;
import com.calcgrid.api.MetricsRoutes;
import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.cluster.ClusterView;
import com.calcgrid.cluster.NodeHealth;
import com.calcgrid.graph.GraphLimits;
import com.calcgrid.job.JobIndex;
import com.calcgrid.job.JobSupervisor;
import com.calcgrid.logging.NodeLogging;
import com.calcgrid.metrics.NodeMetrics;
import com.calcgrid.store.Database;
import com.calcgrid.worker.WorkerAgent;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One CalcGrid node: database, actor system and cluster membership, job supervisors (sharded),
 * the worker agent, HTTP API and management endpoints. {@code ./calcgrid node} runs one; tests
 * start the very same wiring in-process.
 */
public final class CalcGridNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CalcGridNode.class);

  private final ActorSystem<Void> system;
  private final Database database;
  private final JobIndex index;
  private final FunctionRegistry functions;
  private final ServerBinding http;
  private final int slots;

  private CalcGridNode(ActorSystem<Void> system, Database database, JobIndex index,
      FunctionRegistry functions, ServerBinding http, int slots) {
    this.system = system;
    this.database = database;
    this.index = index;
    this.functions = functions;
    this.http = http;
    this.slots = slots;
  }

  /**
   * The node's configuration: {@code overrides} first, then the overlay file named by
   * {@code CALCGRID_CONFIG} (if any), then application.conf with its environment overrides.
   */
  public static Config loadConfig(Map<String, ?> overrides) {
    return loadConfig(overrides, System.getenv("CALCGRID_CONFIG"));
  }

  /** As {@link #loadConfig(Map)}, with the overlay file given (null for none). */
  public static Config loadConfig(Map<String, ?> overrides, String overlay) {
    Config app = ConfigFactory.parseResourcesAnySyntax("application");
    if (overlay != null && !overlay.isBlank()) {
      Path file = Path.of(overlay);
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("CALCGRID_CONFIG names " + file.toAbsolutePath()
            + ", which is not a readable file");
      }
      app = ConfigFactory.parseFile(file.toFile()).withFallback(app);
    }
    Config unresolved = ConfigFactory.parseMap(overrides).withFallback(app);
    Config first = ConfigFactory.load(unresolved);
    // H2 refuses paths that are implicitly relative: pin the data dir to an absolute path
    Map<String, Object> fixed = new HashMap<>();
    fixed.put("calcgrid.data-dir", Path.of(first.getString("calcgrid.data-dir")).toAbsolutePath()
        .normalize().toString());
    int slots = first.getInt("calcgrid.worker.slots");
    int resolvedSlots = slots > 0 ? slots : Runtime.getRuntime().availableProcessors();
    fixed.put("calcgrid.worker.slots", resolvedSlots);
    fixed.put("calcgrid.calc-dispatcher.thread-pool-executor.fixed-pool-size", resolvedSlots);
    return ConfigFactory.load(ConfigFactory.parseMap(fixed).withFallback(unresolved));
  }

  /** Starts a node and returns once its HTTP API is bound. */
  public static CalcGridNode start(Config config) throws Exception {
    NodeLogging.setNodeAddress(config);
    Path dataDir = Path.of(config.getString("calcgrid.data-dir"));
    Database db = Database.open(config.getConfig("calcgrid.db"));
    if (db.dialect().equals("h2")) {
      Files.createDirectories(dataDir);
    }
    applySchemaWithRetry(db, config.getDuration("calcgrid.db.startup-timeout"));

    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "calcgrid", config);
    try {
      Cluster cluster = Cluster.get(system);
      NodeLogging.setNodeAddress(cluster.selfMember().address().toString());
      if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
      }
      Executor blocking = system.dispatchers()
          .lookup(DispatcherSelector.fromConfig("calcgrid.blocking-dispatcher"));
      JobIndex index = new JobIndex(db.dataSource(), blocking);
      // the journal is in the same database: the index's ping stands for both
      NodeHealth.get(system).databaseCheck(index::ping, Duration.ofSeconds(2));
      FunctionRegistry functions = FunctionRegistry.load();
      int slots = config.getInt("calcgrid.worker.slots");

      JobSupervisor.init(system, index, new JobSupervisor.Settings(
          config.getInt("calcgrid.job.snapshot-every"),
          config.getDuration("calcgrid.job.idle-after-finish")), Json.MAPPER);
      system.systemActorOf(WorkerAgent.create(slots, nodeName(cluster.selfMember().address()),
          functions, Json.MAPPER), "worker", Props.empty());

      ServerBinding binding = bindHttp(system, config, index, functions);
      PekkoManagement.get(system).start().toCompletableFuture().get(30, TimeUnit.SECONDS);
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(),
          "http-unbind", () -> binding.unbind().thenApply(x -> Done.getInstance()));
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
          "close-database", () -> {
            db.close();
            return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
          });
      resumeUnfinished(system, index);
      log.info("CalcGrid node up: HTTP on {}, {} worker slots, database {}",
          binding.localAddress(), slots, db.dialect());
      return new CalcGridNode(system, db, index, functions, binding, slots);
    } catch (Exception e) {
      system.terminate();
      db.close();
      throw e;
    }
  }

  private static ServerBinding bindHttp(ActorSystem<Void> system, Config config, JobIndex index,
      FunctionRegistry functions) throws Exception {
    Duration ask = config.getDuration("calcgrid.http.ask-timeout");
    Config graph = config.getConfig("calcgrid.graph");
    GraphLimits limits = new GraphLimits(graph.getInt("max-tasks"), graph.getInt("max-templates"),
        graph.getInt("max-deps-per-task"));
    JobRoutes jobs = new JobRoutes(ClusterSharding.get(system), index, functions, limits,
        new JobRoutes.Settings(ask, config.getInt("calcgrid.http.default-page"),
            config.getInt("calcgrid.http.max-page"), "default"),
        new JobEventsSocket(system, ask, config.getInt("calcgrid.http.websocket-buffer")));
    HealthRoutes health = new HealthRoutes(NodeHealth.get(system));
    ClusterRoutes cluster = new ClusterRoutes(system, new ClusterView(system,
        config.getDuration("calcgrid.http.cluster-probe-timeout")),
        AdminCheck.named(config.getString("calcgrid.http.admin-clients")));
    MetricsRoutes metrics = new MetricsRoutes(NodeMetrics.get(system), index, Duration.ofSeconds(2));
    return Http.get(system)
        .newServerAt(config.getString("calcgrid.host"), config.getInt("calcgrid.http.port"))
        .bind(HttpApi.root(jobs.routes(), health.routes(), cluster.routes(), metrics.routes()))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** The database may still be starting (containers start together): wait for it, bounded. */
  private static void applySchemaWithRetry(Database db, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        db.applySchema();
        return;
      } catch (java.sql.SQLException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the database did not answer within " + timeout
              + ": " + e.getMessage(), e);
        }
        log.warn("database not reachable yet ({}); retrying", e.getMessage());
        Thread.sleep(1000);
      }
    }
  }

  /** Jobs that were running when the node (or the whole cluster) stopped carry on. */
  private static void resumeUnfinished(ActorSystem<Void> system, JobIndex index) {
    ClusterSharding sharding = ClusterSharding.get(system);
    index.unfinished().whenComplete((ids, error) -> {
      if (error != null) {
        log.warn("could not list unfinished jobs to resume: {}", error.toString());
        return;
      }
      if (!ids.isEmpty()) {
        log.info("resuming {} unfinished job(s)", ids.size());
      }
      for (String id : ids) {
        sharding.entityRefFor(JobSupervisor.ENTITY_KEY, id).tell(JobSupervisor.Wake.INSTANCE);
      }
    });
  }

  /** {@code host:port} of a node's remoting address, as shown in task details. */
  public static String nodeName(Address address) {
    return address.getHost().orElse("local") + ":" + address.getPort().orElse(0);
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public int httpPort() {
    return http.localAddress().getPort();
  }

  public JobIndex index() {
    return index;
  }

  public FunctionRegistry functions() {
    return functions;
  }

  public int slots() {
    return slots;
  }

  /** Leaves the cluster and stops, waiting at most 30 seconds. */
  @Override
  public void close() throws Exception {
    if (system.getWhenTerminated().toCompletableFuture().isDone()) {
      return; // stopped already: it left the cluster or was downed
    }
    Http.get(system).shutdownAllConnectionPools().toCompletableFuture().get(10, TimeUnit.SECONDS);
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  Database database() {
    return database;
  }
}
