package com.calcgrid.calc.risk;

import com.calcgrid.calc.DataFiles;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * A portfolio read from a CSV file (see {@link CsvPortfolioParser} for the format), by path on
 * the node that runs the task, inside the node's data roots ({@link DataFiles}): relative paths
 * resolve against the first root, so every node needs the same file at the same place (a shared
 * mount).
 *
 * <p>Each node parses a file once and keeps the result in a small cache keyed by the real path,
 * last-modified time and size, so the hundreds of batch tasks of one job share one parse, and a
 * file rewritten for the next day is read again. Each task checks the path against the roots
 * again before it uses the cache.
 *
 * @param path the path as the graph wrote it
 * @param files the roots and size limit of the node
 */
public record FilePortfolio(String path, DataFiles files) implements PortfolioSource {
  /** Books a message lists when a book is missing. */
  private static final int LISTED_BOOKS = 20;
  /** Parsed files kept per node; a few days' or desks' files, not an archive. */
  static final int CACHE_SIZE = 8;

  private static final Map<Key, FutureTask<Loaded>> CACHE =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, FutureTask<Loaded>> eldest) {
          return size() > CACHE_SIZE;
        }
      };

  private record Key(Path path, long lastModified, long size, DataFiles.DataFile file) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.path.equals(path) && k.lastModified == lastModified
          && k.size == size;
    }

    @Override
    public int hashCode() {
      return (path.hashCode() * 31 + Long.hashCode(lastModified)) * 31 + Long.hashCode(size);
    }
  }

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
      List<String> books = loaded.byBook().keySet().stream().limit(LISTED_BOOKS)
          .map(DataFiles::excerpt).toList();
      throw new IllegalArgumentException("book '" + book + "' has no positions in portfolio file '"
          + path + "' (books: " + String.join(", ", books)
          + (loaded.byBook().size() > LISTED_BOOKS ? ", ..." : "") + ")");
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
          DataFiles.DataFile file = key.file();
          task = new FutureTask<>(() -> read(file));
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

  /** Where the file is now, checked against the roots and the size limit. */
  private Key key() throws IOException {
    DataFiles.DataFile file = files.resolve(path, "portfolio.file");
    return new Key(file.realPath(), file.lastModified(), file.size(), file);
  }

  private Loaded read(DataFiles.DataFile file) throws IOException {
    Portfolio all;
    try (Reader in = new InputStreamReader(files.open(file),
        StandardCharsets.UTF_8.newDecoder())) {
      all = CsvPortfolioParser.parse(in, path);
    } catch (InterruptedIOException | IllegalArgumentException e) {
      throw e;
    } catch (CharacterCodingException e) {
      throw new IOException("portfolio file '" + path + "' is not UTF-8 text");
    } catch (DataFiles.TooLargeException e) {
      throw new DataFiles.TooLargeException("portfolio file " + e.getMessage());
    } catch (IOException e) {
      // the exception's own message may name the real path; its type is enough
      throw new IOException("portfolio file '" + path + "' cannot be read ("
          + e.getClass().getSimpleName() + ")", e);
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
