package com.calcgrid.api.events;

import com.calcgrid.api.Incidents;
import com.calcgrid.api.Problems;
import com.calcgrid.api.auth.Caller;
import com.calcgrid.job.JobSupervisor;
import com.calcgrid.job.JobView;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@code GET /api/v1/jobs/{id}/events} upgraded to a WebSocket: a snapshot of the job, its live
 * events, and a final {@code finished} message, after which the server closes the socket (a
 * moment later, unless the client closes it first).
 * Messages from the client are ignored. {@code ?events=progress} leaves out the task events.
 *
 * <p>All clients of a job on this node share one {@link JobEventsHub}: the upgrade asks that
 * local hub for the job (to check the caller may see it) and costs the job's supervisor nothing
 * once the hub follows the job.
 */
public final class JobEventsSocket extends AllDirectives {

  /**
   * @param buffer task events queued per client before its task events are dropped
   * @param closeDelay how long a socket stays open after its final frame, unless the client
   *     closes it first
   */
  public record Settings(int buffer, Duration window, Duration closeDelay, Duration askTimeout) {
    public static Settings fromConfig(com.typesafe.config.Config config) {
      return new Settings(config.getInt("calcgrid.http.websocket-buffer"),
          config.getDuration("calcgrid.http.websocket-window"),
          config.getDuration("calcgrid.http.websocket-close-delay"),
          config.getDuration("calcgrid.http.ask-timeout"));
    }
  }

  private final ActorSystem<?> system;
  private final Settings settings;
  private final ActorRef<JobEventsHubs.Command> hubs;

  public JobEventsSocket(ActorSystem<?> system,
      Function<String, EntityRef<JobSupervisor.Command>> jobs, Settings settings) {
    this.system = system;
    this.settings = settings;
    this.hubs = system.systemActorOf(JobEventsHubs.create(jobs, settings.window()),
        "job-events", Props.empty());
  }

  /**
   * Upgrades to the job's event stream if the caller may see the job; unknown and foreign jobs
   * get a plain HTTP 404 before any upgrade.
   */
  public Route route(Caller caller, String jobId) {
    return parameterOptional("events", events -> {
      boolean progressOnly = events.map("progress"::equals).orElse(false);
      if (events.isPresent() && !progressOnly && !events.get().equals("all")) {
        return complete(Problems.badParam("events",
            "must be 'all' or 'progress', got '" + events.get() + "'"));
      }
      JobEventsOutbox outbox = new JobEventsOutbox(settings.buffer(), !progressOnly);
      CompletionStage<JobEventsHub.Joined> joined = AskPattern.ask(hubs,
          r -> new JobEventsHubs.Join(jobId, outbox, r), settings.askTimeout(),
          system.scheduler());
      return onComplete(joined, reply -> {
        JobView job = reply.isSuccess() ? reply.get().job() : null;
        if (job == null || !caller.sees(job.tenant())) {
          hubs.tell(new JobEventsHubs.Leave(jobId, outbox));
          return complete(reply.isFailure()
              ? Incidents.unavailable("the job's supervisor did not answer in time",
                  reply.failed().get(), Duration.ofSeconds(2))
              : Problems.notFound("no job '" + jobId + "'"));
        }
        Runnable gone = () -> hubs.tell(new JobEventsHubs.Leave(jobId, outbox));
        Source<org.apache.pekko.http.javadsl.model.ws.Message, ?> out = Source.fromGraph(
            new JobEventsSource(jobId, outbox, settings.closeDelay(), gone));
        return handleWebSocketMessages(Flow.fromSinkAndSourceCoupled(Sink.ignore(), out));
      });
    });
  }
}
