package com.calcgrid.calc.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticPortfolioTest {
  private static final SyntheticPortfolio P = new SyntheticPortfolio(1003, 4, 8, 42);

  @Test
  void aSliceGeneratedAloneEqualsTheSameSliceOfTheWhole() {
    Portfolio whole = P.slice(null, 0, Long.MAX_VALUE).positions();
    assertEquals(1003, whole.size());
    Portfolio alone = P.slice(null, 500, 620).positions();
    assertEquals(120, alone.size());
    for (int i = 0; i < alone.size(); i++) {
      assertEquals(whole.id(500 + i), alone.id(i));
      assertEquals(whole.strike(500 + i), alone.strike(i));
      assertEquals(whole.quantity(500 + i), alone.quantity(i));
    }
    // a fresh instance (another node) generates the same trades
    assertTrue(new SyntheticPortfolio(1003, 4, 8, 42).slice(null, 500, 620).positions()
        .sameAs(alone));
  }

  @Test
  void bookSlicesAreTheBooksTradesInTradeOrder() {
    Portfolio whole = P.slice(null, 0, 1003).positions();
    // 1003 = 4 * 250 + 3: books 0 to 2 have 251 trades, book 3 has 250
    assertEquals(251, P.slice("BOOK-2", 0, 0).bookPositions());
    assertEquals(250, P.slice("BOOK-3", 0, 0).bookPositions());
    PortfolioSource.Slice batch = P.slice("BOOK-1", 100, 150);
    assertEquals(50, batch.positions().size());
    for (int j = 0; j < 50; j++) {
      int i = 1 + (100 + j) * 4;
      assertEquals("T" + i, batch.positions().id(j));
      assertEquals("BOOK-1", batch.positions().book(j));
      assertEquals(whole.strike(i), batch.positions().strike(j));
      assertEquals(whole.type(i), batch.positions().type(j));
    }
    assertEquals(1, P.slice("BOOK-0", 250, 300).positions().size()); // the last, T1000
    assertEquals(0, P.slice("BOOK-3", 250, 300).positions().size()); // past the end
  }

  @Test
  void tradesLookRealistic() {
    Portfolio all = new SyntheticPortfolio(5000, 3, 6, 9).slice(null, 0, 5000).positions();
    Set<String> underlyings = new HashSet<>();
    int calls = 0;
    int shorts = 0;
    for (int i = 0; i < all.size(); i++) {
      int u = Integer.parseInt(all.underlying(i).substring(1));
      double spot = SyntheticPortfolio.spot(9, u);
      assertTrue(spot >= 20 && spot <= 500, "spot " + spot);
      assertTrue(all.strike(i) >= 0.65 * spot && all.strike(i) <= 1.35 * spot,
          all.strike(i) + " vs spot " + spot);
      assertTrue(all.expiry(i) >= 1.0 / 12 && all.expiry(i) <= 3);
      double lots = Math.abs(all.quantity(i)) / 10;
      assertTrue(lots >= 1 && lots <= 100 && lots == Math.rint(lots));
      assertEquals("BOOK-" + (i % 3), all.book(i));
      underlyings.add(all.underlying(i));
      calls += all.isCall(i) ? 1 : 0;
      shorts += all.quantity(i) < 0 ? 1 : 0;
    }
    assertEquals(6, underlyings.size());
    assertEquals(2500, calls, 150);
    assertEquals(2250, shorts, 150);
    for (int u = 0; u < 6; u++) {
      double vol = SyntheticPortfolio.vol(9, u);
      assertTrue(vol >= 0.12 && vol <= 0.5);
      assertTrue(SyntheticPortfolio.dividendYield(9, u) <= 0.04);
    }
  }

  @Test
  void summaryCountsEveryBook() {
    PortfolioSource.Summary s = P.summary();
    assertEquals(1003, s.trades());
    assertEquals(4, s.books().size());
    assertEquals(1003, s.books().values().stream().mapToLong(Long::longValue).sum());
    assertEquals(8, s.underlyings().size());
    assertEquals("U7", s.underlyings().get(7));
  }

  @Test
  void unknownBooksAreRejected() {
    P.checkBook("BOOK-3", "book");
    for (String bad : new String[] {"BOOK-4", "BOOK-01", "book-1", "BOOK-", "X"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> P.checkBook(bad, "book"));
      assertTrue(e.getMessage().startsWith("param 'book' must name a book of the synthetic "
          + "portfolio, BOOK-0 to BOOK-3"), e.getMessage());
    }
  }
}
