package com.calcgrid.calc.util;

import com.calcgrid.calc.CalcFunction;
import com.calcgrid.calc.CalcInput;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Test tool {@code util.digest}: reads every dependency result, in dependency order (a forEach
 * dependency's expansions in index order), and returns how many there were, how many characters
 * the string ones hold, and the SHA-256 of the string ones concatenated as UTF-8: a check that a
 * fan-in received every byte of large results, in order.
 */
public final class Digest implements CalcFunction {
  @Override
  public String name() {
    return "util.digest";
  }

  @Override
  public JsonNode apply(CalcInput input) throws NoSuchAlgorithmException {
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    long count = 0;
    long length = 0;
    for (JsonNode result : input.deps().values()) {
      count++;
      if (result != null && result.isTextual()) {
        String s = result.textValue();
        length += s.codePointCount(0, s.length());
        sha256.update(s.getBytes(StandardCharsets.UTF_8));
      }
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("count", count);
    out.put("length", length);
    out.put("sha256", HexFormat.of().formatHex(sha256.digest()));
    return out;
  }
}
