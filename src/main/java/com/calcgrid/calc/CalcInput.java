package com.calcgrid.calc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * What a function receives for one attempt of one task.
 *
 * @param taskId the task's id after expansion, e.g. {@code px[17]}
 * @param params the task's params, with the forEach param already set
 * @param deps results of the task's dependencies keyed by task id (a dep on a forEach template
 *     contributes one entry per expansion), in dependency order
 * @param attempt 1 for the first attempt, 2 for the first retry, ...
 */
public record CalcInput(String taskId, ObjectNode params, Map<String, JsonNode> deps, int attempt) {}
