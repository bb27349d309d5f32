package com.calcgrid.calc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A calculation a task can name in its {@code fn} field. Implementations are stateless and
 * thread-safe: one instance serves every task on a node, on the calculation dispatcher.
 *
 * <p>Functions are found through {@link CalcProvider} and {@link java.util.ServiceLoader}, so a
 * desk adds its own by dropping a jar with a provider on the classpath.
 */
public interface CalcFunction {

  /** The name used in a graph's {@code fn} field, e.g. {@code bs.price}. */
  String name();

  /**
   * Checks a task's params when the graph is submitted, before anything is stored.
   *
   * @throws IllegalArgumentException with a message that names the offending param
   */
  default void validate(JsonNode params) {}

  /**
   * Runs the calculation. Long-running functions must respond to {@link Thread#interrupt()}
   * (timeouts and cancellation interrupt the running thread).
   *
   * @return the task's result, any JSON value
   * @throws Exception any failure; the message becomes the task's error
   */
  JsonNode apply(CalcInput input) throws Exception;
}
