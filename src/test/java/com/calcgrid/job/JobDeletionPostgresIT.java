package com.calcgrid.job;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Postgres;
import com.calcgrid.testing.TestNodes;
import java.util.Map;

/** {@link JobDeletionContract} on a real PostgreSQL, a fresh database per node. */
class JobDeletionPostgresIT extends JobDeletionContract {
  @Override
  CalcGridNode start(Map<String, Object> settings) throws Exception {
    return TestNodes.postgres(Postgres.freshDatabase(), settings);
  }
}
