package com.calcgrid.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.api.Json;
import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.graph.GraphLimits;
import com.calcgrid.graph.GraphSpec;
import com.calcgrid.graph.GraphValidator;
import com.calcgrid.job.JobSettings;
import com.calcgrid.job.index.JobIndex;
import com.calcgrid.store.Database;
import com.calcgrid.testing.Api;
import com.calcgrid.worker.WorkerAgent;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.JournalOperation;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.ProcessingPolicy;
import org.apache.pekko.persistence.testkit.ProcessingResult;
import org.apache.pekko.persistence.testkit.ProcessingSuccess;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.Test;

/**
 * A journal that takes 2 s for every write while 8 workers run 1 ms tasks with deep queues:
 * thousands of reports arrive while the supervisor waits for each write, and every one of them
 * must be held and counted. Every task ends SUCCEEDED at its first attempt.
 *
 * <p>With Pekko's default stash (4096) and no bound on what is out, as before
 * calcgrid.job.max-in-flight, this very setup logs "Stash buffer is full, dropping message
 * [TaskFinished]" within the second write and those tasks later fail as lost.
 */
class SlowJournalIT {
  private static final int TASKS = 10000;
  private static final int WORKERS = 8;
  private static final long WRITE_DELAY_MS = 2000;

  /** Every write of events waits; reads do not. */
  private static final class SlowWrites implements ProcessingPolicy<JournalOperation> {
    final AtomicInteger writes = new AtomicInteger();

    @Override
    public ProcessingResult tryProcess(String persistenceId, JournalOperation op) {
      if (op instanceof WriteEvents) {
        writes.incrementAndGet();
        LockSupport.parkNanos(WRITE_DELAY_MS * 1_000_000);
      }
      return ProcessingSuccess.getInstance();
    }
  }

  @Test
  void noReportIsDroppedWhileTheJournalIsSlow() throws Exception {
    Config config = PersistenceTestKitPlugin.getInstance().config()
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(ConfigFactory.parseString("""
            pekko.actor.provider = local
            calcgrid.calc-dispatcher.thread-pool-executor.fixed-pool-size = 16
            """))
        .withFallback(ConfigFactory.load());
    ActorTestKit testKit = ActorTestKit.create("SlowJournalIT", config);
    Database db = Database.open(ConfigFactory.parseMap(Map.of(
        "url", "jdbc:h2:mem:slow-journal;DB_CLOSE_DELAY=-1", "user", "sa", "password", "",
        "pool-size", 2, "connection-timeout", "3s")));
    try {
      db.applySchema();
      SlowWrites slow = new SlowWrites();
      PersistenceTestKit.create(testKit.system()).withPolicy(slow);
      for (int w = 0; w < WORKERS; w++) {
        // deep queues: without a bound each worker would take thousands of hand-outs
        testKit.spawn(WorkerAgent.create(new WorkerAgent.Settings(2, 2048,
                Duration.ofSeconds(10), Duration.ofSeconds(5), 1 << 20), "w" + w + ":1",
            FunctionRegistry.load(), Json.MAPPER), "worker-" + w);
      }
      // the product's settings (max-in-flight, stash capacity) as the node reads them
      JobSettings settings = JobSettings.fromConfig(config);
      assertEquals(16384, config.getInt("pekko.persistence.typed.stash-capacity"));
      TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
      ActorRef<JobSupervisor.Command> job = testKit.spawn(JobSupervisor.create("slow-1",
          new JobIndex(db.dataSource(), Executors.newSingleThreadExecutor()),
          new JobSettings(1000, Duration.ofMinutes(1), settings.flushDelay(),
              Duration.ofSeconds(5), settings.maxInFlight(), settings.maxLostWorkers(),
              settings.maxInputBytes()), Json.MAPPER, shard.ref()));
      GraphSpec spec = GraphValidator.parseAndValidate(("""
          {"name": "slow-journal", "tasks": [{"id": "t", "fn": "util.sleep",
           "params": {"ms": 1}, "timeoutMs": 5000,
           "forEach": {"param": "value", "range": [0, %d]}}]}""").formatted(TASKS)
          .getBytes(StandardCharsets.UTF_8), FunctionRegistry.load(), GraphLimits.DEFAULT);
      TestProbe<StatusReply<JobSupervisor.Accepted>> submitted = testKit.createTestProbe();
      job.tell(new JobSupervisor.Submit(spec, "desk", submitted.ref()));
      submitted.expectMessageClass(StatusReply.class, Duration.ofSeconds(30));

      TestProbe<JobSupervisor.JobReply> views = testKit.createTestProbe();
      JobView done = Api.await(() -> {
        job.tell(new JobSupervisor.GetJob(views.ref()));
        return views.expectMessageClass(JobSupervisor.JobReply.class, Duration.ofSeconds(30))
            .job();
      }, Duration.ofSeconds(300), v -> v.state().finished());
      assertEquals(JobStatus.SUCCEEDED, done.state(), done.toString());
      assertEquals(Map.of("SUCCEEDED", TASKS), done.counts());
      TestProbe<JobSupervisor.TaskReply> tasks = testKit.createTestProbe();
      for (int i = 0; i < TASKS; i += 97) {
        job.tell(new JobSupervisor.GetTask("t[" + i + "]", tasks.ref()));
        assertEquals(1, tasks.receiveMessage(Duration.ofSeconds(30)).task().attempts(),
            "t[" + i + "] ran once");
      }
      assertTrue(slow.writes.get() >= 3, "writes were slow: " + slow.writes.get());
      System.out.printf("slow journal: %d tasks in %d writes of %d ms each%n", TASKS,
          slow.writes.get(), WRITE_DELAY_MS);
    } finally {
      testKit.shutdownTestKit();
      db.close();
    }
  }
}
