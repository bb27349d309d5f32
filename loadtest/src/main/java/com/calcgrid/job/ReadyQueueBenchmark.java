package com.calcgrid.job;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Draining the ready queue: one range of a million, and a million single requeued tasks. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ReadyQueueBenchmark {
  private static final int N = 1_000_000;
  private byte[] status;

  @Setup
  public void setUp() {
    status = new byte[N];
    java.util.Arrays.fill(status, (byte) TaskStatus.READY.ordinal());
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public int oneRange() {
    ReadyQueue q = new ReadyQueue();
    q.add(0, N, 1);
    int sum = 0;
    int i;
    while ((i = q.poll(status)) >= 0) {
      sum += i;
    }
    return sum;
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public int singles() {
    ReadyQueue q = new ReadyQueue();
    for (int k = 0; k < N; k++) {
      q.add(k, k + 1, 1);
    }
    int sum = 0;
    int i;
    while ((i = q.poll(status)) >= 0) {
      sum += i;
    }
    return sum;
  }
}
