package com.calcgrid.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.Map;

/**
 * {@code %node} in a logback pattern: the actor's address from the MDC ({@code pekkoAddress})
 * when the line comes from an actor and the address names a host, else the node address that
 * {@link NodeLogging} recorded in the logger context, else {@code -} (before the node starts).
 */
public final class NodeConverter extends ClassicConverter {
  @Override
  public String convert(ILoggingEvent event) {
    Map<String, String> mdc = event.getMDCPropertyMap();
    String address = mdc == null ? null : mdc.get("pekkoAddress");
    // before remoting starts an actor's address has no host ("pekko://calcgrid"): not useful
    if (address == null || address.indexOf('@') < 0) {
      address = event.getLoggerContextVO() == null ? null
          : event.getLoggerContextVO().getPropertyMap().get(NodeLogging.PROPERTY);
    }
    return address == null || address.isEmpty() ? "-" : address;
  }
}
