package com.calcgrid.calc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.calc.util.Blob;
import com.calcgrid.calc.util.Digest;
import com.calcgrid.calc.util.Fail;
import com.calcgrid.calc.util.Sleep;
import com.calcgrid.calc.util.Sum;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test tools behave as docs/functions.md says, since the rest of the suite leans on them. */
class UtilFunctionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static CalcInput input(String params, int attempt, String... deps) throws Exception {
    Map<String, JsonNode> d = new LinkedHashMap<>();
    for (int i = 0; i < deps.length; i++) {
      d.put("d" + i, JSON.readTree(deps[i]));
    }
    return new CalcInput("t", (ObjectNode) JSON.readTree(params), d, attempt);
  }

  @Test
  void sumAddsValueAndNumericDepResultsKeepingWholeNumbersWhole() throws Exception {
    assertEquals("6", new Sum().apply(input("{\"value\": 1}", 1, "2", "3", "\"x\"", "null"))
        .toString());
    assertEquals(3.5, new Sum().apply(input("{}", 1, "1", "2.5")).doubleValue());
    assertEquals("0", new Sum().apply(input("{}", 1)).toString());
  }

  @Test
  void sumWithAFieldAddsThatFieldOfObjectResults() throws Exception {
    JsonNode total = new Sum().apply(input("{\"field\": \"price\"}", 1,
        "{\"price\": 4.5, \"delta\": 0.7}", "{\"price\": 0.5}", "{\"other\": 9}"));
    assertEquals(5.0, total.doubleValue());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Sum().validate(JSON.readTree("{\"field\": 3}")));
    assertTrue(e.getMessage().contains("param 'field'"), e.getMessage());
  }

  @Test
  void failFailsItsFirstAttemptsThenReturnsTheSum() throws Exception {
    Fail fail = new Fail();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> fail.apply(input("{\"failTimes\": 2, \"value\": 5}", 2)));
    assertTrue(e.getMessage().contains("attempt 2"), e.getMessage());
    assertEquals(7, fail.apply(input("{\"failTimes\": 2, \"value\": 5}", 3, "2")).intValue());
  }

  @Test
  void sleepWaitsOnlyOnItsFirstAttemptsWhenAsked() throws Exception {
    // a second attempt of a sleep that hangs only on the first returns at once
    assertEquals(9, new Sleep().apply(input("{\"ms\": 600000, \"attempts\": 1, \"value\": 9}", 2))
        .intValue());
    assertEquals(1, new Sleep().apply(input("{\"ms\": 0}", 1, "1")).intValue());
  }

  @Test
  void sleepIsInterruptible() throws Exception {
    Thread.currentThread().interrupt();
    assertThrows(InterruptedException.class, () -> new Sleep().apply(input("{\"ms\": 600000}", 1)));
  }

  @Test
  void badParamsAreNamed() {
    for (Map.Entry<CalcFunction, String> c : Map.<CalcFunction, String>of(
        new Sleep(), "{\"ms\": -1}", new Fail(), "{\"failTimes\": 1.5}", new Sum(),
        "{\"value\": \"a\"}", new Blob(), "{\"bytes\": -1}").entrySet()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> c.getKey().validate(JSON.readTree(c.getValue())));
      assertTrue(e.getMessage().startsWith("param '"), e.getMessage());
    }
  }

  @Test
  void blobIsItsLettersFromTheSeedOn() throws Exception {
    JsonNode blob = new Blob().apply(input("{\"bytes\": 30, \"seed\": 24}", 1));
    // y, z, then the alphabet, then a, b
    assertEquals("yzabcdefghijklmnopqrstuvwxyzab", blob.textValue());
    assertEquals("", new Blob().apply(input("{\"bytes\": 0}", 1)).textValue());
    String big = new Blob().apply(input("{\"bytes\": 100000, \"seed\": -3}", 1)).textValue();
    assertEquals(100_000, big.length());
    for (int i = 0; i < big.length(); i += 997) {
      assertEquals((char) ('a' + Math.floorMod(-3 + i, 26)), big.charAt(i), "char " + i);
    }
  }

  @Test
  void blobRefusesANegativeOrHugeSizeOrAMissingOne() {
    for (String params : new String[] {"{\"bytes\": -1}", "{}", "{\"bytes\": 1.5}",
        "{\"bytes\": " + (Blob.MAX_BYTES + 1) + "}", "{\"bytes\": 1, \"seed\": \"x\"}"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new Blob().validate(JSON.readTree(params)), params);
      assertTrue(e.getMessage().contains("param 'bytes'") || e.getMessage().contains("'seed'"),
          e.getMessage());
    }
  }

  @Test
  void digestCountsAllInputsAndHashesTheStringOnesInOrder() throws Exception {
    JsonNode d = new Digest().apply(input("{}", 1, "\"abc\"", "7", "\"d\u00e9f\"", "{\"x\": 1}",
        "\"\""));
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    String joined = "abc" + "d\u00e9f" + "";
    String expected = HexFormat.of().formatHex(sha.digest(joined.getBytes(StandardCharsets.UTF_8)));
    assertEquals(5, d.get("count").intValue());
    assertEquals(6, d.get("length").intValue());
    assertEquals(expected, d.get("sha256").textValue());
    // order matters: the same inputs the other way round hash differently
    JsonNode reversed = new Digest().apply(input("{}", 1, "\"d\u00e9f\"", "\"abc\""));
    assertTrue(!expected.equals(reversed.get("sha256").textValue()));
  }

  @Test
  void digestOfBlobsMatchesTheSameLettersHashedHere() throws Exception {
    Map<String, JsonNode> deps = new LinkedHashMap<>();
    StringBuilder all = new StringBuilder();
    for (int k = 0; k < 4; k++) {
      deps.put("b[" + k + "]", new Blob().apply(input("{\"bytes\": 5000, \"seed\": " + k + "}", 1)));
      for (int i = 0; i < 5000; i++) {
        all.append((char) ('a' + (k + i) % 26));
      }
    }
    JsonNode d = new Digest().apply(new CalcInput("t", JSON.createObjectNode(), deps, 1));
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    assertEquals(4, d.get("count").intValue());
    assertEquals(20_000, d.get("length").intValue());
    assertEquals(HexFormat.of().formatHex(
        sha.digest(all.toString().getBytes(StandardCharsets.UTF_8))), d.get("sha256").textValue());
  }
}
