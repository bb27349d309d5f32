package com.calcgrid.api;

import com.calcgrid.job.JobIndex;
import com.calcgrid.metrics.NodeMetrics;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /metrics}: this node's metrics in the Prometheus text format. The job counts by state
 * are read from the job index at each scrape, bounded by a timeout.
 */
public final class MetricsRoutes extends AllDirectives {
  private static final ContentType TEXT = ContentTypes.parse(NodeMetrics.CONTENT_TYPE);

  private final NodeMetrics metrics;
  private final JobIndex index;
  private final Duration indexTimeout;

  public MetricsRoutes(NodeMetrics metrics, JobIndex index, Duration indexTimeout) {
    this.metrics = metrics;
    this.index = index;
    this.indexTimeout = indexTimeout;
  }

  public Route routes() {
    return path("metrics", () -> get(() -> completeWithFuture(scrape())));
  }

  private CompletionStage<HttpResponse> scrape() {
    return index.countByState().toCompletableFuture()
        .orTimeout(indexTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((counts, error) -> {
          if (error == null) {
            Map<String, Long> byName = new LinkedHashMap<>();
            counts.forEach((state, n) -> byName.put(state.name(), n));
            metrics.jobsByState(byName);
          } else {
            metrics.jobsByStateUnknown();
          }
          return HttpResponse.create().withEntity(TEXT, metrics.scrape());
        });
  }
}
