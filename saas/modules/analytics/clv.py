"""Buy-till-you-die models of customer value, with numpy and scipy only.

BG/NBD (Fader, Hardie and Lee 2005, "Counting Your Customers the Easy Way") models the repeat
purchases of each customer as a Poisson process (rate ~ Gamma(r, alpha)) that stops after any
purchase with probability p (p ~ Beta(a, b)). Gamma-Gamma (Fader, Hardie and Lee 2005, "RFM and
CLV: Using Iso-value Curves", and Fader and Hardie's note "The Gamma-Gamma Model of Monetary
Value") models the mean value of a customer's repeat purchases (spend per transaction ~
Gamma(p, nu), nu ~ Gamma(q, v)).

Inputs per customer, as arrays of the same length:
- frequency: repeat purchases, i.e. periods with a purchase after the first one (x);
- recency: time from the first to the last purchase (t_x); T: time from the first purchase to now;
- monetary_value: the mean value of the repeat purchases (used for customers with x > 0 only).

Fitting is maximum likelihood on the papers' closed-form log-likelihoods, computed in log space,
minimised by L-BFGS-B over the logarithms of the parameters (so they stay positive) with the
analytic gradient. Time and money are rescaled before fitting (alpha and v scale with the unit;
r, a, b, p, q do not) so the optimiser sees numbers near 1. Identical customers are counted once
with a weight: real data repeats (x, t_x, T) triples a lot.

A fit that does not converge returns `converged=False` with the optimiser's message; callers keep
their last good fit.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1

__all__ = ["BgNbdParams", "GammaGammaParams", "fit_bgnbd", "expected_purchases", "probability_alive",
           "fit_gamma_gamma", "expected_order_value", "customer_lifetime_value", "bgnbd_log_likelihood",
           "gamma_gamma_log_likelihood"]

MAX_ITERATIONS = 500
LOG_PARAMETER_LIMIT = math.log(1e6)


class BgNbdParams(NamedTuple):
    """Fitted BG/NBD parameters (alpha in the time unit of the data) and the fit's log-likelihood."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    converged: bool = True
    message: str = ""


class GammaGammaParams(NamedTuple):
    """Fitted Gamma-Gamma parameters (v in the money unit of the data) and the fit's log-likelihood."""

    p: float
    q: float
    v: float
    log_likelihood: float
    converged: bool = True
    message: str = ""


def _arrays(*values) -> list[np.ndarray]:
    arrays = [np.asarray(v, dtype=float) for v in values]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    return [np.broadcast_to(a, shape) for a in arrays]


def _compress(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Unique rows of the columns and how often each occurs (the likelihood's weights)."""
    stacked = np.column_stack(columns)
    unique, counts = np.unique(stacked, axis=0, return_counts=True)
    return [unique[:, i] for i in range(unique.shape[1])], counts.astype(float)


# --- BG/NBD --------------------------------------------------------------------------------------

def _bgnbd_terms(r, alpha, a, b, x, t_x, T, x_values=None, x_index=None):
    """Per-customer log-likelihood (eq. 6 of the paper, in log space) and its partial derivatives.

    `x_values`/`x_index` (np.unique of x) let the special functions, which depend on x only, run
    once per distinct purchase count instead of once per customer."""
    if x_values is None:
        x_values, x_index = np.unique(x, return_inverse=True)
    xv = x_values
    # Terms of x alone, per distinct x.
    g_x = (gammaln(r + xv) - gammaln(r) + betaln(a, b + xv) - betaln(a, b))[x_index]
    dg_r = (digamma(r + xv) - digamma(r))[x_index]
    dg_a = (digamma(a + b) - digamma(a + b + xv))[x_index]
    dg_b = (digamma(a + b) + digamma(b + xv) - digamma(b) - digamma(a + b + xv))[x_index]
    # Only for x > 0: log(a / (b + x - 1)); x = 1 makes b + x - 1 = b.
    bx1 = (b + np.maximum(xv, 1) - 1)[x_index]
    repeat = x > 0
    log_alpha_T, log_alpha_tx = np.log(alpha + T), np.log(alpha + t_x)
    a3 = -(r + x) * log_alpha_T
    a4 = np.where(repeat, np.log(a) - np.log(bx1) - (r + x) * log_alpha_tx, -np.inf)
    mix = np.logaddexp(a3, a4)
    ll = g_x + r * np.log(alpha) + mix
    w3, w4 = np.exp(a3 - mix), np.exp(a4 - mix)           # softmax weights of the two terms
    d_r = dg_r + np.log(alpha) - w3 * log_alpha_T - w4 * log_alpha_tx
    d_alpha = r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + t_x)
    d_a = dg_a + w4 / a
    d_b = dg_b - w4 / bx1
    return ll, (d_r, d_alpha, d_a, d_b)


def bgnbd_log_likelihood(params, frequency, recency, T) -> np.ndarray:
    """The BG/NBD log-likelihood of each customer under `params` (r, alpha, a, b, ...)."""
    r, alpha, a, b = params[:4]
    x, t_x, T = _arrays(frequency, recency, T)
    return _bgnbd_terms(r, alpha, a, b, x, t_x, T)[0]


def _check_bgnbd_data(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> None:
    if x.size == 0:
        raise ValueError("no customers to fit")
    if np.any(x < 0) or np.any(t_x < 0) or np.any(T <= 0) or np.any(t_x > T):
        raise ValueError("need frequency >= 0, 0 <= recency <= T and T > 0")
    if np.any((x == 0) & (t_x != 0)):
        raise ValueError("a customer without repeat purchases has recency 0")
    if not np.any(x > 0):
        # The likelihood then grows towards r -> 0, alpha -> infinity: no maximum to find.
        raise ValueError("no customer with repeat purchases")


def _minimise(objective, start: np.ndarray):
    """L-BFGS-B over log-parameters; (result, converged, message)."""
    with np.errstate(all="ignore"):
        result = minimize(objective, start, jac=True, method="L-BFGS-B",
                          options={"maxiter": MAX_ITERATIONS, "ftol": 1e-12, "gtol": 1e-7})
    message = str(result.message)
    finite = bool(np.all(np.isfinite(result.x)) and np.isfinite(result.fun))
    # L-BFGS-B may stop on "ABNORMAL" line searches at an optimum in flat directions: accept a
    # finite point whose projected gradient is small relative to the data.
    converged = finite and (result.success or float(np.max(np.abs(result.jac))) < 1e-3)
    # In rescaled units sensible parameters sit within a few orders of magnitude of 1; one that ran
    # off (data without repeat purchases sends r to 0 and alpha to infinity) is no maximum.
    if finite and np.any(np.abs(result.x) > LOG_PARAMETER_LIMIT):
        converged, message = False, f"a parameter ran to the boundary of its range ({message})"
    return result, converged, message


def fit_bgnbd(frequency, recency, T, start: tuple[float, float, float, float] | None = None) -> BgNbdParams:
    """Fit BG/NBD by maximum likelihood; returns r, alpha, a, b, the log-likelihood and `converged`."""
    x0, tx0, T0 = (a.ravel() for a in _arrays(frequency, recency, T))
    _check_bgnbd_data(x0, tx0, T0)
    scale = 10.0 / float(np.max(T0))           # time unit with the oldest customer at 10
    (x, t_x, age), weight = _compress(x0, tx0 * scale, T0 * scale)
    x_values, x_index = np.unique(x, return_inverse=True)
    total = float(weight.sum())

    def objective(theta):
        r, alpha, a, b = np.exp(theta)
        ll, grads = _bgnbd_terms(r, alpha, a, b, x, t_x, age, x_values, x_index)
        value = -float(np.sum(weight * ll)) / total
        gradient = -np.array([float(np.sum(weight * g)) for g in grads]) * np.array([r, alpha, a, b]) / total
        if not np.isfinite(value) or not np.all(np.isfinite(gradient)):
            return np.inf, np.zeros(4)
        return value, gradient

    if start is None:
        begin = np.zeros(4)
    else:
        r0, alpha0, a0, b0 = start
        begin = np.log([r0, alpha0 * scale, a0, b0])
    result, converged, message = _minimise(objective, begin)
    r, alpha, a, b = np.exp(result.x)
    # The log-likelihood in the data's own time unit: alpha^r changes with the unit, as does
    # (alpha + T)^(r + x); the sum differs from the scaled one by a constant.
    alpha = alpha / scale
    ll = float(np.sum(weight * _bgnbd_terms(r, alpha, a, b, x, t_x / scale, age / scale, x_values, x_index)[0]))
    if not np.isfinite(ll):
        converged = False
    return BgNbdParams(float(r), float(alpha), float(a), float(b), ll, converged, message)


def _log_not_alive_odds(params, x, t_x, T) -> np.ndarray:
    """log(a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)) for x > 0, -inf for x = 0."""
    r, alpha, a, b = params[:4]
    bx1 = b + np.maximum(x, 1) - 1
    log_odds = np.log(a) - np.log(bx1) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    return np.where(x > 0, log_odds, -np.inf)


def probability_alive(params, frequency, recency, T) -> np.ndarray:
    """P(still active | x, t_x, T) = 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x))."""
    x, t_x, T = _arrays(frequency, recency, T)
    with np.errstate(over="ignore"):
        return np.exp(-np.logaddexp(0.0, _log_not_alive_odds(params, x, t_x, T)))


def expected_purchases(params, t, frequency, recency, T) -> np.ndarray:
    """E[purchases in the next t | x, t_x, T] (eq. 10 of the paper, with the Gaussian hypergeometric 2F1):

    (a + b + x - 1) / (a - 1) * [1 - ((alpha + T) / (alpha + T + t))^(r + x) 2F1(r + x, b + x; a + b + x - 1;
    t / (alpha + T + t))] / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)).
    """
    r, alpha, a, b = params[:4]
    t, x, t_x, T = _arrays(t, frequency, recency, T)
    with np.errstate(all="ignore"):
        z = t / (alpha + T + t)
        log_ratio = (r + x) * (np.log(alpha + T) - np.log(alpha + T + t))
        bracket = 1.0 - np.exp(log_ratio) * hyp2f1(r + x, b + x, a + b + x - 1.0, z)
        numerator = (a + b + x - 1.0) / (a - 1.0) * bracket
        result = numerator * np.exp(-np.logaddexp(0.0, _log_not_alive_odds(params, x, t_x, T)))
    return np.where(t > 0, result, 0.0)


# --- Gamma-Gamma ---------------------------------------------------------------------------------

def _gg_terms(p, q, v, x, m, x_values=None, x_index=None):
    """Per-customer log-likelihood of the mean spend m over x transactions, and its derivatives."""
    if x_values is None:
        x_values, x_index = np.unique(x, return_inverse=True)
    pxv = p * x_values
    g_x = (gammaln(pxv + q) - gammaln(pxv) - gammaln(q) + pxv * np.log(x_values))[x_index]
    dg_p = (x_values * (digamma(pxv + q) - digamma(pxv) + np.log(x_values)))[x_index]
    dg_q = (digamma(pxv + q) - digamma(q))[x_index]
    px = p * x
    log_m, log_total = np.log(m), np.log(x * m + v)
    ll = g_x + q * np.log(v) + (px - 1) * log_m - (px + q) * log_total
    d_p = dg_p + x * (log_m - log_total)
    d_q = dg_q + np.log(v) - log_total
    d_v = q / v - (px + q) / (x * m + v)
    return ll, (d_p, d_q, d_v)


def gamma_gamma_log_likelihood(params, frequency, monetary_value) -> np.ndarray:
    """The Gamma-Gamma log-likelihood of each customer with x > 0 and a positive mean spend."""
    p, q, v = params[:3]
    x, m = _arrays(frequency, monetary_value)
    keep = (x > 0) & (m > 0)
    return _gg_terms(p, q, v, x[keep], m[keep])[0]


def fit_gamma_gamma(frequency, monetary_value, start: tuple[float, float, float] | None = None) -> GammaGammaParams:
    """Fit Gamma-Gamma on the customers with repeat purchases and a positive mean spend; p, q, v."""
    x, m = _arrays(frequency, monetary_value)
    keep = (x > 0) & (m > 0)
    x, m = x[keep].ravel(), m[keep].ravel()
    if x.size == 0:
        raise ValueError("no customer with repeat purchases and a positive spend")
    scale = 1.0 / float(np.mean(m))             # money unit with the mean spend at 1
    (xs, ms), weight = _compress(x, m * scale)
    x_values, x_index = np.unique(xs, return_inverse=True)
    total = float(weight.sum())

    def objective(theta):
        p, q, v = np.exp(theta)
        ll, grads = _gg_terms(p, q, v, xs, ms, x_values, x_index)
        value = -float(np.sum(weight * ll)) / total
        gradient = -np.array([float(np.sum(weight * g)) for g in grads]) * np.array([p, q, v]) / total
        if not np.isfinite(value) or not np.all(np.isfinite(gradient)):
            return np.inf, np.zeros(3)
        return value, gradient

    begin = np.zeros(3) if start is None else np.log([start[0], start[1], start[2] * scale])
    result, converged, message = _minimise(objective, begin)
    p, q, v = np.exp(result.x)
    v = v / scale
    ll = float(np.sum(gamma_gamma_log_likelihood((p, q, v), x, m)))
    if not np.isfinite(ll):
        converged = False
    return GammaGammaParams(float(p), float(q), float(v), ll, converged, message)


def expected_order_value(params, frequency, monetary_value) -> np.ndarray:
    """E[mean spend | p, q, v, x, m] = p (v + x m) / (p x + q - 1); for x = 0 the population mean p v / (q - 1)."""
    p, q, v = params[:3]
    x, m = _arrays(frequency, monetary_value)
    m = np.where(x > 0, np.nan_to_num(m), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = p * (v + x * m) / (p * x + q - 1.0)
    # With q <= 1 the population mean is infinite: no sensible value for customers without repeats.
    return np.where(p * x + q - 1.0 > 0, value, np.nan)


def customer_lifetime_value(bgnbd, gamma_gamma, t, frequency, recency, T, monetary_value) -> np.ndarray:
    """Predicted value over the next t: expected purchases times the expected order value (undiscounted)."""
    return (expected_purchases(bgnbd, t, frequency, recency, T)
            * expected_order_value(gamma_gamma, frequency, monetary_value))
