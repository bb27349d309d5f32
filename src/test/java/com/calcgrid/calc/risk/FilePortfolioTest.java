package com.calcgrid.calc.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    FilePortfolio source = new FilePortfolio(write("p.csv", GOOD).toString());
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
    FilePortfolio source = new FilePortfolio(file.toString());
    FilePortfolio.Loaded first = source.load();
    assertSame(first, new FilePortfolio(file.toString()).load());
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
    assertEquals(3, new FilePortfolio(ok.toString()).slice(null, 0, 1).positions().quantity(0));
  }

  @Test
  void aMissingFileSaysSo() {
    IOException e = assertThrows(IOException.class,
        () -> new FilePortfolio(dir.resolve("nope.csv").toString()).summary());
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  private void assertError(String content, String expected) throws IOException {
    Path file = write("bad.csv", content);
    FilePortfolio.clearCache();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new FilePortfolio(file.toString()).summary());
    assertTrue(e.getMessage().startsWith("portfolio file '" + file + "' "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }
}
