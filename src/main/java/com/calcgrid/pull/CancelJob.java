package com.calcgrid.pull;

/** Interrupt every running task of a job. */
public record CancelJob(String jobId) implements Worker {}
