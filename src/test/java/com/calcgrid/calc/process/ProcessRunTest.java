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
    ECHO.validate(params("{'executable': '/bin/echo', 'args': ['a', 1], 'env': {'CALCGRID_TASK_X': 'y'},"
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
    assertTrue(rejection(ECHO, "{'executable': '/bin/echo', 'env': {'TZ': 1}}").contains("'env.TZ'"));
    assertTrue(rejection(ECHO, "{'executable': '/bin/echo', 'workingDir': 'tmp'}")
        .contains("'workingDir'"));
    assertTrue(rejection(ECHO, "{'executable': '/bin/echo', 'stdoutJson': 'yes'}")
        .contains("'stdoutJson'"));
  }

  @Test
  void onlyAShortListOfVariablesMayBeSet() throws Exception {
    for (String name : new String[] {"BASH_ENV", "ENV", "PATH", "JAVA_TOOL_OPTIONS",
        "NODE_OPTIONS", "PYTHONPATH", "PERL5OPT", "LD_PRELOAD", "DYLD_INSERT_LIBRARIES",
        "CALCGRID_TASK_ID", "CALCGRID_ATTEMPT", "HOME", "MODEL", "CALCGRID_TASK_"}) {
      String m = rejection(ECHO, "{'executable': '/bin/echo', 'env': {'" + name + "': 'x'}}");
      assertEquals("param 'env': " + name + " may not be set; a task may set LANG, LC_ALL, TZ "
          + "and CALCGRID_TASK_* (but not CALCGRID_TASK_ID); an operator may allow more names "
          + "in calcgrid.process.env-allow (CALCGRID_PROCESS_ENV_ALLOW)", m);
    }
    ECHO.validate(params("{'executable': '/bin/echo', 'env': {'LANG': 'en_GB.UTF-8', "
        + "'LC_ALL': 'C', 'TZ': 'Europe/London', 'CALCGRID_TASK_MODEL': 'sabr; $(rm -rf /)'}}"));
    // values that would name a file for the C library to load are refused
    for (String bad : new String[] {"'TZ': '/etc/passwd'", "'TZ': ':/tmp/x'",
        "'TZ': 'Europe/../../tmp/x'", "'LANG': '/tmp/locale'", "'LC_ALL': '../x'"}) {
      String m = rejection(ECHO, "{'executable': '/bin/echo', 'env': {" + bad + "}}");
      assertTrue(m.contains("must be a plain"), m);
    }
    ProcessRun withModel = new ProcessRun(new ProcessAllowlist(Set.of("/bin/echo"),
        Set.of("MODEL", "OMP_NUM_THREADS")));
    withModel.validate(params("{'executable': '/bin/echo', 'env': {'MODEL': 'sabr'}}"));
    String m = rejection(withModel, "{'executable': '/bin/echo', 'env': {'PYTHONPATH': '/x'}}");
    assertTrue(m.contains(", and on this node MODEL, OMP_NUM_THREADS;"), m);
  }

  @Test
  void anOperatorCannotAllowAVariableThatLoadsCode() {
    assertEquals(Set.of("MODEL", "OMP_NUM_THREADS"), ProcessAllowlist.fromConfig(
        CalcGridNode.loadConfig(Map.of("calcgrid.process.env-allow", "MODEL, OMP_NUM_THREADS"),
            null)).envNames());
    for (String name : new String[] {"PATH", "LD_PRELOAD", "BASH_ENV", "PYTHONPATH",
        "JAVA_TOOL_OPTIONS", "CALCGRID_TASK_ID", "NOT-A-NAME"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ProcessAllowlist.fromConfig(CalcGridNode.loadConfig(
              Map.of("calcgrid.process.env-allow", name), null)));
      assertTrue(e.getMessage().startsWith("calcgrid.process.env-allow "
          + "(CALCGRID_PROCESS_ENV_ALLOW): "), e.getMessage());
    }
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
