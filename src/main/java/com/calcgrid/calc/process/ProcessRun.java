package com.calcgrid.calc.process;

import com.calcgrid.calc.CalcFunction;
import com.calcgrid.calc.CalcInput;
import com.calcgrid.calc.Params;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code process.run}: runs an allowlisted executable and returns its standard output, as a
 * string or, with {@code "stdoutJson": true}, parsed as JSON.
 *
 * <p>Params: {@code executable} (an absolute path on {@link ProcessAllowlist}), {@code args}
 * (array of strings), {@code env} (object of strings), {@code workingDir} (absolute path),
 * {@code stdoutJson} (boolean). The process gets the task as JSON on standard input
 * ({@code taskId}, {@code params}, {@code deps}, {@code attempt}) and a clean environment: only
 * {@code PATH}, {@code LANG}, {@code CALCGRID_TASK_ID}, {@code CALCGRID_ATTEMPT} and the given
 * {@code env}, never the node's own (which holds database and token secrets).
 *
 * <p>A non-zero exit fails the attempt with the tail of standard error. A timeout or cancel
 * interrupts the attempt, and the process and its descendants are killed. Standard output is
 * limited to {@value #MAX_STDOUT} bytes: a result travels inside cluster messages.
 */
public final class ProcessRun implements CalcFunction {
  static final int MAX_STDOUT = 128 * 1024;
  static final int MAX_ARGS = 1000;
  private static final int STDERR_TAIL = 2000;
  private static final long POLL_MS = 50;
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ProcessAllowlist allowlist;

  /** With the allowlist the node installed before loading functions. */
  public ProcessRun() {
    this(ProcessAllowlist.installed());
  }

  public ProcessRun(ProcessAllowlist allowlist) {
    this.allowlist = allowlist;
  }

  @Override
  public String name() {
    return "process.run";
  }

  @Override
  public void validate(JsonNode params) {
    command(params);
    environment(params);
    workingDir(params);
    JsonNode json = params.get("stdoutJson");
    if (json != null && !json.isNull() && !json.isBoolean()) {
      throw new IllegalArgumentException("param 'stdoutJson' must be true or false, got "
          + Params.describe(json));
    }
  }

  @Override
  public JsonNode apply(CalcInput input) throws Exception {
    ObjectNode params = input.params();
    List<String> command = command(params);
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> env = pb.environment();
    env.clear();
    env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.put("LANG", "C.UTF-8");
    env.put("CALCGRID_TASK_ID", input.taskId());
    env.put("CALCGRID_ATTEMPT", Integer.toString(input.attempt()));
    env.putAll(environment(params));
    Path dir = workingDir(params);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    Path in = Files.createTempFile("calcgrid-process-", ".in");
    Path out = Files.createTempFile("calcgrid-process-", ".out");
    Path err = Files.createTempFile("calcgrid-process-", ".err");
    Process process = null;
    try {
      ObjectNode task = JSON.createObjectNode();
      task.put("taskId", input.taskId());
      task.set("params", params);
      task.set("deps", JSON.valueToTree(input.deps()));
      task.put("attempt", input.attempt());
      Files.write(in, JSON.writeValueAsBytes(task));
      process = pb.redirectInput(in.toFile()).redirectOutput(out.toFile())
          .redirectError(err.toFile()).start();
      // waitFor is interruptible, a read from a pipe is not: the output goes to files
      while (!process.waitFor(POLL_MS, TimeUnit.MILLISECONDS)) {
        if (Files.size(out) > MAX_STDOUT) {
          throw new IllegalStateException(command.get(0) + " wrote more than " + MAX_STDOUT
              + " bytes to standard output; write large results to a store and return a "
              + "reference");
        }
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(command.get(0) + " exited with code "
            + process.exitValue() + tail(err));
      }
      if (Files.size(out) > MAX_STDOUT) {
        throw new IllegalStateException(command.get(0) + " wrote more than " + MAX_STDOUT
            + " bytes to standard output");
      }
      byte[] stdout = Files.readAllBytes(out);
      JsonNode json = params.get("stdoutJson");
      if (json != null && json.asBoolean()) {
        try {
          return JSON.readTree(stdout);
        } catch (JsonProcessingException e) {
          throw new IllegalStateException(command.get(0)
              + " did not write JSON to standard output: " + e.getOriginalMessage(), e);
        }
      }
      return TextNode.valueOf(new String(stdout, StandardCharsets.UTF_8));
    } finally {
      if (process != null && process.isAlive()) {
        killTree(process.toHandle());
      }
      Files.deleteIfExists(in);
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** Descendants first, so none is left running when its parent goes. */
  private static void killTree(ProcessHandle process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  private static String tail(Path err) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(err.toFile(), "r")) {
      long length = f.length();
      if (length == 0) {
        return " (no output on standard error)";
      }
      long from = Math.max(0, length - STDERR_TAIL);
      byte[] bytes = new byte[(int) (length - from)];
      f.seek(from);
      f.readFully(bytes);
      return ": " + (from > 0 ? "..." : "") + new String(bytes, StandardCharsets.UTF_8).strip();
    }
  }

  private List<String> command(JsonNode params) {
    JsonNode exe = params.get("executable");
    if (exe == null || exe.isNull()) {
      throw new IllegalArgumentException("param 'executable' is required");
    }
    if (!exe.isTextual() || !Path.of(exe.textValue()).isAbsolute()) {
      throw new IllegalArgumentException("param 'executable' must be an absolute path, got "
          + Params.describe(exe));
    }
    if (!allowlist.enabled()) {
      throw new IllegalArgumentException("process.run is disabled on this node: no executable "
          + "is allowed (calcgrid.process.allow / CALCGRID_PROCESS_ALLOW is empty)");
    }
    if (!allowlist.allows(exe.textValue())) {
      throw new IllegalArgumentException("param 'executable': '" + exe.textValue()
          + "' is not on this node's allowlist (calcgrid.process.allow / CALCGRID_PROCESS_ALLOW)");
    }
    List<String> command = new ArrayList<>();
    command.add(exe.textValue());
    JsonNode args = params.get("args");
    if (args != null && !args.isNull()) {
      if (!args.isArray() || args.size() > MAX_ARGS) {
        throw new IllegalArgumentException("param 'args' must be an array of at most " + MAX_ARGS
            + " strings, got " + Params.describe(args));
      }
      for (int i = 0; i < args.size(); i++) {
        JsonNode a = args.get(i);
        if (!a.isTextual() && !a.isNumber() && !a.isBoolean()) {
          throw new IllegalArgumentException("param 'args[" + i + "]' must be a string, got "
              + Params.describe(a));
        }
        command.add(a.asText());
      }
    }
    return command;
  }

  private static Map<String, String> environment(JsonNode params) {
    JsonNode env = params.get("env");
    if (env == null || env.isNull()) {
      return Map.of();
    }
    if (!env.isObject()) {
      throw new IllegalArgumentException("param 'env' must be an object of strings, got "
          + Params.describe(env));
    }
    Map<String, String> vars = new java.util.LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = env.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      if (!ENV_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("param 'env': '" + name + "' is not a valid "
            + "variable name");
      }
      if (name.startsWith("LD_") || name.startsWith("DYLD_")) {
        // would load code of the caller's choosing into an allowlisted executable
        throw new IllegalArgumentException("param 'env': " + name + " may not be set");
      }
      if (!e.getValue().isTextual()) {
        throw new IllegalArgumentException("param 'env." + name + "' must be a string, got "
            + Params.describe(e.getValue()));
      }
      vars.put(name, e.getValue().textValue());
    }
    return vars;
  }

  private static Path workingDir(JsonNode params) {
    JsonNode dir = params.get("workingDir");
    if (dir == null || dir.isNull()) {
      return null;
    }
    if (!dir.isTextual() || !Path.of(dir.textValue()).isAbsolute()) {
      throw new IllegalArgumentException("param 'workingDir' must be an absolute path, got "
          + Params.describe(dir));
    }
    return Path.of(dir.textValue());
  }
}
