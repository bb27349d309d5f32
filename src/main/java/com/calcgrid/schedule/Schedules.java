package com.calcgrid.schedule;

import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.graph.GraphLimits;
import com.calcgrid.graph.GraphParser;
import com.calcgrid.graph.JsonLimits;
import com.calcgrid.job.Jobs;
import com.calcgrid.job.index.IdempotencyKeys;
import com.typesafe.config.Config;
import java.time.Clock;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schedules on one node: the sharded entities (a proxy on nodes without the scheduler role),
 * the directory of schedules, and the checks of requests; every listed schedule is woken at
 * start so that its timer runs without anyone asking.
 */
public final class Schedules {
  private static final Logger log = LoggerFactory.getLogger(Schedules.class);

  private final ScheduleIndex index;
  private final ScheduleRequest requests;

  private Schedules(ScheduleIndex index, ScheduleRequest requests) {
    this.index = index;
    this.requests = requests;
  }

  /** Reads {@code calcgrid.schedules}, {@code calcgrid.graph} and {@code calcgrid.limits}. */
  public static Schedules start(ActorSystem<?> system, Config config, Jobs jobs,
      IdempotencyKeys keys, FunctionRegistry functions, DataSource db, Executor blocking) {
    Config c = config.getConfig("calcgrid.schedules");
    Config graph = config.getConfig("calcgrid.graph");
    GraphLimits graphLimits = new GraphLimits(graph.getInt("max-tasks"),
        graph.getInt("max-templates"), graph.getInt("max-deps-per-task"));
    JsonLimits json = JsonLimits.fromConfig(config);
    ScheduleRequest.Limits limits = new ScheduleRequest.Limits(c.getInt("max-per-tenant"),
        c.getDuration("min-interval"), (int) c.getMemorySize("max-graph-bytes").toBytes(),
        c.getDuration("max-catch-up-window"));
    if (limits.maxPerTenant() < 1 || limits.minInterval().toMillis() < 1000) {
      throw new IllegalArgumentException("calcgrid.schedules: max-per-tenant must be at least 1 "
          + "and min-interval at least 1s (cron expressions count in seconds)");
    }
    ScheduleIndex index = new ScheduleIndex(db, blocking);
    FiringSubmitter submitter = new FiringSubmitter(jobs, keys, functions,
        new GraphParser(json), graphLimits);
    ScheduleEntity.init(system, submitter, index, new ScheduleEntity.Settings(
        c.getInt("max-backfill"), c.getDuration("late-tolerance"), c.getDuration("buffer-poll"),
        c.getDuration("retry-delay"), c.getDuration("refuse-after")), Clock.systemUTC());
    wakeAll(system, index);
    return new Schedules(index, new ScheduleRequest(json, functions, graphLimits, limits));
  }

  private static void wakeAll(ActorSystem<?> system, ScheduleIndex index) {
    ClusterSharding sharding = ClusterSharding.get(system);
    index.ids().whenComplete((ids, error) -> {
      if (error != null) {
        log.warn("could not list schedules to wake: {}", error.toString());
        return;
      }
      if (!ids.isEmpty()) {
        log.info("waking {} schedule(s)", ids.size());
      }
      for (String id : ids) {
        sharding.entityRefFor(ScheduleEntity.ENTITY_KEY, id).tell(ScheduleEntity.Wake.INSTANCE);
      }
    });
  }

  public ScheduleIndex index() {
    return index;
  }

  public ScheduleRequest requests() {
    return requests;
  }
}
