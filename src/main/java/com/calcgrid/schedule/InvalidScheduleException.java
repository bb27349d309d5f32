package com.calcgrid.schedule;

/** A schedule's field that cannot be accepted: {@link #field()} names it for the client. */
public final class InvalidScheduleException extends RuntimeException {
  private final String field;

  public InvalidScheduleException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
