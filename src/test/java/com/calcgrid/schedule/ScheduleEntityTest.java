package com.calcgrid.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.api.Json;
import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.graph.GraphLimits;
import com.calcgrid.graph.GraphParser;
import com.calcgrid.graph.JsonLimits;
import com.calcgrid.job.JobSettings;
import com.calcgrid.job.JobSupervisor;
import com.calcgrid.job.Jobs;
import com.calcgrid.job.index.IdempotencyKeys;
import com.calcgrid.job.index.JobIndex;
import com.calcgrid.schedule.Firing.Kind;
import com.calcgrid.schedule.ScheduleEvent.FiringRecorded;
import com.calcgrid.schedule.ScheduleEvent.ScheduleCreated;
import com.calcgrid.store.Database;
import com.calcgrid.testing.Api;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The schedule entity with a test clock, on a one-node cluster whose job supervisors are real
 * (the in-memory journal, the job index on H2): what it persists when firings come due, catch-up
 * after an outage, and that recovery submits a recorded firing again under the same job id and
 * never makes a second job. Commands, events and state go through their serializers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScheduleEntityTest {
  private static final String QUICK = "{\"name\":\"quick\",\"tasks\":[{\"id\":\"a\","
      + "\"fn\":\"util.sum\",\"params\":{\"value\":1}}]}";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      // any free port: a node running on this machine holds the default one
      .withFallback(ConfigFactory.parseString("pekko.remote.artery.canonical.port = 0"))
      .withFallback(ConfigFactory.parseMap(Map.of(
          "pekko.actor.provider", "cluster",
          "pekko.remote.artery.canonical.port", 0,
          "pekko.remote.artery.canonical.hostname", "127.0.0.1",
          "pekko.cluster.roles", List.of("scheduler"))))
      .withFallback(ConfigFactory.parseResources("serialization.conf"))
      .withFallback(ConfigFactory.load()));
  private final Database db = Database.open(ConfigFactory.parseMap(Map.of(
      "url", "jdbc:h2:mem:schedule-entity-test;DB_CLOSE_DELAY=-1", "user", "sa",
      "password", "", "pool-size", 2, "connection-timeout", "3s")));
  private final JobIndex jobs = new JobIndex(db.dataSource(), Executors.newFixedThreadPool(2));
  private final ScheduleIndex schedules = new ScheduleIndex(db.dataSource(),
      Executors.newSingleThreadExecutor());
  private FiringSubmitter submitter;
  private final TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();

  @BeforeAll
  void start() throws Exception {
    db.applySchema();
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    Api.await(() -> cluster.selfMember().status(), WAIT, s -> s == MemberStatus.up());
    JobSupervisor.init(testKit.system(), jobs, new JobSettings(100,
        Duration.ofMinutes(1), Duration.ofMillis(5), Duration.ofSeconds(60)), Json.MAPPER);
    submitter = new FiringSubmitter(new Jobs(testKit.system(), jobs,
            new Jobs.Settings(Duration.ofSeconds(10), 50, 500)),
        new IdempotencyKeys(db.dataSource(), Executors.newSingleThreadExecutor()),
        FunctionRegistry.load(), new GraphParser(JsonLimits.DEFAULT), GraphLimits.DEFAULT);
  }

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
    db.close();
  }

  private EventSourcedBehaviorTestKit<ScheduleEntity.Command, ScheduleEvent, ScheduleState> kit(
      String id, TestClock clock) {
    return EventSourcedBehaviorTestKit.create(testKit.system(), ScheduleEntity.create(id,
            submitter, schedules, new ScheduleEntity.Settings(10, Duration.ofSeconds(5),
                Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofMinutes(1)), clock,
            shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings());
  }

  private static ScheduleSpec spec(String cron, String zone, Overlap overlap, Duration window) {
    return new ScheduleSpec("t", cron, zone, overlap, window, QUICK, null, null);
  }

  private static ScheduleView create(
      EventSourcedBehaviorTestKit<ScheduleEntity.Command, ScheduleEvent, ScheduleState> kit,
      ScheduleSpec spec) {
    var result = kit.<StatusReply<ScheduleView>>runCommand(
        reply -> new ScheduleEntity.Create("desk", spec, false, reply));
    assertInstanceOf(ScheduleCreated.class, result.event());
    return result.reply().getValue();
  }

  @Test
  void aFiringInTheSpringGapRunsOnceAtTheEndOfTheGap() throws Exception {
    String id = UUID.randomUUID().toString();
    TestClock clock = new TestClock(Instant.parse("2025-03-29T23:00:00Z"));
    var kit = kit(id, clock);
    ScheduleView view = create(kit, spec("0 30 1 * * ?", "Europe/London", Overlap.ALLOW,
        Duration.ofHours(1)));
    // 01:30 does not exist on 30 March in London: 02:00 BST (01:00Z), then 01:30 BST daily
    assertEquals(List.of(Instant.parse("2025-03-30T01:00:00Z"),
        Instant.parse("2025-03-31T00:30:00Z")), view.nextFirings().subList(0, 2));

    clock.set(Instant.parse("2025-03-30T00:59:59Z"));
    assertTrue(kit.runCommand(ScheduleEntity.Tick.INSTANCE).events().isEmpty(), "not yet due");
    clock.set(Instant.parse("2025-03-30T01:00:00.200Z"));
    var fired = kit.runCommand(ScheduleEntity.Tick.INSTANCE);
    FiringRecorded recorded = (FiringRecorded) fired.event();
    assertEquals(Instant.parse("2025-03-30T01:00:00Z"), recorded.scheduledFor());
    assertEquals(FiringSubmitter.jobIdFor("desk", id, recorded.scheduledFor(), Kind.SCHEDULED),
        recorded.job());
    ScheduleState done = Api.await(kit::getState, WAIT, s -> s.fired() == 1);
    assertEquals(Firing.Outcome.SUBMITTED, done.history().get(0).outcome());
    assertEquals(1, jobsOf(id).size());
    // later the same night nothing more is due
    clock.set(Instant.parse("2025-03-30T02:30:00Z"));
    assertTrue(kit.runCommand(ScheduleEntity.Tick.INSTANCE).events().isEmpty());
  }

  @Test
  void afterAnOutageFiringsWithinTheWindowRunInOrderAndOlderOnesAreMissed() throws Exception {
    String id = UUID.randomUUID().toString();
    TestClock clock = new TestClock(Instant.parse("2025-06-02T00:10:00Z"));
    var kit = kit(id, clock);
    create(kit, spec("0 0 * * * ?", "UTC", Overlap.ALLOW, Duration.ofMinutes(90)));
    // down from 00:10 to 05:05: 01:00 to 03:00 are older than 90 minutes, 04:00 and 05:00 not
    clock.set(Instant.parse("2025-06-02T05:05:00Z"));
    kit.runCommand(ScheduleEntity.Tick.INSTANCE);
    ScheduleState s = Api.await(kit::getState, WAIT,
        st -> st.fired() == 2 && st.pending().isEmpty());
    assertEquals(3, s.missedCount());
    assertEquals(Instant.parse("2025-06-02T01:00:00Z"), s.missed().get(0).from());
    assertEquals(Instant.parse("2025-06-02T03:00:00Z"), s.missed().get(0).to());
    // recorded in order (their jobs are submitted side by side, as the overlap is allow)
    assertEquals(List.of(Instant.parse("2025-06-02T04:00:00Z"),
            Instant.parse("2025-06-02T05:00:00Z")),
        kit.persistenceTestKit().persistedInStorage("Schedule|" + id).stream()
            .filter(e -> e instanceof FiringRecorded)
            .map(e -> ((FiringRecorded) e).scheduledFor()).toList());
    assertEquals(2, jobsOf(id).size());

    // the state, with its cursor, survives a restart: nothing runs twice
    kit.restart();
    ScheduleState recovered = kit.getState();
    assertEquals(s.cursor(), recovered.cursor());
    assertEquals(s.history(), recovered.history());
    assertTrue(kit.runCommand(ScheduleEntity.Tick.INSTANCE).events().isEmpty());
  }

  @Test
  void aFiringRecordedBeforeACrashIsSubmittedOnRecoveryExactlyOnce() throws Exception {
    String id = UUID.randomUUID().toString();
    TestClock clock = new TestClock(Instant.parse("2025-06-02T12:00:05Z"));
    var kit = kit(id, clock);
    Instant t = Instant.parse("2025-06-02T12:00:00Z");
    String job = FiringSubmitter.jobIdFor("desk", id, t, Kind.SCHEDULED);
    // the node stopped after recording the firing and before submitting its job
    kit.persistenceTestKit().persistForRecovery("Schedule|" + id, List.of(
        new ScheduleCreated(id, "desk", spec("0 0 12 * * ?", "UTC", Overlap.SKIP,
            Duration.ofMinutes(5)), false, Instant.parse("2025-06-02T11:00:00Z")),
        new FiringRecorded(t, Kind.SCHEDULED, job, Instant.parse("2025-06-02T12:00:00.010Z"))));
    kit.restart();
    ScheduleState s = Api.await(kit::getState, WAIT, st -> st.fired() == 1);
    assertEquals(job, s.history().get(0).job());
    assertEquals(List.of(job), jobsOf(id).stream().map(JobIndex.Entry::id).toList());
    assertEquals(t, jobsOf(id).get(0).scheduledFor());
  }

  @Test
  void aFiringWhoseJobWasCreatedBeforeTheCrashFindsThatJob() throws Exception {
    String id = UUID.randomUUID().toString();
    TestClock clock = new TestClock(Instant.parse("2025-06-02T12:00:05Z"));
    var kit = kit(id, clock);
    Instant t = Instant.parse("2025-06-02T12:00:00Z");
    String job = FiringSubmitter.jobIdFor("desk", id, t, Kind.SCHEDULED);
    Firing firing = new Firing(t, Kind.SCHEDULED, Firing.Outcome.RECORDED, job, t, null);
    // the job was submitted, but its acceptance never reached the schedule's journal
    assertEquals(FiringSubmitter.Result.CREATED, submitter.submit("desk", id, firing, QUICK)
        .toCompletableFuture().get(30, TimeUnit.SECONDS).result());
    kit.persistenceTestKit().persistForRecovery("Schedule|" + id, List.of(
        new ScheduleCreated(id, "desk", spec("0 0 12 * * ?", "UTC", Overlap.SKIP,
            Duration.ofMinutes(5)), false, Instant.parse("2025-06-02T11:00:00Z")),
        new FiringRecorded(t, Kind.SCHEDULED, job, t)));
    kit.restart();
    ScheduleState s = Api.await(kit::getState, WAIT, st -> st.fired() == 1);
    assertEquals("the job existed already", s.history().get(0).detail());
    assertEquals(1, jobsOf(id).size(), "one job for the firing");
  }

  @Test
  void pausedAndChangedStateSurvivesRestart() {
    String id = UUID.randomUUID().toString();
    TestClock clock = new TestClock(Instant.parse("2025-06-02T09:00:00Z"));
    var kit = kit(id, clock);
    create(kit, spec("0 30 18 ? * MON-FRI", "Europe/London", Overlap.BUFFER_ONE,
        Duration.ofMinutes(10)));
    ScheduleSpec changed = spec("0 0 7 ? * MON-FRI", "America/New_York", Overlap.SKIP,
        Duration.ofMinutes(10));
    var r = kit.<ScheduleEntity.ViewReply>runCommand(
        reply -> new ScheduleEntity.Change(changed, true, reply));
    assertEquals(2, r.events().size());
    assertTrue(r.reply().schedule().paused());
    assertTrue(r.reply().schedule().nextFirings().isEmpty());
    kit.restart();
    ScheduleView after = kit.<ScheduleEntity.ViewReply>runCommand(ScheduleEntity.Get::new)
        .reply().schedule();
    assertTrue(after.paused());
    assertEquals("America/New_York", after.timeZone());
    assertEquals("skip", after.overlap());
    // resumed on Monday 09:00Z: the next is 07:00 New York = 11:00Z
    var resumed = kit.<ScheduleEntity.ViewReply>runCommand(
        reply -> new ScheduleEntity.Change(null, false, reply));
    assertEquals(Instant.parse("2025-06-02T11:00:00Z"),
        resumed.reply().schedule().nextFirings().get(0));
    // deleted: gone for every request, and passivated
    var deleted = kit.<ScheduleEntity.ViewReply>runCommand(ScheduleEntity.Delete::new);
    assertFalse(deleted.reply().schedule() == null);
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    assertEquals(null, kit.<ScheduleEntity.ViewReply>runCommand(ScheduleEntity.Get::new)
        .reply().schedule());
  }

  @Test
  void aBackfillBeyondTheLimitIsRefusedAndChangesNothing() {
    String id = UUID.randomUUID().toString();
    TestClock clock = new TestClock(Instant.parse("2025-06-30T09:00:00Z"));
    var kit = kit(id, clock);
    create(kit, spec("0 0 12 * * ?", "UTC", Overlap.ALLOW, Duration.ofMinutes(10)));
    var refused = kit.<StatusReply<ScheduleEntity.Requested>>runCommand(reply ->
        new ScheduleEntity.Backfill(Instant.parse("2025-06-01T00:00:00Z"),
            Instant.parse("2025-06-29T00:00:00Z"), reply));
    assertTrue(refused.reply().isError());
    assertTrue(refused.reply().getError().getMessage().contains("max-backfill 10"),
        refused.reply().getError().getMessage());
    assertTrue(refused.events().isEmpty());
  }

  private List<JobIndex.Entry> jobsOf(String schedule) throws Exception {
    return jobs.list(null, null, null, schedule, 0, 100).toCompletableFuture()
        .get(10, TimeUnit.SECONDS).jobs();
  }
}
