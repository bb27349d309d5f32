package com.calcgrid.job.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.calcgrid.job.index.JobIndex.Admitted;
import com.calcgrid.job.index.JobIndex.Decision;
import com.calcgrid.store.Database;
import com.calcgrid.testing.Postgres;
import com.typesafe.config.ConfigFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two nodes' job indexes (each its own connection pool and writer) on one real PostgreSQL admit
 * a tenant's jobs at the same moment: exactly as many as its limit are listed, however the two
 * nodes' transactions interleave. Without the cluster-wide admission lock both would count the
 * same free places and list about twice the limit.
 */
class ClusterAdmissionPostgresIT {
  private static final int LIMIT = 20;
  private static final int PER_NODE = 60;
  private static final int ROUNDS = 5;

  private static Database open(Postgres.Db db) {
    return Database.open(ConfigFactory.parseMap(Map.of("url", db.url(), "user", db.user(),
        "password", db.password(), "pool-size", 4, "connection-timeout", "10s")));
  }

  @Test
  void twoNodesAdmittingTogetherNeverPassTheTenantsLimit() throws Exception {
    Postgres.Db pg = Postgres.freshDatabase();
    ExecutorService blocking = Executors.newFixedThreadPool(8);
    try (Database one = open(pg); Database two = open(pg)) {
      one.applySchema();
      JobIndex first = new JobIndex(one.dataSource(), blocking);
      JobIndex second = new JobIndex(two.dataSource(), blocking);
      Instant now = Instant.parse("2026-12-08T12:00:00Z");
      for (int round = 0; round < ROUNDS; round++) {
        String tenant = "desk-" + round;
        List<CompletableFuture<Decision>> all = new ArrayList<>();
        for (int i = 0; i < PER_NODE; i++) {
          all.add(first.admit(tenant + "-a-" + i, tenant, "job", 1, now, LIMIT, 100_000)
              .toCompletableFuture());
          all.add(second.admit(tenant + "-b-" + i, tenant, "job", 1, now, LIMIT, 100_000)
              .toCompletableFuture());
        }
        int admitted = 0;
        for (CompletableFuture<Decision> d : all) {
          if (d.get(60, TimeUnit.SECONDS).outcome() == Admitted.ADMITTED) {
            admitted++;
          }
        }
        assertEquals(LIMIT, admitted, "round " + round + ": jobs listed for " + tenant);
      }
    } finally {
      blocking.shutdownNow();
    }
  }
}
