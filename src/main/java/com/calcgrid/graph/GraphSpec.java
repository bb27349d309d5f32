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
 */
public record GraphSpec(String name, List<TaskTemplate> tasks) implements CborSerializable {

  /** Tasks after forEach expansion: what the job will run, and what limits count. */
  public int taskCount() {
    return tasks.stream().mapToInt(TaskTemplate::count).sum();
  }
}
