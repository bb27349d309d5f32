package com.calcgrid.job;

import com.calcgrid.CborSerializable;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One task as clients see it. {@code result} is null unless it SUCCEEDED; {@code lostWorkers}
 * counts the workers lost while running it (their node died or left). {@code waiting} says why a
 * READY task waits beyond a free slot ("no worker serves py.price"), or is null.
 */
public record TaskView(
    String jobId,
    String id,
    TaskStatus state,
    int attempts,
    int lostWorkers,
    Instant startedAt,
    Instant finishedAt,
    String node,
    String error,
    JsonNode result,
    String waiting) implements CborSerializable {}
