package com.calcgrid.loadtest;

import static com.calcgrid.loadtest.Bench.fmt;
import static com.calcgrid.loadtest.Bench.log;

import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.graph.FuzzCheck;
import com.calcgrid.graph.FuzzInputs;
import com.calcgrid.graph.GraphLimits;
import com.calcgrid.graph.JsonLimits;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The graph parser fuzzed (the generator and properties of the node's GraphFuzzTest): 100,000
 * hostile documents in process through the parser and validator, then a share posted to a real
 * node by a few clients. Reports inputs/s, the slowest document, 5xx answers (there must be
 * none), and whether a refused graph was stored (the listing must hold exactly the 202s).
 */
final class Fuzz {
  private static final long SEED = Long.getLong("calcgrid.fuzz.seed", 20_261_202L);
  private static final int CLIENTS = 4;
  /** The node's task limit, lowered so documents of kilobytes reach it. */
  private static final int NODE_MAX_TASKS = 20_000;
  private static final long MAX_BODY = 4L << 20;

  private Fuzz() {}

  static void run(Bench bench) throws Exception {
    long inputs = Long.getLong("calcgrid.fuzz.inputs", bench.quick() ? 20_000 : 100_000);
    long overHttp = Long.getLong("calcgrid.fuzz.http-inputs", bench.quick() ? 500 : 2_000);
    List<Path> files = new ArrayList<>(FuzzInputs.jsonFiles(bench.root().resolve("docs/examples")));
    files.addAll(FuzzInputs.jsonFiles(bench.root().resolve("../shared/workloads/wfcommons")
        .normalize()));
    FunctionRegistry functions = FunctionRegistry.load();

    FuzzInputs gen = FuzzInputs.of(SEED, files, GraphLimits.DEFAULT, JsonLimits.DEFAULT);
    FuzzCheck check = new FuzzCheck(JsonLimits.DEFAULT, GraphLimits.DEFAULT, functions);
    log("fuzz: %,d documents in process (seed %d, %d graphs in the corpus)", inputs, SEED,
        gen.corpusSize());
    FuzzCheck.Stats s = check.run(gen, 0, inputs, Duration.ofSeconds(10));
    log("fuzz in process: %s", s.summary());
    s.violations().forEach(v -> log("fuzz violation: %s", v));

    Http h = overHttp(bench, files, functions, overHttp);
    boolean met = s.violations().isEmpty() && h.fiveXx() == 0 && h.wrong() == 0
        && h.stored() == h.accepted() && h.ready();
    bench.add(new Row("fuzz: graph parser", fmt("%,d docs in process at %,.0f/s, max %.0f ms, "
            + "%d violations; %,d over HTTP at %.0f/s by %d clients, %d 5xx, %d wrong, max %d ms;"
            + " %d of %d accepted listed, ready %s", s.inputs(), s.perSecond(), s.maxNanos() / 1e6,
            s.violations().size(), overHttp, h.perSecond(), CLIENTS, h.fiveXx(), h.wrong(),
            h.maxMs(), h.stored(), h.accepted(), h.ready() ? "yes" : "NO"),
        ">= 100k docs; 0 violations, 0 5xx; refused graphs not stored", met, "-", "-",
        "seed " + SEED + "; slowest " + s.slowest()));
  }

  /** What the HTTP share saw. */
  private record Http(double perSecond, long fiveXx, long wrong, long maxMs, long accepted,
      long stored, boolean ready) {}

  private static Http overHttp(Bench bench, List<Path> files, FunctionRegistry functions,
      long count) throws Exception {
    GraphLimits limits = new GraphLimits(NODE_MAX_TASKS, GraphLimits.DEFAULT.maxTemplates(),
        GraphLimits.DEFAULT.maxDepsPerTemplate());
    // no worker role: accepted jobs stay queued and cost the node nothing but their state
    try (Node node = Node.start(bench, "fuzz", Map.of(
        "CALCGRID_ROLES", "api,scheduler",
        "CALCGRID_MAX_TASKS", Integer.toString(NODE_MAX_TASKS),
        "CALCGRID_MAX_BODY", Long.toString(MAX_BODY),
        "CALCGRID_MAX_RUNNING_JOBS", "1000000",
        "CALCGRID_MAX_RUNNING_JOBS_PER_TENANT", "1000000",
        "CALCGRID_MAX_SUBMISSIONS_IN_FLIGHT_PER_TENANT", Integer.toString(2 * CLIENTS),
        "CALCGRID_MAX_SUBMISSIONS_WAITING_PER_TENANT", Integer.toString(2 * CLIENTS)))) {
      node.awaitReady(Duration.ofMinutes(2));
      Client c = node.client();
      FuzzInputs gen = FuzzInputs.of(SEED, files, limits, JsonLimits.DEFAULT);
      FuzzCheck check = new FuzzCheck(JsonLimits.DEFAULT, limits, functions);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();
      AtomicLong next = new AtomicLong();
      AtomicLong fiveXx = new AtomicLong();
      AtomicLong wrong = new AtomicLong();
      AtomicLong maxNanos = new AtomicLong();
      Set<String> accepted = ConcurrentHashMap.newKeySet();
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      long t0 = System.nanoTime();
      try {
        List<Future<?>> clients = new ArrayList<>();
        for (int k = 0; k < CLIENTS; k++) {
          clients.add(pool.submit(() -> {
            for (long i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
              FuzzInputs.Input in = gen.next(i);
              long start = System.nanoTime();
              HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                      URI.create(c.base() + "/api/v1/jobs")).timeout(Duration.ofSeconds(60))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(in.bytes())).build(),
                  HttpResponse.BodyHandlers.ofString());
              maxNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
              int status = r.statusCode();
              if (status >= 500) {
                fiveXx.incrementAndGet();
                log("fuzz: %d for %s", status, new FuzzCheck.Violation(SEED, in, r.body()));
              } else if (status == 202) {
                accepted.add(Client.JSON.readTree(r.body()).get("id").asText());
              }
              if (status < 500 && !agrees(status, in, check, r)) {
                wrong.incrementAndGet();
                log("fuzz: unexpected %d for %s", status, new FuzzCheck.Violation(SEED, in,
                    r.body()));
              }
            }
            return null;
          }));
        }
        for (Future<?> f : clients) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      double perSecond = count / ((System.nanoTime() - t0) / 1e9);
      long listed = listed(c);
      log("fuzz over HTTP: %,d posted at %.0f/s, %d accepted, %d listed, %d 5xx, %d wrong, "
          + "max %d ms", count, perSecond, accepted.size(), listed, fiveXx.get(), wrong.get(),
          maxNanos.get() / 1_000_000);
      return new Http(perSecond, fiveXx.get(), wrong.get(), maxNanos.get() / 1_000_000,
          accepted.size(), listed, c.ready());
    }
  }

  /** The answer the in-process parser gives the same document, as a status code. */
  private static boolean agrees(int status, FuzzInputs.Input in, FuzzCheck check,
      HttpResponse<String> r) {
    if (status != 202 && !r.headers().firstValue("Content-Type").orElse("")
        .equals("application/problem+json")) {
      return false;
    }
    if (in.bytes().length > MAX_BODY) {
      return status == 413;
    }
    if (status == 429) {
      // admission refused it before reading: nothing to compare
      return true;
    }
    int verdict = List.of("ACCEPTED", "INVALID", "TOO_LARGE").indexOf(check.check(in));
    return verdict >= 0 && List.of(202, 400, 422).get(verdict) == status;
  }

  /** Jobs in the node's listing. */
  private static long listed(Client c) throws Exception {
    long n = 0;
    for (int offset = 0; ; offset += 1000) {
      JsonNode page = Client.JSON.readTree(c.get("/api/v1/jobs?limit=1000&offset=" + offset)
          .body());
      n += page.path("jobs").size();
      if (!page.path("more").asBoolean()) {
        return n;
      }
    }
  }
}
