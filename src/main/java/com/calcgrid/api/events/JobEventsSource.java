package com.calcgrid.api.events;

import java.time.Duration;
import org.apache.pekko.Done;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.SubscriptionWithCancelException;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages of one WebSocket, taken from its {@link JobEventsOutbox} only when the client can
 * take one more: what the client has not read yet stays in the outbox, where it can still be
 * coalesced or dropped. {@code gone} runs when the socket ends.
 *
 * <p>After the final frame the socket stays open for {@code closeDelay}, or until the client
 * closes it: a thousand clients of one job get {@code finished} in the same moment, and closing
 * a socket (the close handshake, the connection's teardown) costs several times what sending
 * one frame does. Closing each right behind its final frame made the last of them wait for the
 * others' closes; this way every final frame is out before the first close begins.
 *
 * <p>A client that reads nothing at all stops the socket's writes once the TCP buffers of both
 * ends are full, and then no byte passes either way, not even Pekko's keep-alive ping: after
 * {@code pekko.http.server.idle-timeout} Pekko resets the connection, and the frames still in
 * those buffers are lost with it. That ends the stream with a failure cause, logged here so
 * that the node's log says why a client lost the end of its job.
 */
final class JobEventsSource extends GraphStage<SourceShape<Message>> {
  private static final Logger log = LoggerFactory.getLogger(JobEventsSource.class);
  private final Outlet<Message> out = Outlet.create("JobEventsSource.out");
  private final SourceShape<Message> shape = SourceShape.of(out);
  private final String jobId;
  private final JobEventsOutbox outbox;
  private final Runnable gone;
  private final Duration closeDelay;

  JobEventsSource(String jobId, JobEventsOutbox outbox, Duration closeDelay, Runnable gone) {
    this.jobId = jobId;
    this.outbox = outbox;
    this.closeDelay = closeDelay;
    this.gone = gone;
  }

  @Override
  public SourceShape<Message> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      private boolean sentLast;
      private final AsyncCallback<Done> more = createAsyncCallback(d -> {
        if (isAvailable(out)) {
          next();
        }
      });
      private final Runnable wake = () -> more.invoke(Done.getInstance());

      {
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            next();
          }

          @Override
          public void onDownstreamFinish(Throwable cause) throws Exception {
            if (!(cause instanceof SubscriptionWithCancelException.NonFailureCancellation)) {
              log.info("events socket of job {} ended before the client got `finished`, "
                  + "{} task events dropped for it: {}", jobId, outbox.dropped(), cause.toString());
            }
            super.onDownstreamFinish(cause);
          }
        });
      }

      private void next() {
        if (sentLast) {
          return;
        }
        String text = outbox.poll(wake);
        if (text != null) {
          push(out, TextMessage.create(text));
          if (outbox.ended()) {
            sentLast = true;
            if (closeDelay.isZero()) {
              completeStage();
            } else {
              scheduleOnce("close", closeDelay);
            }
          }
        }
      }

      @Override
      public void onTimer(Object key) {
        completeStage();
      }

      @Override
      public void postStop() {
        gone.run();
      }
    };
  }
}
