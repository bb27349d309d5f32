package com.calcgrid.worker;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** {@code CALCGRID_TENANT_WEIGHTS}: {@code alpha=3,beta=1}; a tenant not named weighs 1. */
public final class TenantWeights {
  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9._:@-]{1,200}");
  /** Far beyond any sensible ratio; keeps the virtual times finite. */
  private static final double MAX = 1_000_000;

  private TenantWeights() {}

  /** @throws IllegalArgumentException naming the entry that is wrong */
  public static Map<String, Double> parse(String text) {
    Map<String, Double> weights = new LinkedHashMap<>();
    if (text == null || text.isBlank()) {
      return weights;
    }
    for (String entry : text.split(",")) {
      String e = entry.strip();
      int eq = e.indexOf('=');
      String tenant = eq < 0 ? e : e.substring(0, eq).strip();
      if (eq < 0 || !TENANT.matcher(tenant).matches()) {
        throw invalid("'" + e + "' is not tenant=weight");
      }
      double weight;
      try {
        weight = Double.parseDouble(e.substring(eq + 1).strip());
      } catch (NumberFormatException ex) {
        throw invalid("the weight of '" + tenant + "' is not a number");
      }
      if (!(weight > 0 && weight <= MAX)) {
        throw invalid("the weight of '" + tenant + "' must be above 0 and at most " + (long) MAX);
      }
      if (weights.put(tenant, weight) != null) {
        throw invalid("'" + tenant + "' is named twice");
      }
    }
    return weights;
  }

  private static IllegalArgumentException invalid(String why) {
    return new IllegalArgumentException("calcgrid.sharing.tenant-weights "
        + "(CALCGRID_TENANT_WEIGHTS): " + why + "; expected e.g. alpha=3,beta=1");
  }
}
