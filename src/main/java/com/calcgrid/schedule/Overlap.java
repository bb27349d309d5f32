package com.calcgrid.schedule;

/**
 * What a firing does while the job of the schedule's previous firing still runs.
 */
public enum Overlap {
  /** The firing does not run; it is shown as skipped. */
  SKIP("skip"),
  /** The firing waits for the previous job to end, then runs; one waits at most, later ones skip. */
  BUFFER_ONE("buffer-one"),
  /** The previous job is cancelled and the firing runs. */
  CANCEL_PREVIOUS("cancel-previous"),
  /** The firing runs beside the previous job. */
  ALLOW("allow");

  private final String wire;

  Overlap(String wire) {
    this.wire = wire;
  }

  /** The name in the API: skip, buffer-one, cancel-previous, allow. */
  public String wire() {
    return wire;
  }

  /** @throws InvalidScheduleException naming {@code overlap} */
  public static Overlap parse(String s) {
    for (Overlap o : values()) {
      if (o.wire.equals(s)) {
        return o;
      }
    }
    throw new InvalidScheduleException("overlap", "must be one of skip, buffer-one, "
        + "cancel-previous, allow" + (s == null ? "" : ", got '"
        + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'"));
  }
}
