package com.calcgrid.cluster;

import java.util.ArrayList;
import java.util.List;

/** Turns {@code CALCGRID_SEED_NODES} ({@code host:port,host:port}) into cluster addresses. */
public final class SeedNodes {
  private SeedNodes() {}

  /**
   * @param systemName the actor system's name, the same on every node
   * @throws IllegalArgumentException naming the entry that is not {@code host:port}
   */
  public static List<String> parse(String list, String systemName) {
    List<String> seeds = new ArrayList<>();
    for (String part : list.split(",")) {
      String entry = part.trim();
      if (entry.isEmpty()) {
        continue;
      }
      int colon = entry.lastIndexOf(':');
      String host = colon > 0 ? entry.substring(0, colon) : "";
      String port = colon > 0 ? entry.substring(colon + 1) : "";
      if (host.isEmpty() || !port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535
          || host.contains("/") || host.contains("@")) {
        throw new IllegalArgumentException("calcgrid.seed-nodes (CALCGRID_SEED_NODES): '" + entry
            + "' is not host:port, e.g. 10.0.0.1:25520");
      }
      seeds.add("pekko://" + systemName + "@" + host + ":" + port);
    }
    return seeds;
  }
}
