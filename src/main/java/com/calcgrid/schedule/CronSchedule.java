package com.calcgrid.schedule;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;
import org.quartz.CronExpression;

/**
 * When a cron expression (Quartz syntax, with seconds) fires in an IANA time zone.
 *
 * <p>The expression is evaluated on wall-clock time, and each wall-clock time is then placed in
 * the zone with {@code java.time}: a time that falls in a daylight-saving gap fires once, at the
 * first instant after the gap; a time that occurs twice (the clocks go back) fires once, at the
 * first of the two. Quartz's own zone handling is not used, as it has neither rule.
 */
public final class CronSchedule {
  /** Candidates examined for one answer at most: a whole overlap hour of a per-second cron. */
  private static final int MAX_STEPS = 10_000;

  private final CronExpression cron;
  private final ZoneId zone;
  private final String expression;

  private CronSchedule(CronExpression cron, ZoneId zone, String expression) {
    this.cron = cron;
    this.zone = zone;
    this.expression = expression;
  }

  /**
   * @throws InvalidScheduleException naming {@code cron} or {@code timeZone}
   */
  public static CronSchedule of(String expression, String timeZone) {
    ZoneId zone = zone(timeZone);
    if (expression == null || expression.isBlank()) {
      throw new InvalidScheduleException("cron", "is required, for example '0 30 18 ? * MON-FRI'");
    }
    if (expression.length() > 200) {
      throw new InvalidScheduleException("cron", "is longer than 200 characters");
    }
    CronExpression cron;
    try {
      cron = new CronExpression(expression);
    } catch (ParseException | RuntimeException e) {
      throw new InvalidScheduleException("cron", "'" + expression + "' is not a cron expression "
          + "with seconds (" + e.getMessage() + "); the fields are second minute hour "
          + "day-of-month month day-of-week [year], for example '0 30 18 ? * MON-FRI'");
    }
    cron.setTimeZone(TimeZone.getTimeZone(ZoneOffset.UTC));
    return new CronSchedule(cron, zone, expression);
  }

  /** An IANA zone id such as Europe/London, or UTC. */
  static ZoneId zone(String timeZone) {
    if (timeZone == null || timeZone.isBlank()) {
      throw new InvalidScheduleException("timeZone", "is required, an IANA time zone such as "
          + "Europe/London or UTC");
    }
    if (!ZoneId.getAvailableZoneIds().contains(timeZone)) {
      throw new InvalidScheduleException("timeZone", "'" + shorten(timeZone)
          + "' is not an IANA time zone such as Europe/London, America/New_York or UTC");
    }
    return ZoneId.of(timeZone);
  }

  private static String shorten(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }

  public ZoneId zone() {
    return zone;
  }

  public String expression() {
    return expression;
  }

  /** The first firing strictly after {@code after}, or null if there is none. */
  public Instant next(Instant after) {
    LocalDateTime local = LocalDateTime.ofInstant(after, zone);
    for (int i = 0; i < MAX_STEPS; i++) {
      Date next = cron.getNextValidTimeAfter(Date.from(local.toInstant(ZoneOffset.UTC)));
      if (next == null) {
        return null;
      }
      LocalDateTime candidate = LocalDateTime.ofInstant(next.toInstant(), ZoneOffset.UTC);
      Instant at = place(candidate);
      // in the second pass of an overlap the wall clock repeats times already fired
      if (at.isAfter(after)) {
        return at;
      }
      local = candidate;
    }
    return null;
  }

  /** Up to {@code max} firings after {@code after}, in order. */
  public List<Instant> next(Instant after, int max) {
    List<Instant> out = new ArrayList<>();
    Instant t = after;
    while (out.size() < max && (t = next(t)) != null) {
      out.add(t);
    }
    return out;
  }

  /**
   * The shortest time between two of the next {@code count} firings after {@code from}, or null
   * if there are fewer than two.
   */
  public Duration shortestGap(Instant from, int count) {
    List<Instant> times = next(from, count);
    Duration shortest = null;
    for (int i = 1; i < times.size(); i++) {
      Duration d = Duration.between(times.get(i - 1), times.get(i));
      if (shortest == null || d.compareTo(shortest) < 0) {
        shortest = d;
      }
    }
    return shortest;
  }

  /** The instant of a wall-clock time in the zone, by the rules in the class comment. */
  private Instant place(LocalDateTime local) {
    ZoneRules rules = zone.getRules();
    if (rules.getValidOffsets(local).isEmpty()) {
      ZoneOffsetTransition gap = rules.getTransition(local);
      return gap.getInstant();
    }
    // ofLocal without a preferred offset keeps the earlier of two
    return ZonedDateTime.ofLocal(local, zone, null).toInstant();
  }
}
