package com.calcgrid.calc.risk;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * A portfolio read from a CSV file (see {@link CsvPortfolioParser} for the format), by path on
 * the node that runs the task: relative paths resolve against the node's working directory, so
 * every node needs the same file at the same place (a shared mount).
 *
 * <p>Each node parses a file once and keeps the result in a small cache keyed by the absolute
 * path, last-modified time and size, so the hundreds of batch tasks of one job share one parse,
 * and a file rewritten for the next day is read again.
 */
public record FilePortfolio(String path) implements PortfolioSource {
  /** Parsed files kept per node; a few days' or desks' files, not an archive. */
  static final int CACHE_SIZE = 8;

  private static final Map<Key, FutureTask<Loaded>> CACHE =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, FutureTask<Loaded>> eldest) {
          return size() > CACHE_SIZE;
        }
      };

  private record Key(Path path, long lastModified, long size) {}

  /** A parsed file with its positions grouped by book, in trade order. */
  record Loaded(Portfolio all, Map<String, int[]> byBook, List<String> underlyings) {}

  @Override
  public void checkBook(String book, String path) {
    // Which books a file has is only known once it is read, at run time.
  }

  @Override
  public Slice slice(String book, long from, long to) throws IOException {
    Loaded loaded = load();
    int[] indices = book == null ? null : loaded.byBook().get(book);
    if (book != null && indices == null) {
      throw new IllegalArgumentException("book '" + book + "' has no positions in portfolio file '"
          + path + "' (books: " + String.join(", ", loaded.byBook().keySet()) + ")");
    }
    int count = indices == null ? loaded.all().size() : indices.length;
    int start = (int) Math.min(Math.max(0, from), count);
    int end = (int) Math.max(start, Math.min(to, count));
    if (indices == null) {
      indices = new int[end];
      for (int i = start; i < end; i++) {
        indices[i] = i;
      }
    }
    return new Slice(loaded.all().select(indices, start, end), count);
  }

  @Override
  public Summary summary() throws IOException {
    Loaded loaded = load();
    Map<String, Long> books = new LinkedHashMap<>();
    loaded.byBook().forEach((book, indices) -> books.put(book, (long) indices.length));
    return new Summary(loaded.all().size(), books, loaded.underlyings());
  }

  /** The parsed file, from the cache when it has not changed since it was read. */
  Loaded load() throws IOException {
    while (true) {
      Key key = key();
      FutureTask<Loaded> task;
      boolean mine = false;
      synchronized (CACHE) {
        task = CACHE.get(key);
        if (task == null) {
          task = new FutureTask<>(() -> read(key.path()));
          CACHE.put(key, task);
          mine = true;
        }
      }
      // The first caller parses on its own thread; callers for the same file wait for that
      // parse instead of parsing it again.
      if (mine) {
        task.run();
      }
      try {
        return task.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading portfolio file '" + path
            + "'");
      } catch (ExecutionException e) {
        synchronized (CACHE) {
          CACHE.remove(key, task);
        }
        Throwable cause = e.getCause();
        if (!mine && cause instanceof InterruptedIOException
            && !Thread.currentThread().isInterrupted()) {
          continue; // the task that was parsing was cancelled, not this one: parse again
        }
        if (cause instanceof IOException io) {
          throw io;
        }
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        throw new IOException(cause);
      }
    }
  }

  private Key key() throws IOException {
    Path file = Path.of(path).toAbsolutePath().normalize();
    try {
      BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
      return new Key(file, attrs.lastModifiedTime().toMillis(), attrs.size());
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException("portfolio file '" + path + "' does not exist (looked for "
          + file + ")");
    } catch (IOException e) {
      throw new IOException("portfolio file '" + path + "' cannot be read: " + e, e);
    }
  }

  private Loaded read(Path file) throws IOException {
    Portfolio all;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      all = CsvPortfolioParser.parse(in, path);
    } catch (InterruptedIOException | IllegalArgumentException e) {
      throw e;
    } catch (IOException e) {
      // e.g. AccessDeniedException, whose message is only the path, or malformed UTF-8
      throw new IOException("portfolio file '" + path + "' cannot be read: " + e, e);
    }
    Map<String, List<Integer>> grouped = new LinkedHashMap<>();
    LinkedHashSet<String> underlyings = new LinkedHashSet<>();
    for (int i = 0; i < all.size(); i++) {
      grouped.computeIfAbsent(all.book(i), b -> new ArrayList<>()).add(i);
      underlyings.add(all.underlying(i));
    }
    Map<String, int[]> byBook = new LinkedHashMap<>();
    grouped.forEach((book, list) ->
        byBook.put(book, list.stream().mapToInt(Integer::intValue).toArray()));
    return new Loaded(all, byBook, List.copyOf(underlyings));
  }

  /** Forgets every parsed file; for tests. */
  static void clearCache() {
    synchronized (CACHE) {
      CACHE.clear();
    }
  }
}
