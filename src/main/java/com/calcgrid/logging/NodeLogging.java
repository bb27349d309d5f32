package com.calcgrid.logging;

import ch.qos.logback.classic.LoggerContext;
import com.typesafe.config.Config;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Puts this node's address into every log line. Actor log lines carry it in the MDC
 * ({@code pekkoAddress}); every other line gets it from the logback context property
 * {@value #PROPERTY}, which the text pattern ({@link NodeConverter}) and the JSON encoder
 * (a {@code node} field) both print.
 */
public final class NodeLogging {
  /** The logback context property that holds the node's address. */
  public static final String PROPERTY = "node";

  private NodeLogging() {}

  /**
   * Before the actor system starts: the address the configuration asks for, so that the first
   * lines name the node too (unknown while the port is 0, chosen at bind time).
   */
  public static void setNodeAddress(Config config) {
    int port = config.getInt("pekko.remote.artery.canonical.port");
    if (port > 0) {
      setNodeAddress("pekko://calcgrid@"
          + config.getString("pekko.remote.artery.canonical.hostname") + ":" + port);
    }
  }

  /** Records the node's address; with several nodes in one JVM the last one wins. */
  public static void setNodeAddress(String address) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (factory instanceof LoggerContext context) {
      context.putProperty(PROPERTY, address);
    }
  }
}
