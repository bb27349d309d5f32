package com.calcgrid.api;

import com.calcgrid.job.JobSupervisor;
import java.time.Duration;
import java.util.UUID;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@code GET /api/v1/jobs/{id}/events} upgraded to a WebSocket: a snapshot of the job, its live
 * events, and a final {@code finished} message, after which the server closes the socket.
 * Messages from the client are ignored.
 */
public final class JobEventsSocket extends AllDirectives {
  private final ActorSystem<?> system;
  private final Duration askTimeout;
  private final int bufferSize;

  public JobEventsSocket(ActorSystem<?> system, Duration askTimeout, int bufferSize) {
    this.system = system;
    this.askTimeout = askTimeout;
    this.bufferSize = bufferSize;
  }

  /** Answers 404 for an unknown job before upgrading, so clients get a plain HTTP error. */
  Route route(String id, EntityRef<JobSupervisor.Command> job) {
    return onComplete(job.ask(JobSupervisor.GetJob::new, askTimeout), reply -> {
      if (reply.isFailure()) {
        return complete(Json.unavailable("the job's supervisor did not answer in time",
            Duration.ofSeconds(2)));
      }
      if (reply.get().job() == null) {
        return complete(Json.notFound("no job '" + id + "'"));
      }
      return handleWebSocketMessages(flow(job));
    });
  }

  private Flow<Message, Message, NotUsed> flow(EntityRef<JobSupervisor.Command> job) {
    Pair<BoundedSourceQueue<Message>, Source<Message, NotUsed>> queue =
        Source.<Message>queue(bufferSize).preMaterialize(system);
    ActorRef<Object> subscriber = system.systemActorOf(
        JobEventsSubscriber.create(job, queue.first()), "job-events-" + UUID.randomUUID(),
        Props.empty());
    Source<Message, NotUsed> out = queue.second().watchTermination((mat, done) -> {
      done.whenComplete((d, e) -> subscriber.tell(JobEventsSubscriber.ClientGone.INSTANCE));
      return mat;
    });
    return Flow.fromSinkAndSourceCoupled(Sink.ignore(), out);
  }
}
