package com.calcgrid.job.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.job.JobStatus;
import com.calcgrid.job.index.JobIndex.Admitted;
import com.calcgrid.job.index.JobIndex.Decision;
import com.calcgrid.store.Database;
import com.typesafe.config.ConfigFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The job index on a real H2: admissions that arrive together are decided against the limits
 * one after the other and committed together, a finished job makes room, and one bad row does
 * not fail the others written with it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobIndexTest {
  private final Database db = Database.open(ConfigFactory.parseMap(Map.of(
      "url", "jdbc:h2:mem:index-test;DB_CLOSE_DELAY=-1", "user", "sa", "password", "",
      "pool-size", 4, "connection-timeout", "3s")));
  private final ExecutorService blocking = Executors.newFixedThreadPool(4);
  private final Instant now = Instant.parse("2026-11-24T12:00:00Z");

  @BeforeEach
  void fresh() throws Exception {
    db.applySchema();
    try (var c = db.dataSource().getConnection(); var st = c.createStatement()) {
      st.execute("DELETE FROM calcgrid_jobs");
    }
  }

  @AfterAll
  void stop() {
    blocking.shutdownNow();
    db.close();
  }

  @Test
  void admissionsArrivingTogetherAreWrittenByOneDrainAndCountedExactly() throws Exception {
    // the writer's drain is held until every admission is queued: they must all share it
    ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
    JobIndex index = new JobIndex(db.dataSource(), held::add);
    List<CompletableFuture<Decision>> a = new ArrayList<>();
    List<CompletableFuture<Decision>> b = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      a.add(index.admit("a-" + i, "a", "job", 2, now, 10, 15).toCompletableFuture());
    }
    for (int i = 0; i < 10; i++) {
      b.add(index.admit("b-" + i, "b", "job", 2, now, 10, 15).toCompletableFuture());
    }
    assertEquals(1, held.size(), "one drain for everything queued while none ran");
    held.poll().run();

    assertEquals(10, count(a, Admitted.ADMITTED), "tenant a stops at its limit");
    assertEquals(20, count(a, Admitted.TENANT_FULL));
    // a's 10 and b's first 5 fill the cluster's 15, in the order they arrived
    assertEquals(5, count(b, Admitted.ADMITTED));
    assertEquals(5, count(b, Admitted.CLUSTER_FULL));
    Map<JobStatus, Long> states = get(new JobIndex(db.dataSource(), blocking).countByState());
    assertEquals(15L, states.get(JobStatus.RUNNING), "every admitted job is listed, no other");
  }

  @Test
  void aJobListedBeforeOrEarlierInTheSameBatchIsAlreadyListed() throws Exception {
    JobIndex index = new JobIndex(db.dataSource(), blocking);
    assertEquals(Admitted.ADMITTED, get(index.admit("x", "t", "job", 1, now, 5, 5)).outcome());
    ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
    JobIndex gated = new JobIndex(db.dataSource(), held::add);
    var again = gated.admit("x", "t", "job", 1, now, 5, 5).toCompletableFuture();
    var first = gated.admit("y", "t", "job", 1, now, 5, 5).toCompletableFuture();
    var second = gated.admit("y", "t", "job", 1, now, 5, 5).toCompletableFuture();
    held.poll().run();
    assertEquals(Admitted.ALREADY_LISTED, get(again).outcome());
    assertEquals(Admitted.ADMITTED, get(first).outcome());
    assertEquals(Admitted.ALREADY_LISTED, get(second).outcome());
    assertEquals(2, get(index.unfinished()).size());
  }

  @Test
  void aFinishedJobMakesRoomAndIsListedAsFinished() throws Exception {
    JobIndex index = new JobIndex(db.dataSource(), blocking);
    assertEquals(Admitted.ADMITTED, get(index.admit("p", "t", "job", 1, now, 1, 10)).outcome());
    assertEquals(Admitted.TENANT_FULL, get(index.admit("q", "t", "job", 1, now, 1, 10)).outcome());
    ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
    JobIndex gated = new JobIndex(db.dataSource(), held::add);
    var finished = gated.recordFinished("p", JobStatus.SUCCEEDED, now.toEpochMilli() + 5)
        .toCompletableFuture();
    // queued after the finish, in the same transaction: the finish is applied first
    var next = gated.admit("q", "t", "job", 1, now, 1, 10).toCompletableFuture();
    held.poll().run();
    get(finished);
    assertEquals(Admitted.ADMITTED, get(next).outcome());
    JobIndex.Entry p = get(index.list("t", JobStatus.SUCCEEDED, 0, 10)).jobs().get(0);
    assertEquals("p", p.id());
    assertEquals(now.plusMillis(5), p.finishedAt());
    assertEquals(List.of("q"), get(index.unfinished()));
  }

  @Test
  void aRowTheDatabaseRefusesFailsAloneAndTheOthersAreStored() throws Exception {
    ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
    JobIndex gated = new JobIndex(db.dataSource(), held::add);
    var good1 = gated.admit("g1", "t", "job", 1, now, 10, 10).toCompletableFuture();
    // the name column holds 200 characters
    var bad = gated.admit("bad", "t", "n".repeat(300), 1, now, 10, 10).toCompletableFuture();
    var good2 = gated.admit("g2", "t", "job", 1, now, 10, 10).toCompletableFuture();
    held.poll().run();
    assertEquals(Admitted.ADMITTED, get(good1).outcome());
    assertEquals(Admitted.ADMITTED, get(good2).outcome());
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> bad.get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof java.sql.SQLException, e.toString());
    JobIndex index = new JobIndex(db.dataSource(), blocking);
    assertEquals(List.of("g1", "g2"), get(index.unfinished()).stream().sorted().toList());
  }

  @Test
  void aFinishWithNoSubmissionAroundIsWrittenOnItsOwn() throws Exception {
    JobIndex index = new JobIndex(db.dataSource(), blocking);
    assertEquals(Admitted.ADMITTED, get(index.admit("f", "t", "job", 1, now, 5, 5)).outcome());
    assertNull(get(index.recordFinished("f", JobStatus.FAILED, now.toEpochMilli())));
    assertEquals(List.of("f"), get(index.list(null, JobStatus.FAILED, 0, 10)).jobs().stream()
        .map(JobIndex.Entry::id).toList());
    // a job the index does not list: nothing to change, and the stage still completes
    assertNull(get(index.recordFinished("nobody", JobStatus.FAILED, now.toEpochMilli())));
    assertFalse(get(index.countByState()).get(JobStatus.RUNNING) > 0);
  }

  @Test
  void onlyARunningRowOlderThanTheCutOffIsForgotten() throws Exception {
    JobIndex index = new JobIndex(db.dataSource(), blocking);
    Instant cutOff = now.minusSeconds(300);
    get(index.admit("stale", "t", "job", 1, cutOff.minusSeconds(1), 5, 5));
    get(index.admit("fresh", "t", "job", 1, cutOff.plusSeconds(1), 5, 5));
    get(index.admit("ended", "t", "job", 1, cutOff.minusSeconds(1), 5, 5));
    get(index.recordFinished("ended", JobStatus.SUCCEEDED, now.toEpochMilli()));
    for (String id : List.of("stale", "fresh", "ended")) {
      get(index.forget(id, cutOff));
    }
    // a fresh row may belong to a submission still on its way to its supervisor
    assertEquals(List.of("fresh"), get(index.unfinished()));
    assertEquals(List.of("ended"), get(index.list(null, JobStatus.SUCCEEDED, 0, 10)).jobs()
        .stream().map(JobIndex.Entry::id).toList());
  }

  private static long count(List<CompletableFuture<Decision>> decisions, Admitted outcome)
      throws Exception {
    long n = 0;
    for (CompletableFuture<Decision> d : decisions) {
      if (get(d).outcome() == outcome) {
        n++;
      }
    }
    return n;
  }

  private static <T> T get(java.util.concurrent.CompletionStage<T> stage)
      throws InterruptedException, ExecutionException, TimeoutException {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
