package com.calcgrid.graph;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * Reads a posted graph document into a {@link GraphSpec}: checks the JSON itself (syntax,
 * duplicate keys, size limits), then the type and range of every field, and applies defaults.
 * Every problem found is reported at once in an {@link InvalidGraphException}.
 *
 * <p>This checks each field on its own; whether ids, deps and functions fit together is
 * {@link GraphValidator}'s job. Instances are thread-safe; the static methods use
 * {@link JsonLimits#DEFAULT}.
 */
public final class GraphParser {
  private static final GraphParser DEFAULT = new GraphParser(JsonLimits.DEFAULT);
  private static final String DUPLICATE = "Duplicate field '";

  private final ObjectMapper mapper;

  /** A parser enforcing {@code limits} on the raw JSON. */
  public GraphParser(JsonLimits limits) {
    StreamReadConstraints constraints = StreamReadConstraints.builder()
        .maxNestingDepth(limits.maxNestingDepth())
        .maxStringLength(limits.maxStringLength())
        .maxNumberLength(limits.maxNumberLength())
        .build();
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(constraints)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    this.mapper = new ObjectMapper(factory);
  }

  /** Parses a graph document with the default JSON limits. */
  public static GraphSpec parse(byte[] json) {
    return DEFAULT.read(json);
  }

  /** Builds a graph from an already parsed document (no line and column information). */
  public static GraphSpec parse(JsonNode root) {
    return SpecReader.read(root);
  }

  /** Parses a graph document with this parser's JSON limits. */
  public GraphSpec read(byte[] json) {
    return SpecReader.read(readTree(json));
  }

  private JsonNode readTree(byte[] json) {
    JsonParser parser = null;
    try {
      parser = mapper.createParser(json);
      JsonNode root = mapper.readTree(parser);
      if (root == null || root.isMissingNode()) {
        throw new InvalidGraphException("$", "empty document; expected a JSON object");
      }
      if (parser.nextToken() != null) {
        throw new InvalidGraphException("$", "malformed JSON" + at(parser.currentTokenLocation())
            + ": unexpected content after the end of the document");
      }
      return root;
    } catch (StreamConstraintsException e) {
      // These carry no location of their own; the parser knows where it stopped.
      JsonLocation where = parser != null ? parser.currentLocation() : e.getLocation();
      throw new InvalidGraphException("$", "JSON exceeds a size limit" + at(where) + ": "
          + firstLine(e).replaceAll(", from `[^`]*`", ""));
    } catch (JsonProcessingException e) {
      String message = e.getOriginalMessage();
      if (message != null && message.startsWith(DUPLICATE)) {
        String key = message.substring(DUPLICATE.length(), message.lastIndexOf('\''));
        throw new InvalidGraphException(objectPath(e),
            "duplicate key " + Text.quote(key) + at(e.getLocation()));
      }
      throw new InvalidGraphException("$", "malformed JSON" + at(e.getLocation()) + ": "
          + firstLine(e));
    } catch (IOException e) {
      throw new InvalidGraphException("$", "could not read JSON: " + e.getMessage());
    } finally {
      closeQuietly(parser);
    }
  }

  private static void closeQuietly(JsonParser parser) {
    try {
      if (parser != null) {
        parser.close();
      }
    } catch (IOException e) {
      // Reading from a byte array: nothing to release, nothing to report.
    }
  }

  private static String at(JsonLocation location) {
    return location == null || location.getLineNr() < 0 ? ""
        : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  /**
   * The reader's own message, first line only. It can quote the offending character, which may
   * be half of a surrogate pair (the bytes of one, sent as UTF-8): shown as U+FFFD.
   */
  private static String firstLine(JsonProcessingException e) {
    String message = String.valueOf(e.getOriginalMessage());
    int newline = message.indexOf('\n');
    return Text.wellFormed(newline < 0 ? message : message.substring(0, newline));
  }

  /** Where the object holding the duplicate key sits, e.g. {@code tasks[2]}. */
  private static String objectPath(JsonProcessingException e) {
    JsonParser p = e instanceof JsonParseException pe ? pe.getProcessor() : null;
    if (p == null) {
      return "$";
    }
    // The parser's context is the object whose key repeats; the path runs from the root to it.
    ArrayDeque<JsonStreamContext> down = new ArrayDeque<>();
    for (JsonStreamContext c = p.getParsingContext(); c != null && !c.inRoot();
        c = c.getParent()) {
      down.push(c);
    }
    String where = "$";
    for (JsonStreamContext c : down) {
      JsonStreamContext parent = c.getParent();
      if (parent.inArray()) {
        where = where + "[" + parent.getCurrentIndex() + "]";
      } else if (parent.inObject()) {
        where = Fields.member(where, String.valueOf(parent.getCurrentName()));
      }
    }
    return where;
  }
}
