package com.calcgrid.api.submit;

import com.calcgrid.api.Incidents;
import com.calcgrid.api.Json;
import com.calcgrid.api.Problems;
import com.calcgrid.api.auth.Caller;
import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.graph.GraphLimits;
import com.calcgrid.graph.GraphParser;
import com.calcgrid.graph.GraphSpec;
import com.calcgrid.graph.GraphValidator;
import com.calcgrid.graph.InvalidGraphException;
import com.calcgrid.job.JobStatus;
import com.calcgrid.job.JobView;
import com.calcgrid.job.Jobs;
import com.calcgrid.job.index.IdempotencyKeys;
import com.typesafe.config.Config;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
/**
 * {@code POST /api/v1/jobs}: admission (a bounded number of submissions in progress, per node
 * and per tenant), the body read with a size and time limit, validation, the running-jobs
 * limits, the {@code Idempotency-Key}, and finally the job's supervisor. Every refusal is a
 * problem+json response, with Retry-After when waiting helps.
 */
public final class Submissions extends AllDirectives {
  /** Printable ASCII without spaces, as keys are usually UUIDs or similar tokens. */
  private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");
  /** How long a caller refused for running too many jobs should wait: jobs take a while. */
  static final Duration RUNNING_RETRY_AFTER = Duration.ofSeconds(10);

  /**
   * @param bodyTimeout the longest a submission may take to send its body
   * @param maxBody the largest body read, in bytes ({@code calcgrid.http.max-body})
   * @param keysKeptFor how long an Idempotency-Key replays its job; after that the key makes
   *     a new one
   */
  public record Settings(Duration bodyTimeout, long maxBody, Duration keysKeptFor) {
    public static Settings fromConfig(Config config) {
      return new Settings(config.getDuration("calcgrid.limits.body-read-timeout"),
          config.getBytes("calcgrid.http.max-body"),
          config.getDuration("calcgrid.idempotency.keep-for"));
    }
  }

  private final Jobs jobs;
  private final IdempotencyKeys keys;
  private final FunctionRegistry functions;
  private final GraphParser parser;
  private final GraphLimits limits;
  private final Admission admission;
  private final Settings settings;

  public Submissions(Jobs jobs, IdempotencyKeys keys, FunctionRegistry functions,
      GraphParser parser, GraphLimits limits, Admission admission, Settings settings) {
    this.jobs = jobs;
    this.keys = keys;
    this.functions = functions;
    this.parser = parser;
    this.limits = limits;
    this.admission = admission;
    this.settings = settings;
  }

  public Route submit(Caller caller) {
    return extractRequest(request -> extractMaterializer(mat -> {
      Optional<String> key = request.getHeader("Idempotency-Key").map(h -> h.value().strip());
      if (key.isPresent() && !KEY.matcher(key.get()).matches()) {
        request.discardEntityBytes(mat);
        return complete(Problems.problem(StatusCodes.BAD_REQUEST, "invalid-idempotency-key",
            "Invalid Idempotency-Key", "an Idempotency-Key is 1 to 200 printable ASCII "
                + "characters without spaces, such as a UUID"));
      }
      // a body announced too large is refused without a place in the queue, as none of it is
      // kept; it is read and thrown away (up to a bound) so that the client hears the 413
      OptionalLong length = request.entity().getContentLengthOption();
      if (length.isPresent() && length.getAsLong() > settings.maxBody()) {
        if (length.getAsLong() > settings.maxBody() + BodyReader.DISCARD) {
          return complete(Problems.tooLarge(settings.maxBody()));
        }
        return completeWithFuture(BodyReader.discard(request.entity(), length.getAsLong(),
            settings.bodyTimeout(), mat).thenApply(n -> Problems.tooLarge(settings.maxBody())));
      }
      // the place is taken before the body is read: a refusal costs no memory
      Admission.Entry entry = admission.enter(caller.tenant());
      if (entry.refusal() != null) {
        request.discardEntityBytes(mat);
        return complete(entry.refusal());
      }
      Places places = new Places(caller, entry.permit());
      CompletionStage<HttpResponse> response;
      try {
        response = BodyReader.read(request.entity(), settings.maxBody(), settings.bodyTimeout(),
                mat)
            .thenCompose(body -> body.tooLarge()
                ? done(Problems.tooLarge(settings.maxBody()))
                : accept(places, key.orElse(null), body.bytes()));
      } catch (RuntimeException e) {
        places.release();
        throw e;
      }
      return completeWithFuture(response.handle((r, e) -> {
        places.release();
        return e == null ? r : failed(e);
      }));
    }));
  }

  /**
   * The places one submission holds: first among those being read and validated, then, once it
   * waits for a supervisor, among those waiting. Both are given back when it is answered.
   */
  private final class Places {
    final Caller caller;
    private final Admission.Permit reading;
    private volatile Admission.Permit waiting;

    Places(Caller caller, Admission.Permit reading) {
      this.caller = caller;
      this.reading = reading;
    }

    /** Runs {@code ask} (a supervisor's answer) in a waiting place, or refuses without one. */
    CompletionStage<HttpResponse> waitFor(
        java.util.function.Supplier<CompletionStage<HttpResponse>> ask) {
      if (waiting == null) {
        Admission.Entry entry = admission.await(caller.tenant());
        if (entry.refusal() != null) {
          return done(entry.refusal());
        }
        waiting = entry.permit();
        reading.release();
      }
      return ask.get();
    }

    void release() {
      reading.release();
      if (waiting != null) {
        waiting.release();
      }
    }
  }

  private CompletionStage<HttpResponse> accept(Places places, String key, byte[] body) {
    Caller caller = places.caller;
    if (key == null) {
      return validated(body, graph -> jobs.newId(choice -> UUID.randomUUID().toString())
          .thenCompose(id -> create(places, id, graph)));
    }
    String sha = IdempotencyKeys.sha256Hex(body);
    Instant now = Instant.now();
    Instant notBefore = now.minus(settings.keysKeptFor());
    return keys.find(caller.tenant(), key, notBefore).thenCompose(earlier -> {
      if (earlier != null) {
        return replay(places, earlier, sha, body);
      }
      return validated(body, graph -> {
        // the key is stored before the job: a crash in between leaves a key whose job a retry
        // creates under the same id
        return jobs.newId(
                choice -> IdempotencyKeys.jobIdFor(caller.tenant(), key, sha, now, choice))
            .thenCompose(id -> keys.claim(
                    new IdempotencyKeys.Key(caller.tenant(), key, sha, id, now), notBefore)
                .thenCompose(stored -> stored.jobId().equals(id)
                    ? create(places, id, graph) : replay(places, stored, sha, body)));
      });
    });
  }

  /** The key was used before: the same body gets the same job, another body a 409. */
  private CompletionStage<HttpResponse> replay(Places places, IdempotencyKeys.Key earlier,
      String sha, byte[] body) {
    if (!earlier.bodySha256().equals(sha)) {
      return done(Problems.problem(StatusCodes.CONFLICT, "idempotency-key-reused",
          "Idempotency-Key reused", "Idempotency-Key '" + earlier.key() + "' was used at "
              + earlier.createdAt() + " with a different request body; use a new key for a "
              + "new submission", Map.of("jobId", earlier.jobId())));
    }
    // the key was stored but its job was not (refused, or the node stopped in between): a job
    // the index does not list was never acknowledged, and its supervisor need not be started
    return jobs.index().tenantOf(earlier.jobId()).thenCompose(listed -> listed.isEmpty()
        ? validated(body, graph -> create(places, earlier.jobId(), graph))
        : places.waitFor(() -> jobs.view(earlier.jobId())
            .thenCompose(job -> job != null
                ? done(existing(job))
                : validated(body, graph -> create(places, earlier.jobId(), graph)))));
  }

  private CompletionStage<HttpResponse> validated(byte[] body,
      Function<GraphSpec, CompletionStage<HttpResponse>> then) {
    GraphSpec graph;
    try {
      graph = GraphValidator.parseAndValidate(parser, body, functions, limits);
    } catch (InvalidGraphException e) {
      return done(Problems.invalidGraph(e));
    }
    return then.apply(graph);
  }

  private CompletionStage<HttpResponse> create(Places places, String id, GraphSpec graph) {
    Caller caller = places.caller;
    return places.waitFor(() -> jobs.submit(id, caller.tenant(), graph, null)
        .thenCompose(submitted -> switch (submitted.admitted().outcome()) {
          case TENANT_FULL -> done(Problems.tooManyRequests("too-many-running-jobs",
              "Too many running jobs", "tenant '" + caller.tenant() + "' already runs "
                  + submitted.admitted().running() + " jobs, the most it may run at once ("
                  + submitted.admitted().limit() + "); retry when one has finished",
              RUNNING_RETRY_AFTER));
          case CLUSTER_FULL -> done(Problems.tooManyRequests("cluster-full", "Cluster full",
              "the cluster already runs " + submitted.admitted().running() + " jobs, the most"
                  + " it runs at once (" + submitted.admitted().limit() + "); retry when one"
                  + " has finished", RUNNING_RETRY_AFTER));
          case ADMITTED, ALREADY_LISTED -> submitted.created()
              ? done(accepted(id, graph.name(), submitted.taskCount(), submitted.submittedAt()))
              : jobs.view(id).thenApply(Submissions::existing);
        })
        .exceptionally(e -> Incidents.unavailable("the job could not be stored in time; it "
            + "may still have been accepted as " + id + ": check GET /api/v1/jobs/" + id
            + " before submitting again", e, Duration.ofSeconds(2))));
  }

  private static HttpResponse accepted(String id, String name, int taskCount, Instant at) {
    return submitted(StatusCodes.ACCEPTED, id, name, JobStatus.RUNNING, taskCount, at);
  }

  /** 200: an idempotent retry, answered with the job the first submission created. */
  private static HttpResponse existing(JobView job) {
    return submitted(StatusCodes.OK, job.id(), job.name(), job.state(), job.taskCount(),
        job.submittedAt()).addHeader(RawHeader.create("Idempotent-Replayed", "true"));
  }

  private static HttpResponse submitted(StatusCode status, String id, String name,
      JobStatus state, int taskCount, Instant at) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", id);
    body.put("name", name);
    body.put("state", state);
    body.put("taskCount", taskCount);
    body.put("submittedAt", at);
    body.put("links", Map.of(
        "self", "/api/v1/jobs/" + id,
        "events", "/api/v1/jobs/" + id + "/events",
        "results", "/api/v1/jobs/" + id + "/results"));
    return Json.response(status, body).addHeader(Location.create("/api/v1/jobs/" + id));
  }

  /** Failures outside the steps above: the body could not be read. */
  private static HttpResponse failed(Throwable e) {
    if (Problems.cause(e, BodyReader.TooSlow.class) != null) {
      return Problems.problem(StatusCodes.REQUEST_TIMEOUT, "body-timeout", "Request body too slow",
          "the request body did not arrive in time");
    }
    return Incidents.unavailable("the submission could not be completed", e,
        Duration.ofSeconds(2));
  }

  private static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
