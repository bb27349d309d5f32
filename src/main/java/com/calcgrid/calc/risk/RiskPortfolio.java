package com.calcgrid.calc.risk;

import com.calcgrid.calc.CalcFunction;
import com.calcgrid.calc.CalcInput;
import com.calcgrid.calc.DataFiles;
import com.calcgrid.calc.Params;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code risk.portfolio}: loads a portfolio and summarises it, the first task of an end-of-day
 * graph, so that a missing or malformed file fails the job before hundreds of batches start.
 *
 * <p>Params: {@code portfolio} (a {@link PortfolioSource}), and optionally {@code market}: then
 * every underlying of the portfolio must have market data. Result: {@code {"trades": n,
 * "books": {"BOOK-0": count, ...}, "bookCount": b, "underlyings": [...], "underlyingCount": u}};
 * the lists stop at {@value #LISTED} entries (with {@code "truncated": true}) because the result
 * travels to every task that depends on it.
 */
public final class RiskPortfolio implements CalcFunction {
  static final int LISTED = 100;

  private final DataFiles files;

  /** With the data roots the node installed before loading functions. */
  public RiskPortfolio() {
    this(DataFiles.installed());
  }

  /** Reading files from {@code files} only. */
  public RiskPortfolio(DataFiles files) {
    this.files = files;
  }

  @Override
  public String name() {
    return "risk.portfolio";
  }

  @Override
  public void validate(JsonNode params) {
    Params.allowOnly(params, "", "portfolio", "market");
    PortfolioSource source = PortfolioSource.parse(params.get("portfolio"), "portfolio", files);
    if (!Params.isAbsent(params.get("market"))) {
      Market.parse(params.get("market"), "market", source);
    }
  }

  @Override
  public JsonNode apply(CalcInput input) throws Exception {
    JsonNode params = input.params();
    PortfolioSource source = PortfolioSource.parse(params.get("portfolio"), "portfolio", files);
    PortfolioSource.Summary summary = source.summary();
    if (!Params.isAbsent(params.get("market"))) {
      Market market = Market.parse(params.get("market"), "market", source);
      List<String> missing = new ArrayList<>();
      for (String u : summary.underlyings()) {
        if (market.indexOf(u) < 0) {
          missing.add(u);
        }
      }
      if (!missing.isEmpty()) {
        throw new IllegalArgumentException("no market data for " + missing.size()
            + " underlying(s) of the portfolio: " + String.join(", ",
                missing.stream().limit(20).map(DataFiles::excerpt).toList())
            + (missing.size() > 20 ? ", ..." : ""));
      }
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("trades", summary.trades());
    ObjectNode books = out.putObject("books");
    for (Map.Entry<String, Long> e : summary.books().entrySet()) {
      if (books.size() == LISTED) {
        break;
      }
      books.put(e.getKey(), e.getValue());
    }
    out.put("bookCount", summary.books().size());
    var underlyings = out.putArray("underlyings");
    summary.underlyings().stream().limit(LISTED).forEach(underlyings::add);
    out.put("underlyingCount", summary.underlyings().size());
    if (summary.books().size() > LISTED || summary.underlyings().size() > LISTED) {
      out.put("truncated", true);
    }
    return out;
  }
}
