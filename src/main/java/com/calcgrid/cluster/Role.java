package com.calcgrid.cluster;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a node does in the cluster. Cluster Sharding places job supervisors only on
 * {@link #SCHEDULER} nodes; supervisors find {@link #WORKER} nodes through the Receptionist; only
 * {@link #API} nodes serve the job API.
 */
public enum Role {
  API, SCHEDULER, WORKER;

  /** The name in {@code CALCGRID_ROLES} and in cluster membership, e.g. {@code scheduler}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a comma-separated list such as {@code "api, worker"}.
   *
   * @throws IllegalArgumentException naming the unknown role, or when the list is empty
   */
  public static Set<Role> parse(String list) {
    EnumSet<Role> roles = EnumSet.noneOf(Role.class);
    for (String part : list.split(",")) {
      String id = part.trim();
      if (id.isEmpty()) {
        continue;
      }
      roles.add(Arrays.stream(values()).filter(r -> r.id().equals(id.toLowerCase(Locale.ROOT)))
          .findFirst().orElseThrow(() -> new IllegalArgumentException("calcgrid.roles "
              + "(CALCGRID_ROLES): unknown role '" + id + "'; use a comma-separated list of "
              + Arrays.stream(values()).map(Role::id).collect(Collectors.joining(", ")))));
    }
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("calcgrid.roles (CALCGRID_ROLES) is empty; give at least "
          + "one of api, scheduler, worker");
    }
    return roles;
  }
}
