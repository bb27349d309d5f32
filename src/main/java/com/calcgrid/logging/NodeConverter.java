package com.calcgrid.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.Map;

/**
 * {@code %node} in a logback pattern: the actor's address from the MDC ({@code pekkoAddress})
 * when the line comes from an actor, else the node address recorded in the logger context by
 * {@link NodeLogging}, else {@code -} (before the node has started).
 */
public final class NodeConverter extends ClassicConverter {
  @Override
  public String convert(ILoggingEvent event) {
    Map<String, String> mdc = event.getMDCPropertyMap();
    String address = mdc == null ? null : mdc.get("pekkoAddress");
    if (address == null || address.isEmpty()) {
      address = event.getLoggerContextVO() == null ? null
          : event.getLoggerContextVO().getPropertyMap().get(NodeLogging.PROPERTY);
    }
    return address == null || address.isEmpty() ? "-" : address;
  }
}
