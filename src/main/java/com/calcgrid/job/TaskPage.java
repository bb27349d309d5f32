package com.calcgrid.job;

import com.calcgrid.CborSerializable;
import java.time.Instant;
import java.util.List;

/**
 * A page of a job's tasks in graph order, optionally only those in one state: what the
 * dashboard's task table shows. Rows carry no result, and errors cut to
 * {@link JobBrowser#ROW_ERROR_CHARS}; the task itself ({@code GET .../tasks/{taskId}}) has both
 * whole.
 *
 * @param template only this template's tasks, or null for every template's
 * @param state only tasks in this state, or null for every state
 * @param total how many tasks match the filters
 */
public record TaskPage(
    String jobId,
    String template,
    TaskStatus state,
    int offset,
    int limit,
    int total,
    List<Row> tasks) implements CborSerializable {

  /** One task, as a table row. */
  public record Row(
      String id,
      TaskStatus state,
      int attempts,
      Instant startedAt,
      Instant finishedAt,
      String node,
      String error) implements CborSerializable {}
}
