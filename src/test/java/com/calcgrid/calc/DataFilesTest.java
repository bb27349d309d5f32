package com.calcgrid.calc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files a graph may make a node read: the path policy, on a real file system. */
class DataFilesTest {
  @TempDir Path tmp;
  private Path root;
  private Path outside;
  private DataFiles files;

  @BeforeEach
  void roots() throws IOException {
    root = Files.createDirectory(tmp.resolve("root"));
    outside = Files.createDirectory(tmp.resolve("outside"));
    files = new DataFiles(List.of(root), 1000);
  }

  @Test
  void withNoRootsEveryFileIsRefusedNamingTheSetting() throws IOException {
    Path file = Files.writeString(root.resolve("p.csv"), "x");
    for (String name : List.of(file.toString(), "p.csv", "/proc/self/environ")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> DataFiles.NONE.resolve(name, "portfolio.file"));
      assertEquals("param 'portfolio.file': this node reads no files; an operator lists the "
          + "folders it may read in calcgrid.data-roots (CALCGRID_DATA_ROOTS)", e.getMessage());
      assertThrows(IllegalArgumentException.class,
          () -> DataFiles.NONE.checkName(name, "portfolio.file"));
    }
    assertTrue(DataFiles.fromConfig(CalcGridNode.loadConfig(Map.of(), null)).roots().isEmpty());
  }

  @Test
  void readsFilesInsideARootByAbsoluteOrRelativePath() throws IOException {
    Path sub = Files.createDirectory(root.resolve("eod"));
    Path file = Files.writeString(sub.resolve("p.csv"), "id,book\n");
    DataFiles.DataFile byAbsolute = files.resolve(file.toString(), "f");
    DataFiles.DataFile byRelative = files.resolve("eod/./p.csv", "f");
    assertEquals(file.toRealPath(), byAbsolute.realPath());
    assertEquals(file.toRealPath(), byRelative.realPath());
    assertEquals(8, byAbsolute.size());
    try (InputStream in = files.open(byRelative)) {
      assertEquals("id,book\n", new String(in.readAllBytes()));
    }
  }

  @Test
  void pathsOutsideTheRootsAreRefusedBeforeTheDiskIsTouched() throws IOException {
    Files.writeString(outside.resolve("secret.txt"), "hunter2");
    for (String name : List.of("/proc/self/environ", "/etc/passwd", "/dev/zero",
        outside.resolve("secret.txt").toString(), outside.resolve("missing").toString())) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> files.resolve(name, "portfolio.file"), name);
      assertTrue(e.getMessage().contains("is not inside a data root of this node"),
          e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> files.checkName(name, "f"), name);
    }
  }

  @Test
  void dotDotIsRefusedEvenWhenItStaysInside() throws IOException {
    Files.writeString(root.resolve("p.csv"), "x");
    for (String name : List.of(root + "/../outside/secret.txt", "../outside/secret.txt",
        "a/../../outside/secret.txt", root + "/a/../p.csv", "..")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> files.resolve(name, "f"), name);
      assertTrue(e.getMessage().endsWith("may not contain '..'"), e.getMessage());
    }
  }

  @Test
  void aSymlinkLeadingOutOfTheRootsIsRefused() throws IOException {
    Files.writeString(outside.resolve("secret.txt"), "hunter2");
    Files.createSymbolicLink(root.resolve("env.csv"), Path.of("/proc/self/environ"));
    Files.createSymbolicLink(root.resolve("zero.csv"), Path.of("/dev/zero"));
    Files.createSymbolicLink(root.resolve("secret.csv"), outside.resolve("secret.txt"));
    Files.createSymbolicLink(root.resolve("up"), outside);
    for (String name : List.of("env.csv", "zero.csv", "secret.csv", "up/secret.txt")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> files.resolve(name, "portfolio.file"), name);
      assertEquals("param 'portfolio.file': '" + name + "' leads outside the data roots of "
          + "this node (calcgrid.data-roots (CALCGRID_DATA_ROOTS))", e.getMessage());
    }
    // a symlink that stays inside is fine, and so is a root that is itself a symlink
    Path real = Files.writeString(root.resolve("2025-06-28.csv"), "x");
    Files.createSymbolicLink(root.resolve("today.csv"), real.getFileName());
    assertEquals(real.toRealPath(), files.resolve("today.csv", "f").realPath());
    Path linkedRoot = Files.createSymbolicLink(tmp.resolve("current"), root);
    DataFiles viaLink = new DataFiles(List.of(linkedRoot), 1000);
    assertEquals(real.toRealPath(), viaLink.resolve("today.csv", "f").realPath());
    assertThrows(IllegalArgumentException.class, () -> viaLink.resolve("env.csv", "f"));
  }

  @Test
  void onlyRegularFilesAreRead() throws Exception {
    Files.createDirectory(root.resolve("dir.csv"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> files.resolve("dir.csv", "f"));
    assertEquals("param 'f': 'dir.csv' is a directory, not a file", e.getMessage());

    // a fifo would block the reading thread until someone writes to it
    Process mkfifo = new ProcessBuilder("mkfifo", root.resolve("pipe.csv").toString()).start();
    assertTrue(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0);
    e = assertThrows(IllegalArgumentException.class, () -> files.resolve("pipe.csv", "f"));
    assertEquals("param 'f': 'pipe.csv' is not a regular file (a device, fifo or socket)",
        e.getMessage());

    assertThrows(NoSuchFileException.class, () -> files.resolve("nope.csv", "f"));
  }

  @Test
  void aFileOverTheLimitIsRefusedBeforeAndWhileItIsRead() throws IOException {
    Path big = Files.write(root.resolve("big.csv"), new byte[1001]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> files.resolve("big.csv", "f"));
    assertEquals("param 'f': 'big.csv' is 1001 bytes; this node reads files of at most 1000 "
        + "bytes (calcgrid.data-max-file-bytes (CALCGRID_DATA_MAX_FILE_BYTES))", e.getMessage());

    Path growing = Files.write(root.resolve("growing.csv"), new byte[600]);
    DataFiles.DataFile checked = files.resolve("growing.csv", "f");
    Files.write(growing, new byte[600], StandardOpenOption.APPEND);
    try (InputStream in = files.open(checked)) {
      IOException grew = assertThrows(DataFiles.TooLargeException.class, in::readAllBytes);
      assertTrue(grew.getMessage().startsWith("'growing.csv' grew past 1000 bytes"),
          grew.getMessage());
    }
    assertTrue(Files.size(big) > 1000);
  }

  @Test
  void namesWithControlCharactersAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> files.checkName("p\u0000.csv", "f"));
    assertEquals("param 'f' contains a control character", e.getMessage());
  }

  @Test
  void theSettingsAreCheckedWhenTheNodeStarts() {
    DataFiles configured = DataFiles.fromConfig(CalcGridNode.loadConfig(Map.of(
        "calcgrid.data-roots", root + ", " + outside, "calcgrid.data-max-file-bytes", "1MiB"),
        null));
    assertEquals(List.of(root, outside), configured.roots());
    assertEquals(1 << 20, configured.maxBytes());
    assertEquals(DataFiles.DEFAULT_MAX_BYTES, DataFiles.fromConfig(
        CalcGridNode.loadConfig(Map.of(), null)).maxBytes());
    IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
        () -> DataFiles.fromConfig(CalcGridNode.loadConfig(
            Map.of("calcgrid.data-max-file-bytes", "lots"), null)));
    assertEquals("calcgrid.data-max-file-bytes (CALCGRID_DATA_MAX_FILE_BYTES) must be a size "
        + "such as 64MiB or 1000000, got 'lots'", size.getMessage());
    for (String bad : List.of("data", "/", "/proc", "/proc/1", "/sys/kernel", "/dev",
        "/srv/../etc")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> DataFiles.fromConfig(CalcGridNode.loadConfig(
              Map.of("calcgrid.data-roots", bad), null)), bad);
      assertTrue(e.getMessage().startsWith("calcgrid.data-roots (CALCGRID_DATA_ROOTS): '" + bad
          + "'"), e.getMessage());
    }
  }

  @Test
  void excerptsAreShortAndPrintable() {
    assertEquals("abc", DataFiles.excerpt("abc"));
    assertEquals("a?b", DataFiles.excerpt("a\u0000b"));
    String cut = DataFiles.excerpt("PATH=/usr/bin\u0000SECRET=" + "x".repeat(100));
    assertEquals(40, cut.length());
    assertTrue(cut.endsWith("...") && !cut.contains("\u0000"), cut);
    assertFalse(DataFiles.excerpt("x".repeat(39)).endsWith("..."));
  }
}
