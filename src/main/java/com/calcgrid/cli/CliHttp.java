package com.calcgrid.cli;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The HTTP client of the commands that talk to a running node ({@code submit}, {@code schedule}),
 * made on first use. picocli builds every command object when the command line is parsed, so a
 * client held in a field was built for {@code node} and {@code run} too: each one loads the TLS
 * stack and starts a selector thread, about half a second of a node's start.
 */
final class CliHttp {
  private CliHttp() {}

  static HttpClient client() {
    return Holder.CLIENT;
  }

  /** Initialised on the first call of {@link #client()} (the JVM's lazy holder idiom). */
  private static final class Holder {
    static final HttpClient CLIENT = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(10)).build();
  }
}
