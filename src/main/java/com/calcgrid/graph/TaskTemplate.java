package com.calcgrid.graph;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One entry of a graph's {@code tasks} array: a single task, or with {@code forEach} a template
 * that expands into {@code id[0]}, {@code id[1]}, ... All expansions share the template's deps.
 *
 * @param id unique within the graph; letters, digits, {@code _ - . :}
 * @param fn the function name, see {@link com.calcgrid.calc.CalcFunction#name()}
 * @param params the function's params (an object, possibly empty)
 * @param deps ids this task waits for: {@code "px"} means every expansion of px, {@code "px[3]"}
 *     one expansion
 * @param forEach null for a single task
 * @param retry how often to try and how long to wait between tries
 * @param timeoutMs how long one attempt may run before it is interrupted
 * @param estimateMs how long one attempt is expected to run, 0 when unknown; the scheduler
 *     starts the tasks with the longest estimated work still behind them first
 * @param maxResultBytes the most bytes of JSON one expansion's result may have, 0 when not
 *     declared (the node's {@code calcgrid.limits.max-result-bytes} applies). A declared bound
 *     lets the submission check what its dependents would receive, and is enforced when the
 *     task runs.
 */
public record TaskTemplate(
    String id,
    String fn,
    ObjectNode params,
    List<String> deps,
    ForEach forEach,
    RetryPolicy retry,
    long timeoutMs,
    long estimateMs,
    long maxResultBytes) {

  /** A template without a run-time estimate. */
  public TaskTemplate(String id, String fn, ObjectNode params, List<String> deps,
      ForEach forEach, RetryPolicy retry, long timeoutMs) {
    this(id, fn, params, deps, forEach, retry, timeoutMs, 0, 0);
  }

  /** A template without a declared result bound. */
  public TaskTemplate(String id, String fn, ObjectNode params, List<String> deps,
      ForEach forEach, RetryPolicy retry, long timeoutMs, long estimateMs) {
    this(id, fn, params, deps, forEach, retry, timeoutMs, estimateMs, 0);
  }

  /** How many tasks this template stands for. */
  public int count() {
    return forEach == null ? 1 : forEach.count();
  }
}
