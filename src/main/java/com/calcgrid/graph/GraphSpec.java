package com.calcgrid.graph;

import com.calcgrid.CborSerializable;
import java.util.List;

/**
 * A calculation graph as posted, before forEach expansion. This is what the journal stores:
 * expansion is a pure function of it ({@link CompiledGraph#compile}), so a million-task job is
 * persisted as the few hundred bytes its author wrote.
 *
 * @param name a label for people; not unique
 * @param tasks the task templates in the order posted
 * @param priority the class whose work free slots go to first ({@link #PRIORITIES}); jobs
 *     stored before priorities existed read as {@code batch}
 * @param deadline when the job should be done (ISO-8601 instant), or null: a job projected to
 *     miss it is reported at risk and served first within its class
 */
public record GraphSpec(String name, List<TaskTemplate> tasks, String priority,
    String deadline) implements CborSerializable {
  /** Priority classes, in the order free slots go to them. */
  public static final List<String> PRIORITIES = List.of("interactive", "batch");
  public static final String DEFAULT_PRIORITY = "batch";

  public GraphSpec {
    priority = priority == null ? DEFAULT_PRIORITY : priority;
  }

  public GraphSpec(String name, List<TaskTemplate> tasks) {
    this(name, tasks, DEFAULT_PRIORITY, null);
  }

  /** The deadline in epoch milliseconds, or -1 when there is none. */
  public long deadlineMillis() {
    return deadline == null ? -1 : java.time.Instant.parse(deadline).toEpochMilli();
  }

  /** The class's place in {@link #PRIORITIES}: 0 is served first. */
  public int priorityRank() {
    return rankOf(priority);
  }

  /** 0 for the first class of {@link #PRIORITIES}; an unknown class counts as the last. */
  public static int rankOf(String priority) {
    int rank = PRIORITIES.indexOf(priority);
    return rank < 0 ? PRIORITIES.size() - 1 : rank;
  }

  /** Tasks after forEach expansion: what the job will run, and what limits count. */
  public int taskCount() {
    return tasks.stream().mapToInt(TaskTemplate::count).sum();
  }
}
