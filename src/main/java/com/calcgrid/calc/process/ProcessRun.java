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
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code process.run}: runs an allowlisted executable and returns its standard output, as a
 * string or, with {@code "stdoutJson": true}, parsed as JSON.
 *
 * <p>Params: {@code executable} (an absolute path on {@link ProcessAllowlist}), {@code args}
 * (array of strings), {@code env} (object of strings, names as {@link ProcessEnv} allows),
 * {@code workingDir} (absolute path), {@code stdoutJson} (boolean). The process gets the task as
 * JSON on standard input ({@code taskId}, {@code params}, {@code deps}, {@code attempt}) and an
 * environment that starts empty ({@link ProcessEnv}), never the node's own (which holds database
 * and token secrets).
 *
 * <p>A non-zero exit fails the attempt with the tail of standard error. A timeout or cancel
 * interrupts the attempt, and the process and its descendants are killed. Standard output is
 * limited to {@value #MAX_STDOUT} bytes: a result travels inside cluster messages. Of standard
 * error the node keeps the last {@value #STDERR_TAIL} bytes and drops the rest as it comes;
 * neither output is ever held in full, in memory or on disk.
 */
public final class ProcessRun implements CalcFunction {
  static final int MAX_STDOUT = 128 * 1024;
  static final int MAX_ARGS = 1000;
  static final int STDERR_TAIL = 2000;
  private static final long POLL_MS = 50;
  /** How long output is read after the process exited, when something else still holds it. */
  private static final long DRAIN_MS = 2000;
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
    ProcessEnv.fromParams(params, allowlist.envNames());
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
    ProcessEnv.fill(pb.environment(), ProcessEnv.fromParams(params, allowlist.envNames()),
        input.taskId(), input.attempt());
    Path dir = workingDir(params);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    Path in = Files.createTempFile("calcgrid-process-", ".in");
    Process process = null;
    try {
      ObjectNode task = JSON.createObjectNode();
      task.put("taskId", input.taskId());
      task.set("params", params);
      task.set("deps", JSON.valueToTree(input.deps()));
      task.put("attempt", input.attempt());
      Files.write(in, JSON.writeValueAsBytes(task));
      process = pb.redirectInput(in.toFile()).start();
      OutputCapture out = OutputCapture.head(process.getInputStream(), MAX_STDOUT,
          "process-run-stdout-" + process.pid());
      OutputCapture err = OutputCapture.tail(process.getErrorStream(), STDERR_TAIL,
          "process-run-stderr-" + process.pid());
      // waitFor is interruptible, a read from a pipe is not: the pipes drain on threads of
      // their own
      while (!process.waitFor(POLL_MS, TimeUnit.MILLISECONDS)) {
        if (out.overflowed()) {
          throw tooMuchOutput(command);
        }
      }
      // a process the child started in the background may hold the pipes open: its output is
      // not waited for beyond the drain time, as it was not the child's
      boolean complete = out.awaitEnd(DRAIN_MS);
      err.awaitEnd(complete ? DRAIN_MS : 1);
      if (process.exitValue() != 0) {
        throw new IllegalStateException(command.get(0) + " exited with code "
            + process.exitValue() + tail(err));
      }
      if (out.overflowed()) {
        throw tooMuchOutput(command);
      }
      byte[] stdout = out.bytes();
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
      if (process != null) {
        if (process.isAlive()) {
          killTree(process.toHandle());
        }
        // Closed, the pipes are not read into memory when the process exits (the JDK drains
        // what is left in them): a background process may still be writing.
        closeQuietly(process.getInputStream());
        closeQuietly(process.getErrorStream());
      }
      Files.deleteIfExists(in);
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // nothing more is read from it either way
    }
  }

  private static IllegalStateException tooMuchOutput(List<String> command) {
    return new IllegalStateException(command.get(0) + " wrote more than " + MAX_STDOUT
        + " bytes to standard output; write large results to a store and return a reference");
  }

  /** Descendants first, so none is left running when its parent goes. */
  private static void killTree(ProcessHandle process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  private static String tail(OutputCapture err) {
    if (err.total() == 0) {
      return " (no output on standard error)";
    }
    String text = new String(err.bytes(), StandardCharsets.UTF_8).strip();
    return ": " + (err.total() > STDERR_TAIL ? "..." : "") + text;
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
