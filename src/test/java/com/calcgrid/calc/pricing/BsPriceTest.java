package com.calcgrid.calc.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.calc.CalcInput;
import com.calcgrid.calc.FunctionRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BsPriceTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String HULL =
      "{\"type\": \"call\", \"spot\": 42, \"strike\": 40, \"rate\": 0.1, \"vol\": 0.2, "
          + "\"expiry\": 0.5";

  @Test
  void isRegisteredAndReturnsPriceAndGreeks() throws Exception {
    var fn = FunctionRegistry.load().find("bs.price").orElseThrow();
    JsonNode out = fn.apply(new CalcInput("px", params(HULL + "}"), Map.of(), 1));
    assertEquals(4.76, Math.round(out.get("price").doubleValue() * 100) / 100.0);
    for (String field : new String[] {"delta", "gamma", "vega", "theta", "rho"}) {
      assertTrue(out.get(field).isDouble(), field);
    }
    assertEquals(6, out.size());
    JsonNode withDividend = fn.apply(new CalcInput("px",
        params(HULL + ", \"dividendYield\": 0.02}"), Map.of(), 1));
    assertTrue(withDividend.get("price").doubleValue() < out.get("price").doubleValue());
  }

  @Test
  void validationNamesTheParam() {
    assertMessage(HULL.replace("0.2,", "-0.2,") + "}", "param 'vol' must be positive");
    assertMessage(HULL.replace("\"call\"", "\"straddle\"") + "}",
        "param 'type' must be one of call, put");
    assertMessage(HULL.replace("\"expiry\": 0.5", "\"expiry\": 0") + "}",
        "param 'expiry' must be positive");
    assertMessage(HULL.replace("\"spot\": 42", "\"spot\": \"42\"") + "}",
        "param 'spot' must be a number");
    assertMessage(HULL.replace("\"strike\": 40", "\"strike\": 0") + "}",
        "param 'strike' must be positive");
    assertMessage(HULL.replace(", \"rate\": 0.1", "") + "}", "param 'rate' is required");
    assertMessage(HULL + ", \"dividendYeld\": 0.02}", "unknown param 'dividendYeld'");
    assertMessage(HULL + ", \"dividendYield\": true}", "param 'dividendYield' must be a number");
  }

  private static void assertMessage(String json, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new BsPrice().validate(params(json)));
    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
  }

  private static ObjectNode params(String json) {
    try {
      return (ObjectNode) MAPPER.readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
