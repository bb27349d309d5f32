package com.calcgrid.job;

import com.calcgrid.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * A job's graph by template, not by task: a million-task job is its handful of templates, each
 * with how many tasks it expanded to and how many of them are in each state.
 *
 * @param templateCount templates in the graph; {@code templates} holds at most
 *     {@link JobBrowser#MAX_TEMPLATES} of them, in graph order
 * @param truncated true when templates or dependency edges were left out
 */
public record JobGraph(
    String jobId,
    int templateCount,
    boolean truncated,
    List<Template> templates) implements CborSerializable {

  /**
   * One template.
   *
   * @param tasks its expansion count (1 without forEach)
   * @param counts its tasks per state, only states that have tasks
   * @param deps ids of the templates it waits for (on all of their tasks or on one), each once
   */
  public record Template(
      String id,
      String fn,
      int tasks,
      boolean forEach,
      Map<String, Integer> counts,
      List<String> deps) implements CborSerializable {}
}
