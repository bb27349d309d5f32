package com.calcgrid.api;

import com.calcgrid.job.JobSupervisor;
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
  private final int bufferSize;

  public JobEventsSocket(ActorSystem<?> system, int bufferSize) {
    this.system = system;
    this.bufferSize = bufferSize;
  }

  /**
   * Upgrades to the job's event stream. The caller has checked that the job exists and that
   * the client may see it, so unknown and foreign jobs get a plain HTTP 404 before any upgrade.
   */
  Route route(EntityRef<JobSupervisor.Command> job) {
    return handleWebSocketMessages(flow(job));
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
