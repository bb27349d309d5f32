package com.calcgrid.calc.risk;

import com.calcgrid.calc.CalcFunction;
import com.calcgrid.calc.CalcInput;
import com.calcgrid.calc.DataFiles;
import com.calcgrid.calc.Params;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code risk.revalue}: revalues one batch of a book under every scenario.
 *
 * <p>Params: {@code portfolio} ({@link PortfolioSource}), {@code market} ({@link Market}), {@code
 * scenarios} ({@link Scenarios}), {@code book} (optional: only that book's positions), {@code
 * batch} (default 0), {@code batchSize} (default {@value #MAX_BATCH_SIZE}) and {@code
 * pnlEncoding} ({@code numbers}, the default, or {@code base64}: see {@link
 * PnlVectors.Encoding}). The batch is the book's positions in trade order numbered from 0, slice
 * [batch * batchSize, (batch + 1) * batchSize); past the end of the book it is short or empty.
 * The task reads or generates its own slice of the portfolio from these params, so it needs no
 * {@code risk.portfolio} task before it.
 *
 * <p>Result: {@code {"book", "batch", "positions", "bookPositions", "baseValue", "pnl"}} with one
 * P&L per scenario (see {@link Revaluation.Result}): a few kilobytes whatever the batch size, as
 * results must stay well under the 256 KiB of a cluster message.
 */
public final class RiskRevalue implements CalcFunction {
  static final int MAX_BATCH_SIZE = 1_000_000;
  static final long MAX_BATCH = 100_000_000L;

  private final DataFiles files;

  /** With the data roots the node installed before loading functions. */
  public RiskRevalue() {
    this(DataFiles.installed());
  }

  /** Reading files from {@code files} only. */
  public RiskRevalue(DataFiles files) {
    this.files = files;
  }

  @Override
  public String name() {
    return "risk.revalue";
  }

  @Override
  public void validate(JsonNode params) {
    read(params);
  }

  @Override
  public JsonNode apply(CalcInput input) throws Exception {
    Request r = read(input.params());
    long from = r.batch * r.batchSize;
    PortfolioSource.Slice slice = r.source.slice(r.book, from, from + r.batchSize);
    Revaluation.Result result = Revaluation.run(slice.positions(), r.market, r.scenarios);
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    if (r.book == null) {
      out.putNull("book");
    } else {
      out.put("book", r.book);
    }
    out.put("batch", r.batch);
    out.put("positions", result.positions());
    out.put("bookPositions", slice.bookPositions());
    out.put("baseValue", result.baseValue());
    PnlVectors.put(out, result.pnl(), r.encoding);
    return out;
  }

  private record Request(PortfolioSource source, Market market, Scenarios scenarios, String book,
      long batch, long batchSize, PnlVectors.Encoding encoding) {}

  /** Every check is cheap: shapes and numbers only, no file read, no trade generated. */
  private Request read(JsonNode params) {
    Params.allowOnly(params, "", "portfolio", "market", "scenarios", "book", "batch",
        "batchSize", PnlVectors.Encoding.PARAM);
    PortfolioSource source = PortfolioSource.parse(params.get("portfolio"), "portfolio", files);
    Market market = Market.parse(params.get("market"), "market", source);
    Scenarios scenarios = Scenarios.parse(params.get("scenarios"), "scenarios");
    String book = null;
    if (!Params.isAbsent(params.get("book"))) {
      book = Params.asText(params.get("book"), "book");
      source.checkBook(book, "book");
    }
    long batch = Params.integer(params, "batch", 0, 0, MAX_BATCH);
    long batchSize = Params.integer(params, "batchSize", MAX_BATCH_SIZE, 1, MAX_BATCH_SIZE);
    return new Request(source, market, scenarios, book, batch, batchSize,
        PnlVectors.Encoding.of(params));
  }
}
