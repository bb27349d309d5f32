package com.calcgrid.api.submit;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * Reads a request body of at most {@code max} bytes, with or without a Content-Length.
 *
 * <p>A body over the limit is not simply cut off: a server that closes a connection while the
 * client is still sending makes the kernel reset it, and a client that has not read the answer
 * yet loses it, so most clients would see a broken connection instead of a 413. The rest of the
 * body, up to {@link #DISCARD} bytes more, is therefore read and thrown away (never kept), and
 * then the 413 goes out on a connection that stays usable. A body larger still is cut off there:
 * the 413 is sent and the connection closed, as nothing the client sends after that is worth
 * reading.
 */
final class BodyReader {
  /** Bytes past the limit read and thrown away so that the client hears its 413. */
  static final long DISCARD = 32L * 1024 * 1024;

  /** What was read: the body, or that it passed the limit ({@code bytes} is then null). */
  record Body(byte[] bytes, long seen) {
    boolean tooLarge() {
      return bytes == null;
    }
  }

  /** The body did not arrive within the time allowed. */
  static final class TooSlow extends RuntimeException {
    TooSlow(Throwable cause) {
      super("the request body did not arrive in time", cause);
    }
  }

  private BodyReader() {}

  /**
   * @param timeout how long the whole body, or the part of it that is thrown away, may take
   * @return the body, or a {@link Body#tooLarge()} once it passed {@code max}; fails with
   *     {@link TooSlow} when a body within the limit arrives too slowly
   */
  static CompletionStage<Body> read(HttpEntity entity, long max, Duration timeout,
      Materializer mat) {
    // one reader per request: the state below belongs to this one stream
    long[] seen = {0};
    ByteStringBuilder kept = new ByteStringBuilder();
    return entity.withoutSizeLimit().getDataBytes()
        .completionTimeout(timeout)
        .takeWhile((ByteString chunk) -> {
          seen[0] += chunk.size();
          if (seen[0] <= max) {
            kept.append(chunk);
          }
          return seen[0] <= max + DISCARD;
        })
        .runWith(Sink.ignore(), mat)
        .handle((done, e) -> {
          if (seen[0] > max) {
            return new Body(null, seen[0]);
          }
          if (e != null) {
            throw timedOut(e) ? new TooSlow(e) : new CompletionException(e);
          }
          return new Body(kept.result().toArray(), seen[0]);
        });
  }

  /**
   * Reads and throws away a body known to be over the limit, at most {@code upTo} bytes of it;
   * completes when it has all arrived, or was cut off there, or took longer than
   * {@code timeout}.
   */
  static CompletionStage<Long> discard(HttpEntity entity, long upTo, Duration timeout,
      Materializer mat) {
    long[] seen = {0};
    return entity.withoutSizeLimit().getDataBytes()
        .completionTimeout(timeout)
        .takeWhile((ByteString chunk) -> (seen[0] += chunk.size()) <= upTo)
        .runWith(Sink.ignore(), mat)
        .handle((done, e) -> seen[0]);
  }

  private static boolean timedOut(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }
}
