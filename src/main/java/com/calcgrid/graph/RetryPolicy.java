package com.calcgrid.graph;

/**
 * Per-task retry supervision: up to {@code maxAttempts} attempts, waiting
 * {@code backoffMs * 2^(attempt-1)} (capped at {@code maxBackoffMs}, with +-50% jitter) between
 * them.
 */
public record RetryPolicy(int maxAttempts, long backoffMs, long maxBackoffMs) {

  public static final RetryPolicy DEFAULT = new RetryPolicy(1, 200, 30_000);

  /** The wait before attempt {@code attempt + 1}, given a jitter factor in [0, 1). */
  public long backoffAfter(int attempt, double jitter) {
    double base = backoffMs * Math.pow(2, Math.max(0, attempt - 1));
    double capped = Math.min(base, maxBackoffMs);
    return Math.max(0, Math.round(capped * (0.5 + jitter)));
  }
}
