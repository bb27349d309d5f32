package com.calcgrid.cli;

import com.calcgrid.CalcGridNode;
import com.calcgrid.api.Json;
import com.calcgrid.graph.GraphLimits;
import com.calcgrid.graph.GraphSpec;
import com.calcgrid.graph.GraphValidator;
import com.calcgrid.graph.InvalidGraphException;
import com.calcgrid.job.JobStatus;
import com.calcgrid.job.JobSupervisor;
import com.calcgrid.job.JobView;
import com.calcgrid.job.Jobs;
import com.calcgrid.job.ResultsView;
import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code calcgrid run graph.json}: starts an embedded node, runs one job to its end with a
 * progress bar, prints its results and exits non-zero if the job did not succeed.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run one graph on an embedded node and print its results.")
public final class RunCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "GRAPH", description = "the graph, a JSON file")
  Path graphFile;

  @Option(names = {"-o", "--out"}, description = "write the results here instead of stdout")
  Path out;

  @Option(names = "--all", description = "results of every task, not only of the outputs")
  boolean all;

  @Option(names = "--slots", description = "worker slots [cores]")
  Integer slots;

  @Option(names = "--data-dir", description = "keep the journal here [a temporary directory]")
  Path dataDir;

  @Option(names = {"-q", "--quiet"}, description = "no progress bar")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    System.setProperty("CALCGRID_LOG_LEVEL", System.getProperty("CALCGRID_LOG_LEVEL", "WARN"));
    if (!Files.isRegularFile(graphFile)) {
      System.err.println("calcgrid run: no such file: " + graphFile);
      return 2;
    }
    Path dir = dataDir != null ? dataDir : Files.createTempDirectory("calcgrid-run");
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("calcgrid.data-dir", dir.toAbsolutePath().toString());
    // an embedded run serves nobody else
    overrides.put("calcgrid.host", "127.0.0.1");
    overrides.put("calcgrid.http.port", 0);
    overrides.put("calcgrid.management.port", 0);
    overrides.put("pekko.remote.artery.canonical.port", 0);
    overrides.put("pekko.loglevel", "WARNING");
    // the supervisor of a large graph may take a while to answer its first questions
    overrides.put("calcgrid.http.ask-timeout", "30s");
    if (slots != null) {
      overrides.put("calcgrid.worker.slots", slots);
    }
    Config config = CalcGridNode.loadConfig(overrides);
    GraphSpec graph;
    try {
      graph = GraphValidator.parseAndValidate(Files.readAllBytes(graphFile),
          CalcGridNode.functions(config), GraphLimits.DEFAULT);
    } catch (InvalidGraphException e) {
      System.err.println("calcgrid run: " + graphFile + " is not a valid graph:");
      e.problems().forEach(p -> System.err.println("  " + p));
      if (dataDir == null) {
        deleteTree(dir);
      }
      return 2;
    }
    try (CalcGridNode node = CalcGridNode.start(config)) {
      return runJob(node, graph);
    } finally {
      if (dataDir == null) {
        deleteTree(dir);
      }
    }
  }

  private int runJob(CalcGridNode node, GraphSpec graph) throws Exception {
    String id = UUID.randomUUID().toString();
    Instant started = Instant.now();
    Jobs jobs = node.jobs();
    Jobs.Submitted submitted = jobs.submit(id, "default", graph, null).toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    if (submitted.refused()) {
      // an embedded node runs this job alone: only limits set below one refuse it
      System.err.println("calcgrid run: the job was refused: " + submitted.admitted());
      return 2;
    }
    EntityRef<JobSupervisor.Command> job = jobs.job(id);
    Duration timeout = jobs.askTimeout();
    JobView view;
    try (Progress progress = quiet ? null : new Progress(graph.name(), submitted.taskCount())) {
      while (true) {
        view = jobs.view(id).toCompletableFuture().get(60, TimeUnit.SECONDS);
        if (progress != null) {
          progress.update(view.counts());
        }
        if (view.state().finished()) {
          break;
        }
        Thread.sleep(200);
      }
    }
    ResultsView results = job.ask((org.apache.pekko.actor.typed.ActorRef<JobSupervisor.ResultsReply> r)
            -> new JobSupervisor.GetResults(all, 0, Integer.MAX_VALUE, r), timeout)
        .toCompletableFuture().get(60, TimeUnit.SECONDS).results();
    byte[] json = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(results.results());
    if (out != null) {
      Files.write(out, json);
    } else {
      System.out.write(json);
      System.out.println();
      System.out.flush();
    }
    System.err.printf("job %s %s: %d tasks in %.1f s%s%n", id, view.state(), view.taskCount(),
        Duration.between(started, Instant.now()).toMillis() / 1000.0,
        view.error() == null ? "" : "; first error: " + view.error());
    return view.state() == JobStatus.SUCCEEDED ? 0 : 1;
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      System.err.println("calcgrid run: could not remove " + dir + ": " + e.getMessage());
    }
  }
}
