package com.calcgrid.api.auth;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who sent a request, as its verified token says.
 *
 * @param subject the token's {@code sub}
 * @param tenant the desk the caller belongs to; its jobs are the only ones it sees
 * @param roles what it may do
 */
public record Caller(String subject, String tenant, Set<AccessRole> roles) {
  /** Tenant names: they are stored in the job index and shown in listings. */
  public static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}");

  /** The tenant of every job when authentication is off. */
  public static final String DEFAULT_TENANT = "default";

  /**
   * Every caller when authentication is off: submits and reads in the single tenant
   * {@code default}, and is never an admin (cluster leave and down need a token).
   */
  public static final Caller OPEN = new Caller("anonymous", DEFAULT_TENANT,
      Set.of(AccessRole.VIEWER, AccessRole.SUBMITTER));

  public Caller {
    roles = Set.copyOf(roles);
  }

  /** True if one of the caller's roles includes {@code needed}. */
  public boolean may(AccessRole needed) {
    return roles.stream().anyMatch(r -> r.includes(needed));
  }

  public boolean isAdmin() {
    return may(AccessRole.ADMIN);
  }

  /** True if the caller may see a job of {@code jobTenant}. */
  public boolean sees(String jobTenant) {
    return isAdmin() || tenant.equals(jobTenant);
  }
}
