package com.calcgrid.gateway;

import com.calcgrid.api.Authentication;
import com.calcgrid.api.Problems;
import com.calcgrid.api.auth.AccessRole;
import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.pull.Worker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@code GET /api/v1/workers} upgraded to a WebSocket: the worker gateway. Each connection is
 * one external worker, served by its own {@link WorkerConnection}. The caller needs the
 * {@code worker} role when authentication is on; with it off the node listens on loopback only
 * (see BindPolicy), like the rest of the API.
 *
 * <p>Reading is paced by the connection actor: the next message is read only once it has
 * handled the last, and a message over calcgrid.gateway.max-message-bytes is never held whole.
 */
public final class WorkerGateway extends AllDirectives {
  /** Messages queued for one worker before it counts as not reading and is dropped. */
  private static final int OUT_BUFFER = 256;
  private static final Duration HANDLE_TIMEOUT = Duration.ofSeconds(30);

  private final ActorSystem<?> system;
  private final GatewaySettings settings;
  private final FunctionRegistry functions;
  private final Authentication auth;
  private final String node;
  private final Materializer materializer;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicLong sequence = new AtomicLong();

  /** @param node this node's address, {@code host:port} */
  public WorkerGateway(ActorSystem<?> system, GatewaySettings settings,
      FunctionRegistry functions, Authentication auth, String node) {
    this.system = system;
    this.settings = settings;
    this.functions = functions;
    this.auth = auth;
    this.node = node;
    this.materializer = Materializer.matFromSystem(system);
  }

  public Route routes() {
    return pathPrefix("api", () -> pathPrefix("v1", () -> path("workers",
        () -> get(() -> auth.authenticated(caller -> {
          Route connect = extractRequest(request -> {
            String peer = request.getAttribute(AttributeKeys.remoteAddress)
                .flatMap(RemoteAddress::getAddress).map(a -> a.getHostAddress())
                .orElse("unknown");
            return connect(peer);
          });
          // with authentication off the node is on loopback, and every caller is a worker
          return auth.enabled()
              ? auth.authorize(caller, AccessRole.WORKER, "connect as a worker", () -> connect)
              : connect;
        })))));
  }

  private Route connect(String peer) {
    return extractWebSocketUpgrade(upgrade -> {
      if (connections.incrementAndGet() > settings.maxConnections()) {
        connections.decrementAndGet();
        return complete(Problems.unavailable("this node already serves "
            + settings.maxConnections() + " worker connections"
            + " (calcgrid.gateway.max-connections, CALCGRID_GATEWAY_MAX_CONNECTIONS); connect"
            + " to another api node or later", Duration.ofSeconds(5)));
      }
      return handleWebSocketMessages(flow(peer));
    });
  }

  private Flow<Message, Message, NotUsed> flow(String peer) {
    Pair<BoundedSourceQueue<Message>, Source<Message, NotUsed>> out =
        Source.<Message>queue(OUT_BUFFER).preMaterialize(materializer);
    String id = "w" + sequence.incrementAndGet();
    ActorRef<Worker> connection = system.systemActorOf(
        WorkerConnection.create(settings, functions, node, peer, id, out.first()),
        "worker-gateway-" + id, Props.empty());
    Sink<Message, NotUsed> in = Flow.<Message>create()
        .mapAsync(1, this::read)
        .mapAsync(1, m -> AskPattern.<Worker, Done>ask(connection,
            ack -> m instanceof String text ? new WorkerConnection.Frame(text, ack)
                : new WorkerConnection.Unreadable((String) ((Object[]) m)[0], ack),
            HANDLE_TIMEOUT, system.scheduler()))
        .to(Sink.onComplete(done -> {
          connections.decrementAndGet();
          connection.tell(WorkerConnection.Closed.INSTANCE);
        }));
    return Flow.fromSinkAndSourceCoupled(in, out.second());
  }

  /**
   * A message as text, or {reason} when it cannot be: binary, or over the size limit. Streamed
   * text is cut off at the limit rather than gathered whole.
   */
  private CompletionStage<Object> read(Message m) {
    long max = settings.maxMessageBytes();
    String tooLarge = "a message of more than " + max + " bytes"
        + " (calcgrid.gateway.max-message-bytes, CALCGRID_GATEWAY_MAX_MESSAGE_BYTES):"
        + " send outcomes in smaller batches";
    if (!m.isText()) {
      m.asBinaryMessage().getStreamedData().runWith(Sink.ignore(), materializer);
      return CompletableFuture.completedFuture(new Object[] {"binary messages are not part of"
          + " the protocol: send JSON as text"});
    }
    TextMessage t = m.asTextMessage();
    if (t.isStrict()) {
      String text = t.getStrictText();
      return CompletableFuture.completedFuture(
          com.calcgrid.worker.ResultLimit.utf8Length(text) > max ? new Object[] {tooLarge} : text);
    }
    // read to its end but keep nothing past the limit: cutting the message short would break
    // the socket before the worker is told why
    long[] seen = {0};
    return t.getStreamedText()
        .runFold(new StringBuilder(), (b, part) -> {
          seen[0] += part.length();
          return seen[0] > max ? b : b.append(part);
        }, materializer)
        .thenApply(b -> seen[0] > max ? (Object) new Object[] {tooLarge} : b.toString());
  }
}
