package com.calcgrid.calc.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** What a capture keeps of an output, whatever its size. */
class OutputCaptureTest {
  private static byte[] counting(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i % 251);
    }
    return b;
  }

  /** A stream that hands out few bytes per read, as a pipe does. */
  private static InputStream trickle(byte[] data, int chunk) {
    return new ByteArrayInputStream(data) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, chunk));
      }
    };
  }

  @Test
  void aHeadKeepsTheStartAndNotesMore() throws Exception {
    byte[] data = counting(100_000);
    OutputCapture fits = OutputCapture.head(trickle(data, 777), 100_000, "t");
    assertTrue(fits.awaitEnd(10_000));
    assertFalse(fits.overflowed());
    assertArrayEquals(data, fits.bytes());

    OutputCapture over = OutputCapture.head(trickle(counting(100_001), 777), 100_000, "t");
    assertTrue(over.awaitEnd(10_000));
    assertTrue(over.overflowed());
    assertArrayEquals(data, over.bytes());
  }

  @Test
  void aTailKeepsTheEndOfAnyLength() throws Exception {
    for (int chunk : new int[] {1, 13, 1999, 2000, 2001, 8192}) {
      byte[] data = counting(1_000_003);
      OutputCapture tail = OutputCapture.tail(trickle(data, chunk), 2000, "t");
      assertTrue(tail.awaitEnd(30_000));
      assertEquals(data.length, tail.total());
      assertArrayEquals(Arrays.copyOfRange(data, data.length - 2000, data.length), tail.bytes(),
          "chunks of " + chunk);
    }
    OutputCapture small = OutputCapture.tail(trickle(counting(10), 3), 2000, "t");
    assertTrue(small.awaitEnd(10_000));
    assertArrayEquals(counting(10), small.bytes());
  }
}
