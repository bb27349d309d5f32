package com.calcgrid.store;

/**
 * The node cannot use the database it is configured for: an unknown URL scheme, an invalid
 * timeout, wrong credentials, a missing database, or a server that did not answer in time at
 * start. The message is one line that says what is wrong and which setting to change; the node
 * refuses to start (exit code 2).
 */
public final class DatabaseUnusableException extends RuntimeException {
  public DatabaseUnusableException(String message) {
    super(message);
  }

  public DatabaseUnusableException(String message, Throwable cause) {
    super(message, cause);
  }
}
