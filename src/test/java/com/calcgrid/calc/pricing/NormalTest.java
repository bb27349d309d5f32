package com.calcgrid.calc.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Reference values computed with 40-digit arithmetic (mpmath {@code ncdf}/{@code npdf}), then
 * rounded to 22 significant digits: far more than a double holds.
 */
class NormalTest {
  private static final double TOLERANCE = 1e-12;

  // x, N(x), n(x)
  private static final double[][] REFERENCE = {
    {1, 0.841344746068542948585, 0.2419707245191433497978},
    {-1, 0.158655253931457051415, 0.2419707245191433497978},
    {2, 0.977249868051820792800, 0.05399096651318805195056},
    {-3, 0.00134989803163009452665, 0.004431848411938007175602},
    {-6, 9.86587645037698140e-10, 6.075882849823285486996e-9},
    {-10, 7.61985302416052606597e-24, 7.694598626706419346339e-23},
    {0, 0.5, 0.3989422804014326779399},
    {0.25, 0.5987063256829237242409, 0.3866681168028492069412},
    {-0.5, 0.3085375387259868963623, 0.3520653267642994777747},
    {0.66, 0.7453730853286638523889, 0.3208638037711724942456},
    {-0.7, 0.2419636522230730147494, 0.3122539333667612571082},
    {1.5, 0.9331927987311419339955, 0.1295175956658917276141},
    {-2.5, 0.006209665325776135166978, 0.01752830049356853736216},
    {-4, 0.00003167124183311992125377, 0.0001338302257648853517741},
    {5.5, 0.9999999810104375341123, 1.076976004254327635878e-7},
    {-5.6, 1.071759025831090735496e-8, 6.18262050016584369278e-8},
    {-5.7, 5.990371401063534429834e-9, 3.513955094820437150195e-8},
    {-8, 6.220960574271784123516e-16, 5.05227108353689228795e-15},
    {-15, 3.670966199312750885786e-51, 5.530709549844416159162e-50},
    {-20, 2.753624118606233695076e-89, 5.520948362159763189583e-88},
    {-30, 4.906713927148187059534e-198, 1.473646134878547519049e-196},
    {-37, 5.725571222524576822683e-300, 2.120006551524605626852e-298},
  };

  @Test
  void cdfMatchesHighPrecisionReferenceIncludingDeepTails() {
    for (double[] row : REFERENCE) {
      double relative = Math.abs(Normal.cdf(row[0]) - row[1]) / row[1];
      assertTrue(relative <= TOLERANCE,
          "N(" + row[0] + ") = " + Normal.cdf(row[0]) + ", want " + row[1] + " (rel " + relative
              + ")");
    }
  }

  @Test
  void pdfMatchesHighPrecisionReference() {
    for (double[] row : REFERENCE) {
      double relative = Math.abs(Normal.pdf(row[0]) - row[2]) / row[2];
      assertTrue(relative <= TOLERANCE, "n(" + row[0] + ") rel " + relative);
    }
  }

  @Test
  void cdfIsSymmetricAndMonotoneAcrossTheBranchBoundaries() {
    double previous = 0;
    for (double x = -12; x <= 8; x += 0.001) {
      double c = Normal.cdf(x);
      assertTrue(c >= previous, "not monotone at " + x);
      previous = c;
      assertEquals(1.0, c + Normal.cdf(-x), 2e-16, "symmetry at " + x);
    }
  }

  @Test
  void extremesAndNan() {
    assertEquals(0.0, Normal.cdf(-40));
    assertEquals(1.0, Normal.cdf(40));
    assertEquals(0.0, Normal.cdf(Double.NEGATIVE_INFINITY));
    assertEquals(1.0, Normal.cdf(Double.POSITIVE_INFINITY));
    assertTrue(Double.isNaN(Normal.cdf(Double.NaN)));
    assertEquals(0.0, Normal.pdf(Double.POSITIVE_INFINITY));
  }
}
