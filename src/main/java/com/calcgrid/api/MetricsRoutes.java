package com.calcgrid.api;

import com.calcgrid.metrics.NodeMetrics;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /metrics}: this node's metrics in the Prometheus text format, from memory. Nothing here
 * touches the database: the job counts are read in the background
 * ({@link com.calcgrid.metrics.JobCounts}), so scrapes cost the database nothing, however often
 * and by whomever they come.
 */
public final class MetricsRoutes extends AllDirectives {
  private static final ContentType TEXT = ContentTypes.parse(NodeMetrics.CONTENT_TYPE);

  private final NodeMetrics metrics;

  public MetricsRoutes(NodeMetrics metrics) {
    this.metrics = metrics;
  }

  public Route routes() {
    return path("metrics", () -> get(() -> complete(
        HttpResponse.create().withEntity(TEXT, metrics.scrape()))));
  }
}
