package com.calcgrid.gateway;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * calcgrid.gateway, with the limits it shares with the rest of the node.
 *
 * @param heartbeatInterval how often the gateway pings a worker
 * @param heartbeatTimeout a worker silent this long is dropped as lost
 * @param helloTimeout how long a new connection may take to say hello
 * @param maxMessageBytes the largest message a worker may send
 * @param maxSlots the most slots one connection may declare
 * @param maxFunctions the most functions one connection may declare
 * @param maxConnections connections at once on this node
 * @param maxRefused refused reports before a connection is closed
 * @param maxQueue the most tasks sent to a worker beyond its slots
 * @param queueCover calcgrid.worker.queue-cover: how much work, in time, that queue holds
 * @param offerTimeout calcgrid.worker.offer-timeout: an unanswered offer's slots return
 * @param maxResultBytes calcgrid.limits.max-result-bytes
 * @param reportGrace calcgrid.job.report-grace: past a task's timeout plus this, the gateway
 *     fails the attempt and tells the worker to stop it
 */
public record GatewaySettings(Duration heartbeatInterval, Duration heartbeatTimeout,
    Duration helloTimeout, long maxMessageBytes, int maxSlots, int maxFunctions,
    int maxConnections, int maxRefused, int maxQueue, Duration queueCover,
    Duration offerTimeout, long maxResultBytes, Duration reportGrace) {

  public static GatewaySettings fromConfig(Config config) {
    Config g = config.getConfig("calcgrid.gateway");
    GatewaySettings s = new GatewaySettings(g.getDuration("heartbeat-interval"),
        g.getDuration("heartbeat-timeout"), g.getDuration("hello-timeout"),
        g.getBytes("max-message-bytes"), g.getInt("max-slots"), g.getInt("max-functions"),
        g.getInt("max-connections"), g.getInt("max-refused"), g.getInt("max-queue"),
        config.getDuration("calcgrid.worker.queue-cover"),
        config.getDuration("calcgrid.worker.offer-timeout"),
        config.getBytes("calcgrid.limits.max-result-bytes"),
        config.getDuration("calcgrid.job.report-grace"));
    if (s.heartbeatTimeout.compareTo(s.heartbeatInterval.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("calcgrid.gateway.heartbeat-timeout ("
          + s.heartbeatTimeout + ") must be at least twice heartbeat-interval ("
          + s.heartbeatInterval + "): a worker needs a ping to answer");
    }
    if (s.maxMessageBytes < s.maxResultBytes) {
      throw new IllegalArgumentException("calcgrid.gateway.max-message-bytes"
          + " (CALCGRID_GATEWAY_MAX_MESSAGE_BYTES) is " + s.maxMessageBytes + ", less than"
          + " calcgrid.limits.max-result-bytes (" + s.maxResultBytes + "): an external worker"
          + " could not report the largest result a task may return");
    }
    return s;
  }
}
