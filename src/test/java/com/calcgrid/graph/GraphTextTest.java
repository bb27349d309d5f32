package com.calcgrid.graph;

import static com.calcgrid.graph.GraphAssertions.assertProblem;
import static com.calcgrid.graph.GraphAssertions.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Text the fuzz test found trouble with: strings that are not Unicode, control characters in a
 * name, keys that are not plain names, and messages that quote such text.
 */
class GraphTextTest {
  private static final String TASK = "{\"id\":\"a\",\"fn\":\"t.noop\"";

  private static List<GraphProblem> parse(String doc) {
    return problems(() -> GraphParser.parse(doc.getBytes(StandardCharsets.UTF_8)));
  }

  /** Accepted before, then the journal could not write it: CBOR refuses half a pair. */
  @Test
  void halfASurrogatePairIsRefusedWhereverItIs() {
    List<GraphProblem> problems = parse("{\"name\":\"\\ud800\",\"tasks\":[" + TASK
        + ",\"params\":{\"deep\":{\"list\":[\"ok\",\"x\\udc00\"]}},"
        + "\"forEach\":{\"param\":\"\\ude00\\ud83d\",\"values\":[1]}}]}");
    assertProblem(problems, "name", "half of a UTF-16 surrogate pair", "\\uD800 at character 1");
    assertProblem(problems, "tasks[0].params.deep.list[1]", "\\uDC00 at character 2");
    assertProblem(problems, "tasks[0].forEach.param", "\\uDE00 at character 1");
    assertEquals(3, problems.size(), problems.toString());

    // a whole pair, escaped or not, is a character like any other, and the journal stores it
    GraphSpec ok = GraphParser.parse(("{\"name\":\"\\ud83d\\ude00 \uD83D\uDE00\",\"tasks\":["
        + TASK + "}]}").getBytes(StandardCharsets.UTF_8));
    assertEquals("\uD83D\uDE00 \uD83D\uDE00", ok.name());
    assertEquals(ok, roundTrip(ok));
  }

  @Test
  void aNameWithAControlCharacterIsRefused() {
    assertProblem(parse("{\"name\":\"a\\u0000b\",\"tasks\":[" + TASK + "}]}"), "name",
        "must not contain control characters", "U+0000 at character 2");
    assertProblem(parse("{\"name\":\"line\\nbreak\",\"tasks\":[" + TASK + "}]}"), "name",
        "U+000A");
    assertEquals("tab\u00e9 \u2603", GraphParser.parse(("{\"name\":\"tab\u00e9 \u2603\","
        + "\"tasks\":[" + TASK + "}]}").getBytes(StandardCharsets.UTF_8)).name());
  }

  /** {@code tasks[1].retry.a.b} read as two levels; an empty key gave an empty path. */
  @Test
  void anUnknownKeyThatIsNotAPlainNameIsQuotedInThePath() {
    List<GraphProblem> problems = parse("{\"\":1,\"tasks\":[" + TASK
        + ",\"retry\":{\"a.b\":1,\"x\\\"[0]\":2}}]}");
    assertProblem(problems, "$[\"\"]", "unknown field ''");
    assertProblem(problems, "tasks[0].retry[\"a.b\"]", "unknown field 'a.b'");
    assertProblem(problems, "tasks[0].retry[\"x\\\"[0]\"]", "unknown field 'x\"[0]'");
  }

  @Test
  void aDuplicateKeyNamesItsObjectTheSameWay() {
    assertProblem(parse("{\"tasks\":[" + TASK + ",\"params\":{\"a b\":[{\"k\":1,\"k\":2}]}}]}"),
        "tasks[0].params[\"a b\"][0]", "duplicate key 'k'");
    assertProblem(parse("[{\"k\":1,\"k\":2}]"), "$[0]", "duplicate key 'k'");
  }

  @Test
  void messagesAreUnicodeEvenWhenTheyQuoteHalfAPair() {
    // clipped at 57 characters: the cut fell between the two halves of the 29th emoji
    String emoji = "\uD83D\uDE00".repeat(40);
    GraphProblem p = parse("{\"" + emoji + "\":1,\"tasks\":[" + TASK + "}]}").get(0);
    assertTrue(Text.unpairedSurrogate(p.where()) < 0, p.where());
    assertTrue(Text.unpairedSurrogate(p.message()) < 0, p.message());
    assertTrue(p.message().contains("\uD83D\uDE00".repeat(28) + "..."), p.message());

    // the UTF-8 bytes of a surrogate, which the JSON reader decodes and quotes in its message
    byte[] doc = {'{', '"', 'n', 'a', 'm', 'e', '"', ':', (byte) 0xed, (byte) 0xa0, (byte) 0x80};
    GraphProblem bad = problems(() -> GraphParser.parse(doc)).get(0);
    assertEquals("$", bad.where());
    assertTrue(Text.unpairedSurrogate(bad.message()) < 0, bad.message());
    assertTrue(bad.message().contains("\uFFFD"), bad.message());
  }

  private static GraphSpec roundTrip(GraphSpec spec) {
    try {
      CBORMapper cbor = new CBORMapper();
      return cbor.readValue(cbor.writeValueAsBytes(spec), GraphSpec.class);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
