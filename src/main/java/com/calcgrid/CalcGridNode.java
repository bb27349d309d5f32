package com.calcgrid;

import com.calcgrid.api.AdminCheck;
import com.calcgrid.api.Authentication;
import com.calcgrid.api.ClusterRoutes;
import com.calcgrid.api.DashboardRoutes;
import com.calcgrid.api.HealthRoutes;
import com.calcgrid.api.HttpApi;
import com.calcgrid.api.JobRoutes;
import com.calcgrid.api.Json;
import com.calcgrid.api.MetricsRoutes;
import com.calcgrid.api.ScheduleRoutes;
import com.calcgrid.api.auth.AuthSettings;
import com.calcgrid.api.auth.BindPolicy;
import com.calcgrid.api.auth.TokenVerifier;
import com.calcgrid.api.events.JobEventsSocket;
import com.calcgrid.api.submit.Admission;
import com.calcgrid.api.submit.Submissions;
import com.calcgrid.calc.DataFiles;
import com.calcgrid.calc.ExternalFunctions;
import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.calc.process.ProcessAllowlist;
import com.calcgrid.cluster.ClusterView;
import com.calcgrid.cluster.NodeAddress;
import com.calcgrid.cluster.NodeHealth;
import com.calcgrid.cluster.Role;
import com.calcgrid.cluster.SeedNodes;
import com.calcgrid.gateway.GatewaySettings;
import com.calcgrid.gateway.WorkerGateway;
import com.calcgrid.graph.GraphLimits;
import com.calcgrid.graph.GraphParser;
import com.calcgrid.graph.JsonLimits;
import com.calcgrid.job.JobDeletion;
import com.calcgrid.job.JobRetention;
import com.calcgrid.job.JobSettings;
import com.calcgrid.job.JobSupervisor;
import com.calcgrid.job.Jobs;
import com.calcgrid.job.index.IdempotencyKeys;
import com.calcgrid.job.index.JobIndex;
import com.calcgrid.logging.NodeLogging;
import com.calcgrid.metrics.JobCounts;
import com.calcgrid.metrics.NodeMetrics;
import com.calcgrid.schedule.Schedules;
import com.calcgrid.store.Database;
import com.calcgrid.store.DatabaseSettings;
import com.calcgrid.worker.WorkerAgent;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
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
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
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
  /** The actor system's name: the same on every node, part of every cluster address. */
  public static final String SYSTEM_NAME = "calcgrid";

  private final ActorSystem<Void> system;
  private final Database database;
  private final Jobs jobs;
  private final FunctionRegistry functions;
  private final ServerBinding http;
  private final Admission admission;
  private final int slots;

  private CalcGridNode(ActorSystem<Void> system, Database database, Jobs jobs,
      FunctionRegistry functions, ServerBinding http, Admission admission, int slots) {
    this.system = system;
    this.database = database;
    this.jobs = jobs;
    this.functions = functions;
    this.http = http;
    this.admission = admission;
    this.slots = slots;
  }

  /** The bound HTTP server and the submission queue behind it. */
  private record HttpServer(ServerBinding binding, Admission admission) {}

  /**
   * The node's configuration: {@code overrides} first, then the overlay file named by
   * {@code CALCGRID_CONFIG} (if any), then application.conf with its environment overrides.
   */
  public static Config loadConfig(Map<String, ?> overrides) {
    return loadConfig(overrides, System.getenv("CALCGRID_CONFIG"));
  }

  /** As {@link #loadConfig(Map)}, with the overlay file given (null for none). */
  public static Config loadConfig(Map<String, ?> overrides, String overlay) {
    Config file = ConfigFactory.empty();
    if (overlay != null && !overlay.isBlank()) {
      Path path = Path.of(overlay);
      if (!Files.isRegularFile(path)) {
        throw new IllegalArgumentException("CALCGRID_CONFIG names " + path.toAbsolutePath()
            + ", which is not a readable file");
      }
      file = ConfigFactory.parseFile(path.toFile());
    }
    Config app = ConfigFactory.parseResourcesAnySyntax("application");
    Config unresolved = ConfigFactory.parseMap(overrides).withFallback(file).withFallback(app);
    Config first = ConfigFactory.load(unresolved);
    // The database's URL decides the driver, the journal's Slick profile and the defaults that
    // suit that database (db-postgres.conf): below the overlay and the overrides, above the rest.
    DatabaseSettings db = DatabaseSettings.fromConfig(first.getConfig("calcgrid.db"));
    Config dialect = ConfigFactory.parseResourcesAnySyntax("db-" + db.dialect().id);
    if (!dialect.isEmpty()) {
      unresolved = ConfigFactory.parseMap(overrides).withFallback(file).withFallback(dialect)
          .withFallback(app);
      first = ConfigFactory.load(unresolved);
      db = DatabaseSettings.fromConfig(first.getConfig("calcgrid.db"));
    }
    // H2 refuses paths that are implicitly relative: pin the data dir to an absolute path
    Map<String, Object> fixed = new HashMap<>();
    fixed.put("calcgrid.data-dir", Path.of(first.getString("calcgrid.data-dir")).toAbsolutePath()
        .normalize().toString());
    int slots = first.getInt("calcgrid.worker.slots");
    int resolvedSlots = slots > 0 ? slots : Runtime.getRuntime().availableProcessors();
    fixed.put("calcgrid.worker.slots", resolvedSlots);
    fixed.put("calcgrid.calc-dispatcher.thread-pool-executor.fixed-pool-size", resolvedSlots);
    fixed.put("pekko.cluster.roles", Role.parse(first.getString("calcgrid.roles")).stream()
        .map(Role::id).toList());
    fixed.putAll(db.journalOverrides("pekko-persistence-jdbc.shared-databases.calcgrid"));
    List<String> seeds = SeedNodes.parse(first.getString("calcgrid.seed-nodes"), SYSTEM_NAME);
    if (!seeds.isEmpty()) {
      fixed.put("pekko.cluster.seed-nodes", seeds);
    }
    return ConfigFactory.load(ConfigFactory.parseMap(fixed).withFallback(unresolved));
  }

  /**
   * Starts a node and returns once its HTTP API is bound.
   *
   * @throws BindPolicy.UnsafeBindException when authentication is off and the node would listen
   *     on a non-loopback address without the explicit opt-out
   * @throws IllegalArgumentException when the authentication settings are incomplete
   */
  public static CalcGridNode start(Config config) throws Exception {
    NodeLogging.setNodeAddress(config);
    AuthSettings authSettings = AuthSettings.fromConfig(config.getConfig("calcgrid.auth"));
    BindPolicy.Verdict verdict = BindPolicy.check(config, authSettings);
    TokenVerifier verifier = authSettings.enabled() ? TokenVerifier.create(authSettings) : null;
    FunctionRegistry functions = functions(config);
    // checked before anything starts: limits that do not fit refuse the node (exit 2)
    JobSettings jobSettings = JobSettings.fromConfig(config);
    JobRetention.Settings retention = JobRetention.Settings.fromConfig(config);
    GatewaySettings.fromConfig(config);
    WorkerAgent.Settings.fromConfig(config);
    Admission.Settings.fromConfig(config);
    Path dataDir = Path.of(config.getString("calcgrid.data-dir"));
    DatabaseSettings dbSettings = DatabaseSettings.fromConfig(config.getConfig("calcgrid.db"));
    if (dbSettings.dialect() == DatabaseSettings.Dialect.H2) {
      Files.createDirectories(dataDir);
    }
    // before anything else starts: a database the node cannot use ends the start with one line
    Database db = Database.open(dbSettings);
    try {
      db.awaitSchema();
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }

    Set<Role> roles = Role.parse(config.getString("calcgrid.roles"));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, config);
    try {
      Cluster cluster = Cluster.get(system);
      NodeLogging.setNodeAddress(cluster.selfMember().address().toString());
      boolean bootstrap = usesKubernetesDiscovery(config);
      if (!bootstrap && config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
      }
      Executor blocking = system.dispatchers()
          .lookup(DispatcherSelector.fromConfig("calcgrid.blocking-dispatcher"));
      Duration callTimeout = dbSettings.callTimeout();
      JobIndex index = new JobIndex(db.dataSource(), blocking, callTimeout);
      IdempotencyKeys keys = new IdempotencyKeys(db.dataSource(), blocking, callTimeout);
      NodeHealth.get(system).start(index::ping, NodeAddress.of(cluster.selfMember().address()),
          NodeHealth.Settings.fromConfig(config));
      new JobCounts(db.background(), NodeMetrics.get(system), callTimeout)
          .start(system, config.getDuration("calcgrid.metrics.jobs-refresh"));
      int slots = config.getInt("calcgrid.worker.slots");

      // on a node without the scheduler role this starts a proxy that routes to the others
      JobSupervisor.init(system, index, jobSettings, Json.MAPPER);
      JobDeletion deletion = new JobDeletion(db.dataSource(), blocking, callTimeout, index,
          retention.eventsPerBatch());
      Jobs jobs = new Jobs(system, index, Jobs.Settings.fromConfig(config), deletion);
      JobRetention.init(system, jobs, deletion, retention);
      if (roles.contains(Role.WORKER)) {
        WorkerAgent.Settings worker = WorkerAgent.Settings.fromConfig(config);
        system.systemActorOf(WorkerAgent.create(worker, NodeAddress.of(cluster.selfMember().address()),
            functions, Json.MAPPER), "worker", Props.empty());
      }

      Schedules schedules = Schedules.start(system, config, jobs, keys, functions,
          db.dataSource(), blocking);
      HttpServer server = bindHttp(system, config, jobs, keys, functions,
          new Authentication(verifier), roles, schedules);
      ServerBinding binding = server.binding();
      PekkoManagement.get(system).start().toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (bootstrap) {
        // finds the other pods through the Kubernetes API and forms or joins their cluster
        ClusterBootstrap.get(system).start();
      }
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(),
          "http-unbind", () -> binding.unbind().thenApply(x -> Done.getInstance()));
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
          "close-database", () -> {
            db.close();
            return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
          });
      jobs.wakeUnfinished();
      purgeIdempotencyKeys(system, keys, config.getDuration("calcgrid.idempotency.keep-for"));
      log.info("CalcGrid node up: roles {}, HTTP on {}, {} worker slots, database {}, "
          + "authentication {}", roles, binding.localAddress(),
          roles.contains(Role.WORKER) ? slots : 0, db.dialect(),
          verifier == null ? "off" : "on (" + verifier.algorithms() + ")");
      verdict.warnings().forEach(w -> log.warn("{}", w));
      return new CalcGridNode(system, db, jobs, functions, binding, server.admission(), slots);
    } catch (Exception e) {
      system.terminate();
      db.close();
      throw e;
    }
  }

  /** {@code calcgrid.discovery}: seed nodes (the default), or Kubernetes cluster bootstrap. */
  private static boolean usesKubernetesDiscovery(Config config) {
    String discovery = config.getString("calcgrid.discovery");
    return switch (discovery) {
      case "seed-nodes" -> false;
      case "kubernetes" -> true;
      default -> throw new IllegalArgumentException("calcgrid.discovery (CALCGRID_DISCOVERY): '"
          + discovery + "' is neither seed-nodes nor kubernetes");
    };
  }

  /**
   * The node's functions. {@code process.run} reads its allowlist, and functions that read files
   * their data roots, from the node's configuration as the functions are loaded.
   */
  public static FunctionRegistry functions(Config config) {
    ProcessAllowlist.install(ProcessAllowlist.fromConfig(config));
    DataFiles.install(DataFiles.fromConfig(config));
    return FunctionRegistry.load().withExternal(
        ExternalFunctions.parse(config.getString("calcgrid.external-functions")));
  }

  /** Every node serves health checks and metrics; only api nodes serve the job and cluster API. */
  private static HttpServer bindHttp(ActorSystem<Void> system, Config config, Jobs jobs,
      IdempotencyKeys keys, FunctionRegistry functions, Authentication auth, Set<Role> roles,
      Schedules schedules) throws Exception {
    Admission admission = Admission.fromConfig(config);
    ClusterSharding sharding = ClusterSharding.get(system);
    Submissions submissions = new Submissions(jobs, keys, functions,
        new GraphParser(JsonLimits.fromConfig(config)), GraphLimits.fromConfig(config),
        admission, Submissions.Settings.fromConfig(config));
    JobRoutes jobRoutes = new JobRoutes(sharding, jobs, submissions, auth,
        JobRoutes.Settings.fromConfig(config),
        new JobEventsSocket(system, jobs::job, JobEventsSocket.Settings.fromConfig(config)));
    HealthRoutes health = new HealthRoutes(NodeHealth.get(system));
    MetricsRoutes metrics = new MetricsRoutes(NodeMetrics.get(system));
    ClusterRoutes cluster = new ClusterRoutes(system, new ClusterView(system,
        config.getDuration("calcgrid.http.cluster-probe-timeout")),
        AdminCheck.named(config.getString("calcgrid.http.admin-clients")), auth,
        config.getBoolean("calcgrid.http.admin-without-auth"));
    ScheduleRoutes scheduleRoutes = new ScheduleRoutes(sharding, schedules.index(), jobs.index(),
        schedules.requests(), auth, ScheduleRoutes.Settings.fromConfig(config));
    Route root = roles.contains(Role.API)
        ? HttpApi.root(health.routes(), metrics.routes(), jobRoutes.routes(), cluster.routes(),
            scheduleRoutes.routes(), new DashboardRoutes(auth).routes(),
            new WorkerGateway(system, GatewaySettings.fromConfig(config), functions, auth,
                NodeAddress.of(Cluster.get(system).selfMember().address())).routes())
        : HttpApi.root(health.routes(), metrics.routes());
    ServerBinding binding = Http.get(system)
        .newServerAt(config.getString("calcgrid.host"), config.getInt("calcgrid.http.port"))
        .bind(root)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    return new HttpServer(binding, admission);
  }

  /** Keys older than {@code keepFor} are forgotten at start and every hour. */
  private static void purgeIdempotencyKeys(ActorSystem<Void> system, IdempotencyKeys keys,
      Duration keepFor) {
    system.scheduler().scheduleWithFixedDelay(Duration.ofSeconds(5), Duration.ofHours(1),
        () -> keys.purge(java.time.Instant.now().minus(keepFor)).whenComplete((n, e) -> {
          if (e != null) {
            log.warn("could not purge old idempotency keys: {}", e.toString());
          } else if (n > 0) {
            log.info("forgot {} idempotency key(s) older than {}", n, keepFor);
          }
        }), system.executionContext());
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public int httpPort() {
    return http.localAddress().getPort();
  }

  public JobIndex index() {
    return jobs.index();
  }

  /** The jobs of the cluster, as this node reaches them. */
  public Jobs jobs() {
    return jobs;
  }

  public FunctionRegistry functions() {
    return functions;
  }

  public int slots() {
    return slots;
  }

  /** The node's submission queue: in flight now, and the most ever. */
  public Admission admission() {
    return admission;
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
