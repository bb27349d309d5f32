package com.calcgrid.cluster;

import org.apache.pekko.actor.Address;

/** How a node is named to users: {@code host:port} of its remoting address. */
public final class NodeAddress {
  private NodeAddress() {}

  /** E.g. {@code 127.0.0.2:25520}; {@code local:0} for an address without host. */
  public static String of(Address address) {
    return address.getHost().orElse("local") + ":" + address.getPort().orElse(0);
  }
}
