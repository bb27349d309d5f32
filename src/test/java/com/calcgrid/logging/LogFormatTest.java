package com.calcgrid.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The product's logback.xml, loaded into a logger context of its own, in both formats. */
class LogFormatTest {
  private static final String NODE = "pekko://calcgrid@127.0.0.1:25520";
  private static final String ACTOR_NODE = "pekko://calcgrid@127.0.0.1:25521";

  @Test
  void jsonFormatWritesOneJsonObjectPerLineWithTheNodeAddress() throws Exception {
    List<String> lines = logThreeLines(Map.of("CALCGRID_LOG_FORMAT", "json"));
    assertEquals(3, lines.size(), lines.toString());
    ObjectMapper json = new ObjectMapper();
    JsonNode first = json.readTree(lines.get(0));
    assertEquals("job 42 finished SUCCEEDED", first.path("message").asText(), first.toString());
    assertEquals("INFO", first.path("level").asText(), first.toString());
    assertEquals("com.calcgrid.Example", first.path("logger_name").asText(), first.toString());
    assertEquals(NODE, first.path("node").asText(), first.toString());
    assertTrue(first.hasNonNull("@timestamp"), first.toString());
    JsonNode second = json.readTree(lines.get(1));
    assertEquals("WARN", second.path("level").asText());
    assertEquals(NODE, second.path("node").asText(), second.toString());
    JsonNode fromActor = json.readTree(lines.get(2));
    assertEquals(ACTOR_NODE, fromActor.path("pekkoAddress").asText(), fromActor.toString());
  }

  @Test
  void textFormatIsTheDefaultAndCarriesTheNodeAddress() throws Exception {
    List<String> lines = logThreeLines(Map.of());
    assertEquals(3, lines.size(), lines.toString());
    assertTrue(lines.get(0).contains(" INFO  [" + NODE + "] "), lines.get(0));
    assertTrue(lines.get(0).endsWith("job 42 finished SUCCEEDED"), lines.get(0));
    assertFalse(lines.get(0).startsWith("{"), lines.get(0));
    assertTrue(lines.get(2).contains("[" + ACTOR_NODE + "]"), "an actor's own address wins: "
        + lines.get(2));
  }

  /**
   * Configures a fresh context from logback.xml, logs two plain lines and one as an actor would
   * (MDC pekkoAddress), and returns what it wrote to stderr.
   */
  private static List<String> logThreeLines(Map<String, String> properties) throws Exception {
    URL config = LogFormatTest.class.getResource("/logback.xml");
    LoggerContext context = new LoggerContext();
    LogbackMDCAdapter mdc = new LogbackMDCAdapter();
    context.setMDCAdapter(mdc);
    properties.forEach(context::putProperty);
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(config);
      for (Status s : context.getStatusManager().getCopyOfStatusList()) {
        assertTrue(s.getLevel() < Status.WARN, "logback.xml: " + s);
      }
      context.putProperty(NodeLogging.PROPERTY, NODE);
      Logger log = context.getLogger("com.calcgrid.Example");
      log.info("job {} finished {}", 42, "SUCCEEDED");
      log.warn("database not reachable yet");
      mdc.put("pekkoAddress", ACTOR_NODE);
      log.info("worker agent started with {} slots", 2);
      mdc.clear();
    } finally {
      System.err.flush();
      System.setErr(original);
      context.stop();
    }
    return captured.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
  }
}
