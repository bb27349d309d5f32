package com.calcgrid.calc.pricing;

/**
 * A European option's price and sensitivities, per one unit of underlying.
 *
 * @param price present value
 * @param delta dV/dS
 * @param gamma d2V/dS2
 * @param vega dV/dvol per 1.00 of volatility (divide by 100 for "per vol point")
 * @param theta dV/dt per year of calendar time passing (expiry shrinking), usually negative;
 *     divide by 365 for one calendar day
 * @param rho dV/drate per 1.00 of rate (divide by 100 for "per 1%")
 */
public record Greeks(
    double price, double delta, double gamma, double vega, double theta, double rho) {}
