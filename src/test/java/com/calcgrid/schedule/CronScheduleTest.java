package com.calcgrid.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Firing times in zones with daylight saving: Europe/London goes from 01:00 GMT to 02:00 BST on
 * 30 March 2025 and back from 02:00 BST to 01:00 GMT on 26 October 2025; America/New_York from
 * 02:00 EST to 03:00 EDT on 9 March 2025 and back on 2 November 2025.
 */
class CronScheduleTest {

  @Test
  void endOfDayRunAt1830LondonOnWeekdaysFollowsSummerTime() {
    CronSchedule eod = CronSchedule.of("0 30 18 ? * MON-FRI", "Europe/London");
    // Friday 28 March 2025 (GMT), then Monday 31 March (BST): the weekend is skipped
    assertEquals(List.of(Instant.parse("2025-03-28T18:30:00Z"),
            Instant.parse("2025-03-31T17:30:00Z"), Instant.parse("2025-04-01T17:30:00Z")),
        eod.next(Instant.parse("2025-03-28T12:00:00Z"), 3));
  }

  @Test
  void aFiringInTheSpringGapRunsOnceAtTheEndOfTheGap() {
    CronSchedule daily = CronSchedule.of("0 30 1 * * ?", "Europe/London");
    // 01:30 does not exist on 30 March: once, at 02:00 BST (01:00Z); the days around as usual
    assertEquals(List.of(Instant.parse("2025-03-29T01:30:00Z"),
            Instant.parse("2025-03-30T01:00:00Z"), Instant.parse("2025-03-31T00:30:00Z")),
        daily.next(Instant.parse("2025-03-29T00:00:00Z"), 3));
  }

  @Test
  void everyFiringInTheGapCollapsesIntoOne() {
    CronSchedule quarterly = CronSchedule.of("0 */15 * * * ?", "Europe/London");
    // 01:00, 01:15, 01:30, 01:45 local do not exist; 02:00 BST is the same instant as the gap's end
    assertEquals(List.of(Instant.parse("2025-03-30T00:45:00Z"),
            Instant.parse("2025-03-30T01:00:00Z"), Instant.parse("2025-03-30T01:15:00Z")),
        quarterly.next(Instant.parse("2025-03-30T00:40:00Z"), 3));
  }

  @Test
  void aFiringInTheAutumnOverlapRunsOnceAtTheFirstOccurrence() {
    CronSchedule daily = CronSchedule.of("0 30 1 * * ?", "Europe/London");
    // 01:30 happens at 00:30Z (BST) and again at 01:30Z (GMT) on 26 October: only the first
    assertEquals(List.of(Instant.parse("2025-10-25T00:30:00Z"),
            Instant.parse("2025-10-26T00:30:00Z"), Instant.parse("2025-10-27T01:30:00Z")),
        daily.next(Instant.parse("2025-10-24T12:00:00Z"), 3));
    // asked from inside the second pass, the repeated hour is not fired again
    assertEquals(Instant.parse("2025-10-27T01:30:00Z"),
        daily.next(Instant.parse("2025-10-26T01:10:00Z")));
  }

  @Test
  void aFrequentScheduleSkipsTheRepeatedHourInsteadOfDoublingIt() {
    CronSchedule quarterly = CronSchedule.of("0 */15 * * * ?", "Europe/London");
    List<Instant> times = quarterly.next(Instant.parse("2025-10-26T00:40:00Z"), 3);
    // 01:45 BST (00:45Z), then 02:00 GMT (02:00Z): 01:00-01:45 GMT would repeat wall times
    assertEquals(List.of(Instant.parse("2025-10-26T00:45:00Z"),
        Instant.parse("2025-10-26T02:00:00Z"), Instant.parse("2025-10-26T02:15:00Z")), times);
  }

  @Test
  void newYorkGapAndOverlap() {
    CronSchedule at230 = CronSchedule.of("0 30 2 * * ?", "America/New_York");
    // 02:30 does not exist on 9 March: 03:00 EDT = 07:00Z
    assertEquals(Instant.parse("2025-03-09T07:00:00Z"),
        at230.next(Instant.parse("2025-03-09T05:00:00Z")));
    CronSchedule at130 = CronSchedule.of("0 30 1 * * ?", "America/New_York");
    // 01:30 happens twice on 2 November: 05:30Z (EDT) only
    assertEquals(List.of(Instant.parse("2025-11-02T05:30:00Z"),
            Instant.parse("2025-11-03T06:30:00Z")),
        at130.next(Instant.parse("2025-11-02T04:00:00Z"), 2));
  }

  @Test
  void everyTwoSecondsAndTheShortestGap() {
    CronSchedule every2 = CronSchedule.of("*/2 * * * * ?", "UTC");
    assertEquals(Instant.parse("2025-01-01T00:00:02Z"),
        every2.next(Instant.parse("2025-01-01T00:00:00.500Z")));
    assertEquals(Duration.ofSeconds(2), every2.shortestGap(Instant.parse("2025-01-01T00:00:00Z"),
        100));
    CronSchedule twiceAMinute = CronSchedule.of("0,1 * * * * ?", "UTC");
    assertEquals(Duration.ofSeconds(1),
        twiceAMinute.shortestGap(Instant.parse("2025-01-01T00:00:00Z"), 100));
  }

  @Test
  void aScheduleThatEndedHasNoNextFiring() {
    CronSchedule once = CronSchedule.of("0 0 12 1 1 ? 2020", "UTC");
    assertNull(once.next(Instant.parse("2025-01-01T00:00:00Z")));
  }

  @Test
  void badExpressionsAndZonesNameTheirField() {
    InvalidScheduleException cron = assertThrows(InvalidScheduleException.class,
        () -> CronSchedule.of("61 * * * * ?", "UTC"));
    assertEquals("cron", cron.field());
    assertEquals("cron", assertThrows(InvalidScheduleException.class,
        () -> CronSchedule.of("every day", "UTC")).field());
    // five fields (no seconds) are not enough
    assertEquals("cron", assertThrows(InvalidScheduleException.class,
        () -> CronSchedule.of("30 18 * * 1-5", "UTC")).field());
    assertEquals("timeZone", assertThrows(InvalidScheduleException.class,
        () -> CronSchedule.of("0 * * * * ?", "Europe/Lundon")).field());
    assertEquals("timeZone", assertThrows(InvalidScheduleException.class,
        () -> CronSchedule.of("0 * * * * ?", "+01:00")).field());
  }
}
