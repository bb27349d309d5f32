package com.calcgrid.job;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.TestNodes;
import java.util.Map;

/** {@link JobDeletionContract} on the embedded H2 database. */
class JobDeletionIT extends JobDeletionContract {
  @Override
  CalcGridNode start(Map<String, Object> settings) throws Exception {
    return TestNodes.h2(settings);
  }
}
