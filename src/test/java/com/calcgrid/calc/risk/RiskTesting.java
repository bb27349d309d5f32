package com.calcgrid.calc.risk;

import com.calcgrid.calc.CalcInput;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON and input helpers shared by the risk tests. */
final class RiskTesting {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private RiskTesting() {}

  /** Parses JSON written with single quotes, to keep test strings readable. */
  static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text.replace('\'', '"'));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static CalcInput input(String params) {
    return input(params, Map.of());
  }

  static CalcInput input(String params, Map<String, JsonNode> deps) {
    return new CalcInput("t", (ObjectNode) json(params), new LinkedHashMap<>(deps), 1);
  }

  static Map<String, JsonNode> deps(Object... idsAndJson) {
    Map<String, JsonNode> deps = new LinkedHashMap<>();
    for (int i = 0; i < idsAndJson.length; i += 2) {
      deps.put((String) idsAndJson[i], json((String) idsAndJson[i + 1]));
    }
    return deps;
  }
}
