package com.calcgrid.calc.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.calc.DataFiles;
import com.calcgrid.calc.pricing.OptionType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilePortfolioTest {
  static final String GOOD = """
      id,book,underlying,type,strike,expiry,quantity
      # a comment, then a blank line

      T1, EQ-1, AAA, call, 100, 0.5, 10
      T2,EQ-2,BBB,PUT,50,1,-20
      T3,EQ-1,AAA,put,110,0.25,5
      """;

  @TempDir Path dir;

  @BeforeEach
  void forget() {
    FilePortfolio.clearCache();
  }

  @Test
  void readsPositionsBooksAndUnderlyings() throws IOException {
    FilePortfolio source = file(write("p.csv", GOOD));
    PortfolioSource.Summary s = source.summary();
    assertEquals(3, s.trades());
    assertEquals(List.of("EQ-1", "EQ-2"), List.copyOf(s.books().keySet()));
    assertEquals(2L, s.books().get("EQ-1"));
    assertEquals(List.of("AAA", "BBB"), s.underlyings());

    PortfolioSource.Slice eq1 = source.slice("EQ-1", 1, 10);
    assertEquals(2, eq1.bookPositions());
    assertEquals(1, eq1.positions().size());
    assertEquals("T3", eq1.positions().id(0));
    assertEquals(OptionType.PUT, eq1.positions().type(0));
    assertEquals(110, eq1.positions().strike(0));
    Portfolio all = source.slice(null, 0, 3).positions();
    assertEquals(-20, all.quantity(1));
    assertEquals(OptionType.PUT, all.type(1));
    assertTrue(all.isCall(0));
    assertThrows(IllegalArgumentException.class, () -> source.slice("EQ-9", 0, 1));
  }

  @Test
  void parsesOncePerVersionOfTheFile() throws IOException {
    Path file = write("p.csv", GOOD);
    FilePortfolio source = file(file);
    FilePortfolio.Loaded first = source.load();
    assertSame(first, file(file).load());
    Files.writeString(file, GOOD + "T4,EQ-2,BBB,call,55,2,1\n");
    Files.setLastModifiedTime(file, FileTime.fromMillis(
        Files.getLastModifiedTime(file).toMillis() + 2000));
    FilePortfolio.Loaded second = source.load();
    assertNotSame(first, second);
    assertEquals(4, second.all().size());
  }

  @Test
  void errorsNameTheLineAndColumn() throws IOException {
    String header = "id,book,underlying,type,strike,expiry,quantity\n";
    assertError(header + "T1,B,U,call,100,1,1\nT2,B,U,call,abc,1,1\n",
        "line 3, column 5 (strike): must be a number, got 'abc'");
    assertError(header + "T1,B,U,call,100,1,1\n\nT1,B,U,put,90,1,1\n",
        "line 4, column 1 (id): duplicate id 'T1' (first on line 2)");
    assertError(header + "T1,B,U,straddle,100,1,1\n",
        "line 2, column 4 (type): must be call or put");
    assertError(header + "T1,B,U,call,100,0,1\n", "line 2, column 6 (expiry): must be more");
    assertError(header + "T1,B,U,call,-5,1,1\n", "line 2, column 5 (strike): must be positive");
    assertError(header + "T1,B,U,call,100,1\n", "line 2: expected 7 fields, got 6");
    assertError(header + "T1,,U,call,100,1,1\n", "line 2, column 2 (book): is empty");
    assertError(header + "T1,B,U,call,100,1,5d\n", "line 2, column 7 (quantity): must be a number");
    assertError("id,book,underlying,kind,strike,expiry,quantity\n",
        "line 1, column 4: unknown column 'kind'");
    assertError("id,book,underlying,type,strike,expiry\n", "line 1: the header lacks column "
        + "'quantity'");
    assertError("", "is empty");
    // columns in another order are fine
    Path ok = write("order.csv", "quantity,id,type,book,underlying,expiry,strike\n3,T1,call,B,U,"
        + "1,100\n");
    assertEquals(3, file(ok).slice(null, 0, 1).positions().quantity(0));
  }

  @Test
  void aMissingFileSaysSo() {
    IOException e = assertThrows(IOException.class,
        () -> file(dir.resolve("nope.csv")).summary());
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void aFileThatIsNoPortfolioIsNotQuoted() throws IOException {
    // what /proc/self/environ looks like, had an operator put such a file inside a root
    Path env = write("environ.csv", "DB_PASSWORD=hunter2-db\0CALCGRID_AUTH_HS256_SECRET="
        + "s3cret-s3cret\0PATH=/usr/bin:/bin\0");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> file(env).summary());
    assertEquals("portfolio file '" + env + "' line 1, column 1: unknown column; the header "
        + "must name id,book,underlying,type,strike,expiry,quantity", e.getMessage());
    Path words = write("words.csv", "hunter2,kind\n");
    e = assertThrows(IllegalArgumentException.class, () -> file(words).summary());
    assertTrue(e.getMessage().endsWith("line 1, column 1: unknown column 'hunter2'; the header "
        + "must name id,book,underlying,type,strike,expiry,quantity"), e.getMessage());
  }

  @Test
  void aCellIsQuotedShortAndWithoutControlCharacters() throws IOException {
    String header = "id,book,underlying,type,strike,expiry,quantity\n";
    Path file = write("cell.csv", header + "T1,B,U,call,abc\u0007" + "x".repeat(500) + ",1,1\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> file(file).summary());
    assertTrue(e.getMessage().endsWith("line 2, column 5 (strike): must be a number, got 'abc?"
        + "x".repeat(33) + "...'"), e.getMessage());
    Path type = write("type.csv", header + "T1,B,U," + "y".repeat(500) + ",1,1,1\n");
    e = assertThrows(IllegalArgumentException.class, () -> file(type).summary());
    assertTrue(e.getMessage().endsWith("(type): must be call or put, got '" + "y".repeat(37)
        + "...'"), e.getMessage());
  }

  @Test
  void aLineWithoutEndStopsAtTheLineLimit() throws IOException {
    Path file = write("long.csv", "id,book,underlying,type,strike,expiry,quantity\r\n"
        + "T1,B,U,call,1,1,1\r" + "z".repeat(200_000));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> file(file).summary());
    assertTrue(e.getMessage().endsWith("line 3 is longer than 10000 characters"),
        e.getMessage());
  }

  @Test
  void aMissingBookListsAFewOfTheBooks() throws IOException {
    StringBuilder csv = new StringBuilder("id,book,underlying,type,strike,expiry,quantity\n");
    for (int i = 0; i < 30; i++) {
      csv.append("T").append(i).append(",BOOK-").append(i).append(",U,call,1,1,1\n");
    }
    FilePortfolio source = file(write("books.csv", csv.toString()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> source.slice("EQ-9", 0, 1));
    assertTrue(e.getMessage().endsWith("BOOK-18, BOOK-19, ...)"), e.getMessage());
  }

  @Test
  void aFileOutsideTheRootIsRefusedWithTheSetting() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new FilePortfolio("/proc/self/environ", new DataFiles(List.of(dir), 1000))
            .summary());
    assertTrue(e.getMessage().startsWith("param 'portfolio.file': '/proc/self/environ' is not "
        + "inside a data root of this node"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new FilePortfolio("p.csv", DataFiles.NONE).summary());
    assertTrue(e.getMessage().contains("CALCGRID_DATA_ROOTS"), e.getMessage());
  }

  private void assertError(String content, String expected) throws IOException {
    Path file = write("bad.csv", content);
    FilePortfolio.clearCache();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> file(file).summary());
    assertTrue(e.getMessage().startsWith("portfolio file '" + file + "' "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  /** The file at {@code path}, read with {@link #dir} as the only data root. */
  private FilePortfolio file(Path path) {
    return new FilePortfolio(path.toString(), new DataFiles(List.of(dir), 1 << 20));
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }
}
