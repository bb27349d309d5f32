package com.calcgrid.job;

import com.calcgrid.CborSerializable;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A page of results keyed by task id.
 *
 * @param scope {@code outputs} (tasks nothing depends on) or {@code all}
 * @param total how many tasks the scope has; page with offset and limit
 */
public record ResultsView(
    String jobId,
    JobStatus state,
    String scope,
    int offset,
    int limit,
    int total,
    Map<String, JsonNode> results) implements CborSerializable {}
