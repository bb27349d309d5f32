package com.calcgrid.calc.process;

import com.calcgrid.calc.Params;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The environment of a {@code process.run} child. It starts empty, never from the node's own
 * (which holds the database password and token secrets), and gets a fixed {@code PATH},
 * {@code LANG=C.UTF-8}, {@code CALCGRID_TASK_ID}, {@code CALCGRID_ATTEMPT}, and what the task's
 * {@code env} param sets.
 *
 * <p>A task may set only the names on a short list, since many variables make an allowlisted
 * program run code of the caller's choosing ({@code BASH_ENV}, {@code JAVA_TOOL_OPTIONS},
 * {@code NODE_OPTIONS}, {@code PYTHONPATH}, {@code PERL5OPT}, {@code LD_PRELOAD}, {@code PATH}
 * ...): {@code LANG}, {@code LC_ALL} and {@code TZ} (with plain values), names starting with
 * {@code CALCGRID_TASK_} (but not {@code CALCGRID_TASK_ID}), and the names the operator lists in
 * {@code calcgrid.process.env-allow} ({@code CALCGRID_PROCESS_ENV_ALLOW}).
 */
final class ProcessEnv {
  static final String PATH = "/usr/local/bin:/usr/bin:/bin";
  static final String PREFIX = "CALCGRID_TASK_";
  static final int MAX_VARS = 100;
  static final int MAX_VALUE = 32 * 1024;
  static final String SETTING = "calcgrid.process.env-allow (CALCGRID_PROCESS_ENV_ALLOW)";
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Pattern LOCALE = Pattern.compile("[A-Za-z0-9_.@-]{1,64}");
  private static final Pattern ZONE =
      Pattern.compile("[A-Za-z0-9_+-]{1,32}(/[A-Za-z0-9_+-]{1,32}){0,3}");
  private static final Set<String> FIXED = Set.of("LANG", "LC_ALL", "TZ");
  /** Set by the node; a task may not replace them. */
  private static final Set<String> NODE_SET = Set.of("PATH", "CALCGRID_TASK_ID",
      "CALCGRID_ATTEMPT");
  /**
   * Names an operator may not allow either: each makes common programs load code or change
   * what runs. A guard against a slip in the setting, not the allowlist itself.
   */
  private static final Set<String> NEVER = Set.of("BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS",
      "PS4", "IFS", "CDPATH", "GLOBIGNORE", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS",
      "JDK_JAVA_OPTIONS", "CLASSPATH", "NODE_OPTIONS", "NODE_PATH", "PYTHONPATH",
      "PYTHONSTARTUP", "PYTHONHOME", "PYTHONUSERBASE", "PERL5OPT", "PERL5LIB", "PERLLIB",
      "RUBYOPT", "RUBYLIB", "GCONV_PATH", "LOCPATH", "HOSTALIASES", "MALLOC_CONF",
      "GIT_EXEC_PATH", "GIT_SSH", "GIT_SSH_COMMAND", "EDITOR", "VISUAL", "PAGER", "HOME");

  private ProcessEnv() {}

  /**
   * Checks the names of {@code calcgrid.process.env-allow}.
   *
   * @throws IllegalArgumentException naming the setting and the name
   */
  static Set<String> checkOperatorNames(List<String> names) {
    Set<String> out = new TreeSet<>();
    for (String entry : names) {
      String name = entry.strip();
      if (name.isEmpty()) {
        continue;
      }
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(SETTING + ": '" + name + "' is not a variable name");
      }
      if (NODE_SET.contains(name)) {
        throw new IllegalArgumentException(SETTING + ": " + name + " is set by the node");
      }
      if (NEVER.contains(name) || name.startsWith("LD_") || name.startsWith("DYLD_")) {
        throw new IllegalArgumentException(SETTING + ": " + name + " may not be allowed: it "
            + "makes programs load code of the caller's choosing");
      }
      out.add(name);
    }
    return out;
  }

  /**
   * The variables of a task's {@code env} param, checked.
   *
   * @param allowed the operator's extra names
   * @throws IllegalArgumentException naming the variable and what is allowed
   */
  static Map<String, String> fromParams(JsonNode params, Set<String> allowed) {
    JsonNode env = params.get("env");
    if (env == null || env.isNull()) {
      return Map.of();
    }
    if (!env.isObject() || env.size() > MAX_VARS) {
      throw new IllegalArgumentException("param 'env' must be an object of at most " + MAX_VARS
          + " strings, got " + Params.describe(env));
    }
    Map<String, String> vars = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = env.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("param 'env': " + Params.describe(TextNode.valueOf(
            name)) + " is not a valid variable name");
      }
      if (!mayBeSet(name, allowed)) {
        throw new IllegalArgumentException("param 'env': " + name + " may not be set; a task "
            + "may set " + allowedNames(allowed));
      }
      JsonNode v = e.getValue();
      if (!v.isTextual() || v.textValue().length() > MAX_VALUE
          || v.textValue().indexOf('\0') >= 0) {
        throw new IllegalArgumentException("param 'env." + name + "' must be a string of at "
            + "most " + MAX_VALUE + " characters without NUL, got " + Params.describe(v));
      }
      String value = v.textValue();
      Pattern shape = name.equals("TZ") ? ZONE : FIXED.contains(name) ? LOCALE : null;
      if (shape != null && (!shape.matcher(value).matches() || value.contains(".."))) {
        throw new IllegalArgumentException("param 'env." + name + "' must be a plain "
            + (name.equals("TZ") ? "zone name such as Europe/London or UTC"
                : "locale name such as C.UTF-8 or en_GB.UTF-8")
            + ", got " + Params.describe(v));
      }
      vars.put(name, value);
    }
    return vars;
  }

  /** The child's whole environment: nothing of the node's. */
  static void fill(Map<String, String> env, Map<String, String> given, String taskId,
      int attempt) {
    env.clear();
    env.put("PATH", PATH);
    env.put("LANG", "C.UTF-8");
    env.putAll(given);
    env.put("CALCGRID_TASK_ID", taskId);
    env.put("CALCGRID_ATTEMPT", Integer.toString(attempt));
  }

  private static boolean mayBeSet(String name, Set<String> allowed) {
    return FIXED.contains(name) || allowed.contains(name)
        || (name.startsWith(PREFIX) && name.length() > PREFIX.length()
            && !NODE_SET.contains(name));
  }

  private static String allowedNames(Set<String> allowed) {
    return "LANG, LC_ALL, TZ and " + PREFIX + "* (but not CALCGRID_TASK_ID)"
        + (allowed.isEmpty() ? "" : ", and on this node " + String.join(", ", allowed))
        + "; an operator may allow more names in " + SETTING;
  }
}
