package com.calcgrid.api.auth;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a caller may do, from the {@code roles} claim of its token. Viewer, submitter and admin
 * each include the ones before them: a submitter may also view, an admin may do everything.
 * {@link #WORKER} stands apart: it connects an external worker and includes nothing else.
 */
public enum AccessRole {
  /** Read jobs, tasks and results of its tenant; stream their events. */
  VIEWER,
  /** Also submit and cancel jobs in its tenant. */
  SUBMITTER,
  /** Everything, in every tenant, including cluster leave and down. */
  ADMIN,
  /**
   * Connect to the worker gateway as an external worker: receive the tasks handed to that
   * connection and report them. It may read or submit nothing.
   */
  WORKER;

  /** True if a caller with this role may do what {@code needed} allows. */
  public boolean includes(AccessRole needed) {
    if (this == WORKER || needed == WORKER) {
      return this == needed || this == ADMIN;
    }
    return compareTo(needed) >= 0;
  }

  /** The claim's value as it appears in tokens, e.g. {@code submitter}. */
  public String claim() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The roles named in a token; names this server does not know are ignored. */
  public static Set<AccessRole> fromClaims(Collection<String> names) {
    Set<AccessRole> roles = EnumSet.noneOf(AccessRole.class);
    for (String name : names) {
      for (AccessRole r : values()) {
        if (r.claim().equals(name)) {
          roles.add(r);
        }
      }
    }
    return roles;
  }
}
