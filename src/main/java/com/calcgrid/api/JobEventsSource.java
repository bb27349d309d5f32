package com.calcgrid.api;

import org.apache.pekko.Done;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * The messages of one WebSocket, taken from its {@link JobEventsOutbox} only when the client can
 * take one more: what the client has not read yet stays in the outbox, where it can still be
 * coalesced or dropped. Completes after the final frame; {@code gone} runs when the socket ends.
 */
final class JobEventsSource extends GraphStage<SourceShape<Message>> {
  private final Outlet<Message> out = Outlet.create("JobEventsSource.out");
  private final SourceShape<Message> shape = SourceShape.of(out);
  private final JobEventsOutbox outbox;
  private final Runnable gone;

  JobEventsSource(JobEventsOutbox outbox, Runnable gone) {
    this.outbox = outbox;
    this.gone = gone;
  }

  @Override
  public SourceShape<Message> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new GraphStageLogic(shape) {
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
        });
      }

      private void next() {
        String text = outbox.poll(wake);
        if (text != null) {
          push(out, TextMessage.create(text));
          if (outbox.ended()) {
            completeStage();
          }
        }
      }

      @Override
      public void postStop() {
        gone.run();
      }
    };
  }
}
