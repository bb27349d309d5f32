package com.calcgrid.pull;

import com.calcgrid.CborSerializable;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * One attempt of one task, as a supervisor hands it to a worker: everything the function needs,
 * so the worker never asks back.
 *
 * @param task the task's index in its job's compiled graph
 * @param dispatchId tells this hand-out from an earlier one of the same task, so a late result
 *     of a superseded hand-out is ignored
 * @param deps dependency results keyed by task id, in dependency order
 * @param maxResultBytes the template's declared bound on its result, 0 when it declares none
 */
public record TaskAssignment(
    String jobId,
    int task,
    String taskId,
    int attempt,
    long dispatchId,
    String fn,
    ObjectNode params,
    Map<String, JsonNode> deps,
    long timeoutMs,
    long maxResultBytes) implements CborSerializable {}
