package com.calcgrid.graph;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Mutations of a document's bytes: what a broken client, a proxy that cut a body short, or an
 * attacker probing the JSON reader sends. One to four edits per input.
 */
final class FuzzBytes {
  /** Tokens that JSON readers are known to trip over, as text. */
  private static final String[] TOKENS = {"{", "}", "[", "]", "\"", ":", ",", "\\", "NaN",
      "Infinity", "-Infinity", "null", "true", "1e999999", "-0", "01", "+1", ".5", "0x10",
      "/*c*/", "//c\n", "'x'", "\u0000", "\"\\uD800\"", "\"\\uDC00\\uD800\"", "\u00a0", "\t",
      "\u2028", "\"\\u0000\"", "\"\\x41\"", "\"\\", "1".repeat(101), "9".repeat(100), "-", "e5",
      "1e", "[]", "{}", "{\"\":0}", "\"tasks\":[],", "\"id\":\"a\",", "\"deps\":[\"a\"],",
      "\"forEach\":{\"param\":\"i\",\"range\":[0,2000001]},", "\ufeff", "\uffff", "\ud83d\ude00"};
  /** Byte sequences that are not UTF-8: stray continuation, overlong, surrogate, past U+10FFFF. */
  private static final byte[][] BAD_UTF8 = {{(byte) 0xff}, {(byte) 0xc3, 0x28}, {(byte) 0x80},
      {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
      {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xe2, (byte) 0x82},
      {(byte) 0xfe, (byte) 0xff}, {0x00}, {0x1b}};

  record Result(String kind, byte[] bytes) {}

  private FuzzBytes() {}

  static Result mutate(byte[] doc, SplittableRandom rnd) {
    int pick = rnd.nextInt(100);
    if (pick < 6) {
      return new Result("bom", bom(doc, rnd));
    }
    if (pick < 10) {
      return new Result("concat", concat(doc, doc, rnd.nextInt(3)));
    }
    if (pick < 14) {
      return new Result("truncate", Arrays.copyOf(doc, rnd.nextInt(Math.max(1, doc.length))));
    }
    byte[] out = doc;
    StringBuilder kind = new StringBuilder();
    for (int edits = 1 + rnd.nextInt(4), e = 0; e < edits; e++) {
      int at = out.length == 0 ? 0 : rnd.nextInt(out.length + 1);
      switch (rnd.nextInt(7)) {
        case 0 -> {
          out = splice(out, at, Math.min(out.length - at, 1 + rnd.nextInt(16)), new byte[0]);
          kind.append("delete,");
        }
        case 1 -> {
          out = splice(out, at, 0, TOKENS[rnd.nextInt(TOKENS.length)]
              .getBytes(StandardCharsets.UTF_8));
          kind.append("token,");
        }
        case 2 -> {
          out = splice(out, at, 0, BAD_UTF8[rnd.nextInt(BAD_UTF8.length)]);
          kind.append("bad-utf8,");
        }
        case 3 -> {
          if (at < out.length) {
            out = out.clone();
            out[at] = (byte) rnd.nextInt(256);
          }
          kind.append("flip,");
        }
        case 4 -> {
          // repeating a span often repeats a key: duplicate-key detection
          int len = Math.min(out.length - at, 1 + rnd.nextInt(64));
          out = splice(out, at, 0, Arrays.copyOfRange(out, at, at + len));
          kind.append("repeat,");
        }
        case 5 -> {
          int from = out.length == 0 ? 0 : rnd.nextInt(out.length);
          int len = Math.min(out.length - from, 1 + rnd.nextInt(32));
          out = splice(out, at, 0, Arrays.copyOfRange(out, from, from + len));
          kind.append("copy,");
        }
        default -> {
          out = duplicateKey(out, rnd);
          kind.append("duplicate-key,");
        }
      }
    }
    return new Result(kind.substring(0, kind.length() - 1), out);
  }

  /** A byte-order mark, or the whole document in UTF-16 or UTF-32 (which JSON readers detect). */
  private static byte[] bom(byte[] doc, SplittableRandom rnd) {
    String text = new String(doc, StandardCharsets.UTF_8);
    return switch (rnd.nextInt(6)) {
      case 0 -> concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, doc, 0);
      case 1 -> FuzzInputs.encode(text, "UTF-16");
      case 2 -> FuzzInputs.encode(text, "UTF-16LE");
      case 3 -> FuzzInputs.encode(text, "UTF-32BE");
      case 4 -> concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, (byte) 0xef,
          (byte) 0xbb, (byte) 0xbf}, doc, 0);
      default -> concat(new byte[] {(byte) 0xff, (byte) 0xfe}, doc, 0);
    };
  }

  /** The same key once more at the start of the object that holds it. */
  private static byte[] duplicateKey(byte[] doc, SplittableRandom rnd) {
    String text = new String(doc, StandardCharsets.UTF_8);
    String[] keys = {"\"id\"", "\"fn\"", "\"tasks\"", "\"params\"", "\"deps\"", "\"name\""};
    String key = keys[rnd.nextInt(keys.length)];
    int at = text.indexOf(key);
    if (at < 0) {
      return doc;
    }
    int open = text.lastIndexOf('{', at);
    if (open < 0) {
      return doc;
    }
    String value = key.equals("\"tasks\"") || key.equals("\"deps\"") ? "[]"
        : key.equals("\"params\"") ? "{}" : "\"dup\"";
    return (text.substring(0, open + 1) + key + ":" + value + "," + text.substring(open + 1))
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] splice(byte[] doc, int at, int remove, byte[] insert) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(doc.length + insert.length);
    out.write(doc, 0, at);
    out.write(insert, 0, insert.length);
    out.write(doc, at + remove, doc.length - at - remove);
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b, int separator) {
    byte[] sep = separator == 0 ? new byte[0] : separator == 1 ? new byte[] {'\n'}
        : new byte[] {','};
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(a, 0, a.length);
    out.write(sep, 0, sep.length);
    out.write(b, 0, b.length);
    return out.toByteArray();
  }
}
