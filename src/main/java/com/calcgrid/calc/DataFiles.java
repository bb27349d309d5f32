package com.calcgrid.calc;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The files a function may read because a graph names them: only regular files inside the
 * folders the operator lists in {@code calcgrid.data-roots} ({@code CALCGRID_DATA_ROOTS},
 * comma-separated absolute paths), and at most {@code calcgrid.data-max-file-bytes}
 * ({@code CALCGRID_DATA_MAX_FILE_BYTES}) long. With no roots, the default, no file is read.
 *
 * <p>A graph comes from any submitter, so a path in it is hostile until checked: it must be
 * relative to the first root, or absolute and inside a root as the setting writes it; it may
 * not contain {@code ..}; its real path (every symlink resolved) must be inside a root's real
 * path; and it must be a regular file, which rules out {@code /dev/zero}, fifos and
 * directories. Roots may not be {@code /} or lie in {@code /proc}, {@code /sys} or {@code /dev}.
 * Messages name the path as the graph wrote it, never the file's contents; callers that
 * quote a value read from a file use {@link #excerpt}.
 *
 * <p>Functions are created by {@link java.util.ServiceLoader} and see only their params, so the
 * node installs its policy here before it loads them ({@link #install}); a function keeps the
 * policy that was installed when it was created.
 */
public final class DataFiles {
  /** The default size limit: 64 MiB. */
  public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
  /** No roots: every file is refused. */
  public static final DataFiles NONE = new DataFiles(List.of(), DEFAULT_MAX_BYTES);
  static final String ROOTS_SETTING = "calcgrid.data-roots (CALCGRID_DATA_ROOTS)";
  static final String SIZE_SETTING = "calcgrid.data-max-file-bytes (CALCGRID_DATA_MAX_FILE_BYTES)";
  private static final int MAX_PATH = 4096;
  private static final int EXCERPT = 40;
  private static final List<Path> SYSTEM = List.of(Path.of("/proc"), Path.of("/sys"),
      Path.of("/dev"));

  private static volatile DataFiles installed = NONE;

  private final List<Path> roots;
  private final long maxBytes;

  /**
   * @param roots absolute, normalized folders
   * @param maxBytes the largest file that may be read
   * @throws IllegalArgumentException when a root is not absolute and normalized, or is a system
   *     folder
   */
  public DataFiles(List<Path> roots, long maxBytes) {
    for (Path root : roots) {
      checkRoot(root, root.toString());
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException(SIZE_SETTING + " must be at least 1 byte, got "
          + maxBytes);
    }
    this.roots = List.copyOf(roots);
    this.maxBytes = maxBytes;
  }

  /**
   * Reads {@code calcgrid.data-roots} (a list, or a comma-separated string) and
   * {@code calcgrid.data-max-file-bytes}.
   *
   * @throws IllegalArgumentException naming the setting when an entry is not acceptable
   */
  public static DataFiles fromConfig(Config config) {
    String key = "calcgrid.data-roots";
    List<String> entries = !config.hasPath(key) ? List.of()
        : config.getValue(key).valueType() == ConfigValueType.LIST ? config.getStringList(key)
        : Arrays.asList(config.getString(key).split(","));
    List<Path> roots = new ArrayList<>();
    for (String entry : entries) {
      String e = entry.strip();
      if (!e.isEmpty()) {
        Path root;
        try {
          root = Path.of(e);
        } catch (InvalidPathException ex) {
          throw new IllegalArgumentException(ROOTS_SETTING + ": '" + e + "' is not a path");
        }
        checkRoot(root, e);
        roots.add(root);
      }
    }
    long max;
    try {
      max = config.hasPath("calcgrid.data-max-file-bytes")
          ? config.getBytes("calcgrid.data-max-file-bytes") : DEFAULT_MAX_BYTES;
    } catch (ConfigException e) {
      throw new IllegalArgumentException(SIZE_SETTING + " must be a size such as 64MiB or "
          + "1000000, got '" + config.getValue("calcgrid.data-max-file-bytes").unwrapped() + "'");
    }
    return new DataFiles(roots, max);
  }

  private static void checkRoot(Path root, String written) {
    if (!root.isAbsolute() || !root.normalize().toString().equals(written)) {
      throw new IllegalArgumentException(ROOTS_SETTING + ": '" + written + "' is not an "
          + "absolute, normalized path; list folders such as /srv/calcgrid/portfolios");
    }
    if (isSystem(root)) {
      throw new IllegalArgumentException(ROOTS_SETTING + ": '" + written + "' may not be a "
          + "root: it is / or lies in /proc, /sys or /dev, which hold the node's secrets and "
          + "devices");
    }
  }

  private static boolean isSystem(Path path) {
    return path.getNameCount() == 0 || SYSTEM.stream().anyMatch(path::startsWith);
  }

  /** Makes {@code files} the policy that functions created from now on use. */
  public static void install(DataFiles files) {
    installed = files;
  }

  public static DataFiles installed() {
    return installed;
  }

  public List<Path> roots() {
    return roots;
  }

  public long maxBytes() {
    return maxBytes;
  }

  /**
   * The checks that need no disk, for {@link CalcFunction#validate}: roots are configured, and
   * {@code name} is a plausible path inside one of them.
   *
   * @param param the param's name for messages, e.g. {@code portfolio.file}
   * @throws IllegalArgumentException naming {@code param} and, where it helps, the setting
   */
  public void checkName(String name, String param) {
    lexical(name, param);
  }

  /**
   * Finds the file {@code name} names and checks it: everything {@link #checkName} checks, then
   * that its real path is inside a root's real path, that it is a regular file and that it is
   * no longer than {@link #maxBytes}.
   *
   * @throws IllegalArgumentException when the name or the file breaks the rules
   * @throws IOException when the file does not exist or cannot be read
   */
  public DataFile resolve(String name, String param) throws IOException {
    Path requested = lexical(name, param);
    String quoted = "param '" + param + "': '" + name + "'";
    Path real;
    BasicFileAttributes attrs;
    try {
      real = requested.toRealPath();
      attrs = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(quoted + " does not exist");
    } catch (AccessDeniedException e) {
      throw new AccessDeniedException(quoted + " cannot be read: permission denied");
    } catch (IOException e) {
      throw new IOException(quoted + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    if (isSystem(real) || !insideRealRoot(real)) {
      // a symlink inside a root that leads out of every root
      throw new IllegalArgumentException(quoted + " leads outside the data roots of this node ("
          + ROOTS_SETTING + ")");
    }
    if (attrs.isDirectory()) {
      throw new IllegalArgumentException(quoted + " is a directory, not a file");
    }
    if (!attrs.isRegularFile()) {
      throw new IllegalArgumentException(quoted + " is not a regular file (a device, fifo or "
          + "socket)");
    }
    if (attrs.size() > maxBytes) {
      throw new IllegalArgumentException(quoted + " is " + attrs.size() + " bytes; this node "
          + "reads files of at most " + maxBytes + " bytes (" + SIZE_SETTING + ")");
    }
    return new DataFile(name, real, attrs.size(), attrs.lastModifiedTime().toMillis());
  }

  /**
   * Opens a file {@link #resolve} checked. The stream fails once more than {@link #maxBytes}
   * have been read, since a file may grow after it was checked.
   */
  public InputStream open(DataFile file) throws IOException {
    InputStream in = Files.newInputStream(file.realPath(), StandardOpenOption.READ,
        LinkOption.NOFOLLOW_LINKS);
    return new Bounded(in, maxBytes, file.name());
  }

  private Path lexical(String name, String param) {
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("param '" + param + "': this node reads no files; an "
          + "operator lists the folders it may read in " + ROOTS_SETTING);
    }
    if (name.isEmpty() || name.length() > MAX_PATH) {
      throw new IllegalArgumentException("param '" + param + "' must be a path of 1 to "
          + MAX_PATH + " characters");
    }
    if (name.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("param '" + param + "' contains a control character");
    }
    Path path;
    try {
      path = Path.of(name);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("param '" + param + "': '" + name + "' is not a path");
    }
    for (Path part : path) {
      if (part.toString().equals("..")) {
        throw new IllegalArgumentException("param '" + param + "': '" + name
            + "' may not contain '..'");
      }
    }
    Path absolute = (path.isAbsolute() ? path : roots.get(0).resolve(path)).normalize();
    if (roots.stream().noneMatch(absolute::startsWith)) {
      throw new IllegalArgumentException("param '" + param + "': '" + name + "' is not inside "
          + "a data root of this node; name a file relative to " + roots.get(0)
          + " or under one of " + roots.stream().map(Path::toString)
              .collect(Collectors.joining(", ")) + " (" + ROOTS_SETTING + ")");
    }
    return absolute;
  }

  private boolean insideRealRoot(Path real) {
    for (Path root : roots) {
      try {
        Path realRoot = root.toRealPath();
        if (!isSystem(realRoot) && real.startsWith(realRoot)) {
          return true;
        }
      } catch (IOException e) {
        // a root missing on this node holds no file
      }
    }
    return false;
  }

  /**
   * A value read from a file, fit to quote in a message: at most 40 characters, control
   * characters shown as {@code ?}. A message may quote a cell of a file that parsed as the
   * expected format, never a whole line.
   */
  public static String excerpt(String value) {
    StringBuilder out = new StringBuilder(Math.min(value.length(), EXCERPT));
    for (int i = 0; i < value.length() && out.length() < EXCERPT; i++) {
      char c = value.charAt(i);
      out.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
    }
    if (value.length() > EXCERPT) {
      out.setLength(EXCERPT - 3);
      out.append("...");
    }
    return out.toString();
  }

  /**
   * A file that passed {@link #resolve}.
   *
   * @param name the path as the graph wrote it, for messages
   * @param realPath where it is, every symlink resolved
   * @param size its length when checked
   * @param lastModified its modification time when checked, in epoch milliseconds
   */
  public record DataFile(String name, Path realPath, long size, long lastModified) {}

  /** A file grew past the size limit while it was read. */
  public static final class TooLargeException extends IOException {
    public TooLargeException(String message) {
      super(message);
    }
  }

  /** Fails a read past the limit rather than let a growing file grow the node's heap. */
  private static final class Bounded extends FilterInputStream {
    private final long limit;
    private final String name;
    private long read;

    Bounded(InputStream in, long limit, String name) {
      super(in);
      this.limit = limit;
      this.name = name;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, (int) Math.min(len, limit - read + 1));
      if (n > 0) {
        count(n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(Math.min(n, limit - read + 1));
      count(skipped);
      return skipped;
    }

    private void count(long n) throws IOException {
      read += n;
      if (read > limit) {
        throw new TooLargeException("'" + name + "' grew past " + limit + " bytes while it was "
            + "read (" + SIZE_SETTING + ")");
      }
    }
  }
}
