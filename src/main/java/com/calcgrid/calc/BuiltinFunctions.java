package com.calcgrid.calc;

import com.calcgrid.calc.pricing.BsPrice;
import com.calcgrid.calc.process.ProcessRun;
import com.calcgrid.calc.risk.RiskAggregate;
import com.calcgrid.calc.risk.RiskPortfolio;
import com.calcgrid.calc.risk.RiskRevalue;
import com.calcgrid.calc.risk.RiskVar;
import com.calcgrid.calc.util.Blob;
import com.calcgrid.calc.util.Digest;
import com.calcgrid.calc.util.Fail;
import com.calcgrid.calc.util.Sleep;
import com.calcgrid.calc.util.Sum;
import java.util.List;

/** The functions that ship with CalcGrid, registered in META-INF/services like any desk's own. */
public final class BuiltinFunctions implements CalcProvider {
  @Override
  public List<CalcFunction> functions() {
    return List.of(new BsPrice(), new RiskPortfolio(), new RiskRevalue(), new RiskAggregate(),
        new RiskVar(), new Sum(), new Sleep(), new Fail(), new Blob(),
        new Digest(), new ProcessRun());
  }
}
