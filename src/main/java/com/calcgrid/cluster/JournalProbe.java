package com.calcgrid.cluster;

import com.calcgrid.CborSerializable;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.event.Level;

/**
 * Proves that the journal works: each probe persists one small event through the persistence
 * plugin (the same plugin, pool, driver and tables as the job supervisors) and reads it back
 * through the plugin's read journal. Readiness reports the last result ({@link NodeHealth}).
 *
 * <p>One writer per node, under a persistence id of its own ({@code calcgrid-health|host:port}).
 * It keeps at most a few rows: a snapshot every {@link #SNAPSHOT_EVERY} writes deletes the
 * events before it. A failed write or recovery restarts it with backoff, and it reads its events
 * again as it recovers.
 */
final class JournalProbe {
  static final int SNAPSHOT_EVERY = 20;
  /** The longest pause between restarts of a writer that failed: how soon it sees a journal back. */
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final ActorSystem<?> system;
  private final ActorRef<Writer.Command> writer;
  private final String persistenceId;
  private final Duration timeout;

  JournalProbe(ActorSystem<?> system, String node, Duration timeout) {
    this.system = system;
    this.timeout = timeout;
    PersistenceId id = PersistenceId.of("calcgrid-health", node);
    this.persistenceId = id.id();
    this.writer = system.systemActorOf(new Writer(id), "calcgrid-journal-probe", Props.empty());
  }

  /**
   * One write and its read-back; completes with the sequence number read back, or fails (also
   * after {@code timeout}) with what went wrong.
   */
  CompletionStage<Long> probe() {
    long at = System.currentTimeMillis();
    CompletionStage<Long> written = AskPattern.<Writer.Command, Writer.Written>ask(writer,
            reply -> new Writer.Write(at, reply), timeout, system.scheduler())
        .thenApply(Writer.Written::sequenceNr);
    return written.thenCompose(seq -> readBack(seq, at))
        .toCompletableFuture().orTimeout(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
  }

  private CompletionStage<Long> readBack(long seq, long at) {
    JdbcReadJournal journal = PersistenceQuery.get(system.classicSystem())
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    return journal.currentEventsByPersistenceId(persistenceId, seq, seq)
        .runWith(Sink.<EventEnvelope>headOption(), system)
        .thenCompose(found -> matches(found, seq, at)
            ? CompletableFuture.completedFuture(seq)
            : CompletableFuture.failedFuture(new IllegalStateException(
                "event " + seq + " of " + persistenceId + " was written but not read back")));
  }

  private static boolean matches(Optional<EventEnvelope> found, long seq, long at) {
    return found.isPresent() && found.get().sequenceNr() == seq
        && found.get().event() instanceof Writer.Probed p && p.at() == at;
  }

  /** The event-sourced writer of the probe's events. */
  static final class Writer extends EventSourcedBehavior<Writer.Command, Writer.Probed,
      Writer.State> {
    sealed interface Command {}

    /** Persist one event stamped {@code at}; the reply carries its sequence number. */
    record Write(long at, ActorRef<Written> replyTo) implements Command {}

    record Written(long sequenceNr) {}

    /** The journal took a write at {@code at} (epoch millis). */
    record Probed(long at) implements CborSerializable {}

    /** How many probes this node has written. */
    record State(long writes) implements CborSerializable {}

    Writer(PersistenceId id) {
      // NodeHealth reports a failing journal once; the restarts of an outage log at debug
      super(id, SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), MAX_BACKOFF, 0.2)
          .withLogLevel(Level.DEBUG));
    }

    @Override
    public State emptyState() {
      return new State(0);
    }

    @Override
    public CommandHandler<Command, Probed, State> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onCommand(Write.class, (state, w) -> Effect().persist(new Probed(w.at()))
              // one event per write, counted from the first: the count is the sequence number
              .thenRun(s -> w.replyTo().tell(new Written(s.writes()))))
          .build();
    }

    @Override
    public EventHandler<State, Probed> eventHandler() {
      return newEventHandlerBuilder().forAnyState()
          .onEvent(Probed.class, (s, e) -> new State(s.writes() + 1))
          .build();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
      return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 1).withDeleteEventsOnSnapshot();
    }
  }
}
