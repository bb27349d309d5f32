package com.calcgrid.schedule;

import com.calcgrid.CborSerializable;
import com.calcgrid.schedule.Firing.Kind;
import com.calcgrid.schedule.Firing.Outcome;
import com.calcgrid.schedule.ScheduleEvent.FiringBuffered;
import com.calcgrid.schedule.ScheduleEvent.FiringRecorded;
import com.calcgrid.schedule.ScheduleEvent.FiringRefused;
import com.calcgrid.schedule.ScheduleEvent.FiringSkipped;
import com.calcgrid.schedule.ScheduleEvent.FiringSubmitted;
import com.calcgrid.schedule.ScheduleEvent.FiringsMissed;
import com.calcgrid.schedule.ScheduleEvent.FiringsRequested;
import com.calcgrid.schedule.ScheduleEvent.ScheduleChanged;
import com.calcgrid.schedule.ScheduleEvent.ScheduleCreated;
import com.calcgrid.schedule.ScheduleEvent.ScheduleDeleted;
import com.calcgrid.schedule.ScheduleEvent.SchedulePaused;
import com.calcgrid.schedule.ScheduleEvent.ScheduleResumed;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A schedule's durable state, an immutable value: each event gives the next one. It stays small
 * whatever the schedule's age: the last {@link #HISTORY} firings and {@link #MISSED_KEPT} missed
 * ranges are kept, older ones only counted.
 *
 * @param cursor the last scheduled instant decided (run, buffered, skipped or missed): the next
 *     scheduled firing is the cron's first after it
 * @param pending firings recorded whose job is not yet known to be accepted
 * @param buffered the firing waiting for the previous job (overlap buffer-one), or null
 * @param backlog firings asked for explicitly and not yet decided, in order
 * @param lastJob the job of the latest firing that ran: the one overlap policies look at
 */
public record ScheduleState(String id, String tenant, ScheduleSpec spec, boolean paused,
    boolean deleted, Instant createdAt, Instant updatedAt, Instant cursor, List<Firing> pending,
    Firing buffered, List<Firing> backlog, List<Firing> history, List<FiringsMissed> missed,
    String lastJob, long fired, long skipped, long missedCount) implements CborSerializable {

  static final int HISTORY = 20;
  static final int MISSED_KEPT = 10;

  static final ScheduleState EMPTY = new ScheduleState(null, null, null, false, false, null,
      null, null, List.of(), null, List.of(), List.of(), List.of(), null, 0, 0, 0);

  boolean exists() {
    return spec != null && !deleted;
  }

  ScheduleState apply(ScheduleEvent event) {
    if (event instanceof ScheduleCreated e) {
      return new ScheduleState(e.id(), e.tenant(), e.spec(), e.paused(), false,
          e.at(), e.at(), initialCursor(e.spec(), e.at()), List.of(), null, List.of(), List.of(),
          List.of(), null, 0, 0, 0);
    }
    if (event instanceof ScheduleChanged e) {
      return new ScheduleState(id, tenant, e.spec(), paused, deleted,
          createdAt, e.at(), later(cursor, initialCursor(e.spec(), e.at())), pending, buffered,
          backlog, history, missed, lastJob, fired, skipped, missedCount);
    }
    if (event instanceof SchedulePaused e) {
      return new ScheduleState(id, tenant, spec, true, deleted, createdAt,
          e.at(), cursor, pending, buffered, backlog, history, missed, lastJob, fired, skipped,
          missedCount);
    }
    if (event instanceof ScheduleResumed e) {
      return new ScheduleState(id, tenant, spec, false, deleted, createdAt,
          e.at(), later(cursor, e.at()), pending, buffered, backlog, history, missed, lastJob,
          fired, skipped, missedCount);
    }
    if (event instanceof ScheduleDeleted e) {
      return new ScheduleState(id, tenant, spec, paused, true, createdAt,
          e.at(), cursor, pending, null, List.of(), history, missed, lastJob, fired, skipped,
          missedCount);
    }
    if (event instanceof FiringsRequested e) {
        List<Firing> more = new ArrayList<>(backlog);
        for (Instant t : e.times()) {
          more.add(new Firing(t, e.kind(), Outcome.RECORDED, null, e.at(), null));
        }
        return new ScheduleState(id, tenant, spec, paused, deleted, createdAt, updatedAt, cursor,
            pending, buffered, List.copyOf(more), history, missed, lastJob, fired, skipped,
            missedCount);
      }
    if (event instanceof FiringRecorded e) {
        Firing f = new Firing(e.scheduledFor(), e.kind(), Outcome.RECORDED, e.job(), e.at(), null);
        return new ScheduleState(id, tenant, spec, paused, deleted, createdAt, updatedAt,
            advanced(e.kind(), e.scheduledFor()), plus(pending, f),
            same(buffered, e.scheduledFor(), e.kind()) ? null : buffered,
            without(backlog, e.scheduledFor(), e.kind()), history, missed, e.job(), fired,
            skipped, missedCount);
      }
    if (event instanceof FiringSubmitted e) {
        Firing f = find(pending, e.scheduledFor());
        Firing done = f == null
            ? new Firing(e.scheduledFor(), Kind.SCHEDULED, Outcome.SUBMITTED, e.job(), e.at(), null)
            : f.with(Outcome.SUBMITTED, e.at(), e.created() ? null : "the job existed already");
        return new ScheduleState(id, tenant, spec, paused, deleted, createdAt, updatedAt, cursor,
            without(pending, e.scheduledFor(), null), buffered, backlog, recent(history, done),
            missed, lastJob, fired + 1, skipped, missedCount);
      }
    if (event instanceof FiringBuffered e) {
      return new ScheduleState(id, tenant, spec, paused, deleted, createdAt,
          updatedAt, advanced(e.kind(), e.scheduledFor()), pending,
          new Firing(e.scheduledFor(), e.kind(), Outcome.BUFFERED, null, e.at(), null),
          without(backlog, e.scheduledFor(), e.kind()), history, missed, lastJob, fired, skipped,
          missedCount);
    }
    if (event instanceof FiringSkipped e) {
      return new ScheduleState(id, tenant, spec, paused, deleted, createdAt,
          updatedAt, advanced(e.kind(), e.scheduledFor()), pending,
          same(buffered, e.scheduledFor(), e.kind()) ? null : buffered,
          without(backlog, e.scheduledFor(), e.kind()),
          recent(history, new Firing(e.scheduledFor(), e.kind(), Outcome.SKIPPED, null, e.at(),
              e.reason())), missed, lastJob, fired, skipped + 1, missedCount);
    }
    if (event instanceof FiringRefused e) {
        Firing f = find(pending, e.scheduledFor());
        Firing done = f == null
            ? new Firing(e.scheduledFor(), Kind.SCHEDULED, Outcome.REFUSED, null, e.at(), e.reason())
            : f.with(Outcome.REFUSED, e.at(), e.reason());
        return new ScheduleState(id, tenant, spec, paused, deleted, createdAt, updatedAt, cursor,
            without(pending, e.scheduledFor(), null), buffered, backlog, recent(history, done),
            missed, lastJob, fired, skipped, missedCount + 1);
      }
    if (event instanceof FiringsMissed e) {
        List<FiringsMissed> m = new ArrayList<>(missed);
        m.add(e);
        while (m.size() > MISSED_KEPT) {
          m.remove(0);
        }
        return new ScheduleState(id, tenant, spec, paused, deleted, createdAt, updatedAt,
            later(cursor, e.to()), pending, buffered, backlog, history, List.copyOf(m), lastJob,
            fired, skipped, missedCount + e.count());
      }
    throw new IllegalArgumentException("unknown event " + event);
  }

  /** Firings before startAt never run, nor do those before the schedule existed. */
  private static Instant initialCursor(ScheduleSpec spec, Instant at) {
    return spec.startAt() == null ? at : later(at, spec.startAt().minusMillis(1));
  }

  private Instant advanced(Kind kind, Instant t) {
    return kind == Kind.SCHEDULED ? later(cursor, t) : cursor;
  }

  private static Instant later(Instant a, Instant b) {
    return a == null || b.isAfter(a) ? b : a;
  }

  private static boolean same(Firing f, Instant t, Kind kind) {
    return f != null && f.scheduledFor().equals(t) && f.kind() == kind;
  }

  private static Firing find(List<Firing> list, Instant t) {
    for (Firing f : list) {
      if (f.scheduledFor().equals(t)) {
        return f;
      }
    }
    return null;
  }

  private static List<Firing> plus(List<Firing> list, Firing f) {
    List<Firing> out = new ArrayList<>(list);
    out.add(f);
    return List.copyOf(out);
  }

  /** The list without its first firing at {@code t} (of {@code kind}, if not null). */
  private static List<Firing> without(List<Firing> list, Instant t, Kind kind) {
    List<Firing> out = new ArrayList<>(list);
    for (int i = 0; i < out.size(); i++) {
      Firing f = out.get(i);
      if (f.scheduledFor().equals(t) && (kind == null || f.kind() == kind)) {
        out.remove(i);
        return List.copyOf(out);
      }
    }
    return list;
  }

  private static List<Firing> recent(List<Firing> history, Firing f) {
    List<Firing> out = new ArrayList<>(history);
    out.add(f);
    while (out.size() > HISTORY) {
      out.remove(0);
    }
    return List.copyOf(out);
  }

  /** The recorded firing at {@code t}, or null. */
  Firing pendingAt(Instant t) {
    return find(pending, t);
  }
}
