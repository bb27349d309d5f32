"""A quant's worker: vectorised Black-Scholes revaluation in numpy, served as py.bs.*.

    PYTHONPATH=clients/python/src:docs/examples/python \\
        python3 -m calcgrid worker --url http://127.0.0.1:8080 --slots 4 bs_worker

One task prices a whole batch (a book of options, or one option under many spot/vol shocks):
at ~65 ns a price, one task per price would be all overhead.
"""

from math import sqrt

import numpy as np

import calcgrid

try:  # scipy is optional: erf from numpy's vectorised math otherwise
    from scipy.special import ndtr as _ndtr
except ImportError:  # pragma: no cover - depends on the machine
    from math import erf as _erf
    _ndtr = np.vectorize(lambda x: 0.5 * (1.0 + _erf(x / sqrt(2.0))), otypes=[float])


def bs_price(is_call, spot, strike, rate, vol, expiry, dividend_yield=0.0):
    """Black-Scholes-Merton prices of European options; every argument may be an array."""
    spot, strike, vol, expiry = (np.asarray(a, dtype=float) for a in (spot, strike, vol, expiry))
    df_q = np.exp(-dividend_yield * expiry)
    df_r = np.exp(-rate * expiry)
    std = vol * np.sqrt(expiry)
    d1 = (np.log(spot / strike) + (rate - dividend_yield) * expiry + 0.5 * std * std) / std
    d2 = d1 - std
    call = spot * df_q * _ndtr(d1) - strike * df_r * _ndtr(d2)
    put = strike * df_r * _ndtr(-d2) - spot * df_q * _ndtr(-d1)
    return np.where(is_call, call, put)


@calcgrid.fn("py.bs.price", version="1")
def price(task):
    """The params of bs.price (type, spot, strike, rate, vol, expiry, dividendYield): {price}."""
    p = task.params
    value = bs_price(p.get("type", "call") == "call", p["spot"], p["strike"], p["rate"],
                     p["vol"], p["expiry"], p.get("dividendYield", 0.0))
    return {"price": float(value)}


@calcgrid.fn("py.bs.revalue", version="1")
def revalue(task):
    """One option under spot shocks (relative, e.g. [-0.1, 0, 0.1]): {base, pnl: [...]}.

    The P&L vector feeds an aggregation such as util.sum or a VaR.
    """
    p = task.params
    is_call = p.get("type", "call") == "call"
    shocks = np.asarray(p.get("shocks", [0.0]), dtype=float)
    args = (p["strike"], p["rate"], p["vol"], p["expiry"], p.get("dividendYield", 0.0))
    base = float(bs_price(is_call, p["spot"], *args))
    shocked = bs_price(is_call, p["spot"] * (1.0 + shocks), *args)
    return {"base": base, "pnl": (shocked - base) * p.get("quantity", 1.0)}
