package com.calcgrid.job;

import com.calcgrid.CborSerializable;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** One task as clients see it. {@code result} is null unless it SUCCEEDED. */
public record TaskView(
    String jobId,
    String id,
    TaskStatus state,
    int attempts,
    Instant startedAt,
    Instant finishedAt,
    String node,
    String error,
    JsonNode result) implements CborSerializable {}
