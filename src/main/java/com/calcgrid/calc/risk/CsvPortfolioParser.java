package com.calcgrid.calc.risk;

import com.calcgrid.calc.DataFiles;
import com.calcgrid.calc.pricing.OptionType;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a portfolio CSV: a header naming the columns {@code id, book, underlying, type, strike,
 * expiry, quantity} (in any order, each once, no others), then one position per line. Fields are
 * trimmed; quoting is not supported, so no field may contain a comma or a quote. Blank lines and
 * lines starting with {@code #} are skipped.
 *
 * <p>Every error names the line and column (both from 1) and the column's name. A file may be
 * anything a path leads to, so errors never quote a line: they quote at most one cell of a
 * data line, cut to 40 characters ({@link DataFiles#excerpt}), and a header cell only when it
 * looks like a column name. Lines are at most {@value #MAX_LINE} characters.
 */
final class CsvPortfolioParser {
  static final List<String> COLUMNS =
      List.of("id", "book", "underlying", "type", "strike", "expiry", "quantity");
  static final int MAX_POSITIONS = 10_000_000;
  static final int MAX_LINE = 10_000;
  private static final Pattern COLUMN_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,31}");
  // Plain decimal numbers only: Double.parseDouble would also take "5d", "0x1p3" and "NaN".
  private static final Pattern NUMBER =
      Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");
  private static final int ID = 0;
  private static final int BOOK = 1;
  private static final int UNDERLYING = 2;
  private static final int TYPE = 3;
  private static final int STRIKE = 4;
  private static final int EXPIRY = 5;
  private static final int QUANTITY = 6;

  private final String name;
  private final int[] columnOf = new int[COLUMNS.size()];
  private final Reader in;
  private final char[] buffer = new char[8192];
  private final StringBuilder text = new StringBuilder();
  private int pos;
  private int end;
  private boolean pendingLf;
  private int line;

  private CsvPortfolioParser(Reader in, String name) {
    this.in = in;
    this.name = name;
  }

  /** Parses everything; {@code name} is how messages refer to the file. */
  static Portfolio parse(Reader in, String name) throws IOException {
    return new CsvPortfolioParser(in, name).run();
  }

  private Portfolio run() throws IOException {
    String header = nextLine();
    if (header == null) {
      throw error("is empty; expected a header line " + String.join(",", COLUMNS));
    }
    readHeader(header.startsWith("\uFEFF") ? header.substring(1) : header);
    List<String[]> rows = new ArrayList<>();
    List<Integer> lines = new ArrayList<>();
    for (String text = nextLine(); text != null; text = nextLine()) {
      if (rows.size() == MAX_POSITIONS) {
        throw error("line " + line + ": more than " + MAX_POSITIONS + " positions");
      }
      rows.add(fields(text));
      lines.add(line);
      if ((rows.size() & 0xFFFF) == 0 && Thread.currentThread().isInterrupted()) {
        throw new InterruptedIOException("reading " + name + " was interrupted");
      }
    }
    Portfolio out = Portfolio.withCapacity(rows.size());
    Map<String, Integer> idLines = new HashMap<>();
    for (int r = 0; r < rows.size(); r++) {
      line = lines.get(r);
      addRow(rows.get(r), out, idLines);
    }
    return out;
  }

  private void readHeader(String header) {
    Arrays.fill(columnOf, -1);
    String[] names = header.split(",", -1);
    for (int c = 0; c < names.length; c++) {
      String col = names[c].trim();
      int which = COLUMNS.indexOf(col);
      if (which < 0) {
        // the first line of a file that is no portfolio at all: quote it only if it is a name
        throw error("line " + line + ", column " + (c + 1) + ": unknown column"
            + (COLUMN_NAME.matcher(col).matches() ? " '" + col + "'" : "")
            + "; the header must name " + String.join(",", COLUMNS));
      }
      if (columnOf[which] >= 0) {
        throw error("line " + line + ", column " + (c + 1) + ": column '" + col
            + "' appears twice");
      }
      columnOf[which] = c;
    }
    for (int k = 0; k < columnOf.length; k++) {
      if (columnOf[k] < 0) {
        throw error("line " + line + ": the header lacks column '" + COLUMNS.get(k) + "'");
      }
    }
  }

  private String[] fields(String text) {
    if (text.indexOf('"') >= 0) {
      throw error("line " + line + ", column " + (text.substring(0, text.indexOf('"'))
          .split(",", -1).length) + ": quoted fields are not supported");
    }
    String[] fields = text.split(",", -1);
    if (fields.length != COLUMNS.size()) {
      throw error("line " + line + ": expected " + COLUMNS.size() + " fields, got "
          + fields.length);
    }
    return fields;
  }

  private void addRow(String[] f, Portfolio out, Map<String, Integer> idLines) {
    String id = text(f, ID);
    Integer earlier = idLines.putIfAbsent(id, line);
    if (earlier != null) {
      throw at(ID, "duplicate id '" + DataFiles.excerpt(id) + "' (first on line " + earlier
          + ")");
    }
    OptionType type;
    try {
      type = OptionType.parse(text(f, TYPE));
    } catch (IllegalArgumentException e) {
      throw at(TYPE, "must be call or put, got '" + DataFiles.excerpt(text(f, TYPE)) + "'");
    }
    double strike = number(f, STRIKE);
    if (strike <= 0) {
      throw at(STRIKE, "must be positive, got " + DataFiles.excerpt(text(f, STRIKE)));
    }
    double expiry = number(f, EXPIRY);
    if (expiry <= 0 || expiry > 100) {
      throw at(EXPIRY, "must be more than 0 and at most 100 (years), got "
          + DataFiles.excerpt(text(f, EXPIRY)));
    }
    out.add(id, text(f, BOOK), text(f, UNDERLYING), type, strike, expiry, number(f, QUANTITY));
  }

  private String text(String[] f, int column) {
    String v = f[columnOf[column]].trim();
    if (v.isEmpty()) {
      throw at(column, "is empty");
    }
    return v;
  }

  private double number(String[] f, int column) {
    String v = text(f, column);
    if (!NUMBER.matcher(v).matches()) {
      throw at(column, "must be a number, got '" + DataFiles.excerpt(v) + "'");
    }
    double d = Double.parseDouble(v);
    if (!Double.isFinite(d)) {
      throw at(column, "must be finite, got '" + DataFiles.excerpt(v) + "'");
    }
    return d;
  }

  /** The next line that is neither blank nor a comment, or null at the end. */
  private String nextLine() throws IOException {
    for (String t = readLine(); t != null; t = readLine()) {
      if (!t.isBlank() && !t.stripLeading().startsWith("#")) {
        return t;
      }
    }
    return null;
  }

  /**
   * A line ended by LF, CRLF or CR, as {@link java.io.BufferedReader#readLine} reads it, but
   * never longer than {@link #MAX_LINE}: a file without line ends must not become one string.
   */
  private String readLine() throws IOException {
    text.setLength(0);
    while (true) {
      if (pos == end) {
        end = in.read(buffer, 0, buffer.length);
        pos = 0;
        if (end <= 0) {
          end = 0;
          if (text.length() == 0) {
            return null;
          }
          line++;
          return text.toString();
        }
      }
      char c = buffer[pos++];
      if (pendingLf) {
        pendingLf = false;
        if (c == '\n') {
          continue;
        }
      }
      if (c == '\n' || c == '\r') {
        pendingLf = c == '\r';
        line++;
        return text.toString();
      }
      if (text.length() == MAX_LINE) {
        throw error("line " + (line + 1) + " is longer than " + MAX_LINE + " characters");
      }
      text.append(c);
    }
  }

  private IllegalArgumentException at(int column, String problem) {
    return error("line " + line + ", column " + (columnOf[column] + 1) + " ("
        + COLUMNS.get(column) + "): " + problem);
  }

  private IllegalArgumentException error(String problem) {
    return new IllegalArgumentException("portfolio file '" + name + "' " + problem);
  }
}
