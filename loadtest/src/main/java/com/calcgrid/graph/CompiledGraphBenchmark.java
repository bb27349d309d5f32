package com.calcgrid.graph;

import com.calcgrid.calc.FunctionRegistry;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What a hand-out costs in the compiled graph: a task's template, id and params, on a fan-out
 * (3 templates) and on a chain of 10,000 templates (where finding the template is a search).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CompiledGraphBenchmark {
  @Param({"fan-out", "chain"})
  public String shape;

  private CompiledGraph graph;
  private int next;

  @Setup
  public void setUp() {
    StringBuilder json = new StringBuilder("{\"tasks\":[");
    if (shape.equals("fan-out")) {
      json.append("{\"id\":\"root\",\"fn\":\"util.sum\"},{\"id\":\"item\",\"fn\":\"util.sum\","
          + "\"deps\":[\"root\"],\"forEach\":{\"param\":\"value\",\"range\":[0,100000]}},"
          + "{\"id\":\"total\",\"fn\":\"util.sum\",\"deps\":[\"item\"]}");
    } else {
      for (int i = 0; i < 10_000; i++) {
        json.append(i == 0 ? "" : ",").append("{\"id\":\"s").append(i)
            .append("\",\"fn\":\"util.sum\"").append(i == 0 ? "" : ",\"deps\":[\"s" + (i - 1) + "\"]")
            .append('}');
      }
    }
    GraphSpec spec = GraphValidator.parseAndValidate(
        json.append("]}").toString().getBytes(StandardCharsets.UTF_8), FunctionRegistry.load(),
        GraphLimits.DEFAULT);
    graph = CompiledGraph.compile(spec);
  }

  @Benchmark
  public void handOut(Blackhole bh) {
    int task = next++ % graph.taskCount();
    bh.consume(graph.templateOf(task));
    bh.consume(graph.taskId(task));
    bh.consume(graph.params(task));
  }
}
