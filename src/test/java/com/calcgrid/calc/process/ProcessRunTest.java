package com.calcgrid.calc.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code process.run}'s param checks, which run when a graph is submitted. */
class ProcessRunTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ProcessRun ECHO = new ProcessRun(new ProcessAllowlist(Set.of("/bin/echo")));

  private static ObjectNode params(String json) throws Exception {
    return (ObjectNode) JSON.readTree(json.replace('\'', '"'));
  }

  private static String rejection(ProcessRun fn, String json) {
    return assertThrows(IllegalArgumentException.class, () -> fn.validate(params(json)))
        .getMessage();
  }

  @Test
  void withoutAnAllowlistTheFunctionIsDisabled() {
    String m = rejection(new ProcessRun(ProcessAllowlist.NONE), "{'executable': '/bin/echo'}");
    assertTrue(m.contains("process.run is disabled on this node"), m);
  }

  @Test
  void onlyAllowlistedAbsolutePathsRun() throws Exception {
    ECHO.validate(params("{'executable': '/bin/echo', 'args': ['a', 1], 'env': {'X': 'y'},"
        + " 'workingDir': '/tmp', 'stdoutJson': false}"));
    assertTrue(rejection(ECHO, "{'executable': '/bin/rm'}").contains("not on this node's allowlist"));
    assertTrue(rejection(ECHO, "{'executable': '/bin/../bin/echo'}").contains("not on this node's allowlist"));
    assertTrue(rejection(ECHO, "{'executable': 'echo'}").contains("must be an absolute path"));
    assertTrue(rejection(ECHO, "{}").contains("'executable' is required"));
  }

  @Test
  void argsEnvAndDirAreChecked() {
    assertTrue(rejection(ECHO, "{'executable': '/bin/echo', 'args': 'a b'}").contains("'args'"));
    assertTrue(rejection(ECHO, "{'executable': '/bin/echo', 'args': [{}]}").contains("'args[0]'"));
    assertTrue(rejection(ECHO, "{'executable': '/bin/echo', 'env': {'LD_PRELOAD': '/x.so'}}")
        .contains("LD_PRELOAD may not be set"));
    assertTrue(rejection(ECHO, "{'executable': '/bin/echo', 'env': {'A': 1}}").contains("'env.A'"));
    assertTrue(rejection(ECHO, "{'executable': '/bin/echo', 'workingDir': 'tmp'}")
        .contains("'workingDir'"));
    assertTrue(rejection(ECHO, "{'executable': '/bin/echo', 'stdoutJson': 'yes'}")
        .contains("'stdoutJson'"));
  }

  @Test
  void theAllowlistComesFromConfigAsAListOrCommaSeparated() {
    assertEquals(Set.of("/bin/echo", "/usr/bin/printf"), ProcessAllowlist.fromConfig(
        CalcGridNode.loadConfig(Map.of("calcgrid.process.allow", "/bin/echo, /usr/bin/printf"),
            null)).executables());
    assertEquals(Set.of(), ProcessAllowlist.fromConfig(CalcGridNode.loadConfig(Map.of(), null))
        .executables());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ProcessAllowlist.fromConfig(CalcGridNode.loadConfig(
            Map.of("calcgrid.process.allow", "python3"), null)));
    assertTrue(e.getMessage().contains("not an absolute, normalized path"), e.getMessage());
  }
}
