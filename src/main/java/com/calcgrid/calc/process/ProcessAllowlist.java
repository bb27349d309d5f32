package com.calcgrid.calc.process;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The executables {@code process.run} may start: {@code calcgrid.process.allow}, or
 * {@code CALCGRID_PROCESS_ALLOW} as comma-separated absolute paths. Empty (the default) disables
 * the function. Also the environment variable names a task may set beyond the built-in few
 * ({@link ProcessEnv}): {@code calcgrid.process.env-allow}, or
 * {@code CALCGRID_PROCESS_ENV_ALLOW} comma-separated.
 *
 * <p>Functions are created by {@link java.util.ServiceLoader} and see only their params, so the
 * node installs its allowlist here before it loads them ({@link #install}); each
 * {@link ProcessRun} keeps the list that was installed when it was created.
 */
public record ProcessAllowlist(Set<String> executables, Set<String> envNames) {
  public static final ProcessAllowlist NONE = new ProcessAllowlist(Set.of());

  private static volatile ProcessAllowlist installed = NONE;

  public ProcessAllowlist {
    executables = Set.copyOf(executables);
    envNames = ProcessEnv.checkOperatorNames(List.copyOf(envNames));
  }

  /** These executables, and only the built-in environment variable names. */
  public ProcessAllowlist(Set<String> executables) {
    this(executables, Set.of());
  }

  /**
   * Reads {@code calcgrid.process.allow} and {@code calcgrid.process.env-allow}, each a list or
   * a comma-separated string.
   *
   * @throws IllegalArgumentException when an entry is not an absolute path, or names a variable
   *     that no task may set
   */
  public static ProcessAllowlist fromConfig(Config config) {
    String key = "calcgrid.process.allow";
    List<String> entries = list(config, key);
    Set<String> paths = new LinkedHashSet<>();
    for (String entry : entries) {
      String e = entry.strip();
      if (e.isEmpty()) {
        continue;
      }
      Path p = Path.of(e);
      if (!p.isAbsolute() || !p.normalize().toString().equals(e)) {
        throw new IllegalArgumentException(key + " (CALCGRID_PROCESS_ALLOW): '" + e
            + "' is not an absolute, normalized path; list executables such as /usr/bin/python3");
      }
      paths.add(e);
    }
    return new ProcessAllowlist(paths, new LinkedHashSet<>(list(config,
        "calcgrid.process.env-allow")));
  }

  /** A list setting, or a comma-separated string from the environment. */
  private static List<String> list(Config config, String key) {
    return !config.hasPath(key) ? List.of()
        : config.getValue(key).valueType() == ConfigValueType.LIST ? config.getStringList(key)
        : Arrays.asList(config.getString(key).split(","));
  }

  /** Makes {@code allowlist} the one that {@link ProcessRun}s created from now on use. */
  public static void install(ProcessAllowlist allowlist) {
    installed = allowlist;
  }

  public static ProcessAllowlist installed() {
    return installed;
  }

  public boolean enabled() {
    return !executables.isEmpty();
  }

  /** True if {@code executable}, exactly as written, is on the list. */
  public boolean allows(String executable) {
    return executables.contains(executable);
  }
}
