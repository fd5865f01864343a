"""The BG/NBD and Gamma-Gamma models: they find the parameters of data drawn from them, and their
predictions match the papers' closed forms computed here by hand (plain floats, the 2F1 series)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from saas.modules.analytics import clv
from tests.analytics.value.simulate import bgnbd_summary, gamma_gamma_sample

BG = clv.BgNbdParams(r=0.25, alpha=4.0, a=0.8, b=2.5, log_likelihood=0.0)
GG = clv.GammaGammaParams(p=6.0, q=4.0, v=15.0, log_likelihood=0.0)


def _hyp2f1(a: float, b: float, c: float, z: float, terms: int = 400) -> float:
    """The Gaussian hypergeometric series, term by term (|z| < 1)."""
    total, term = 1.0, 1.0
    for k in range(terms):
        term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z
        total += term
    return total


def test_bgnbd_recovers_the_parameters_it_was_drawn_with():
    rng = np.random.default_rng(0)
    frequency, recency, age = bgnbd_summary(8000, r=0.5, alpha=10.0, a=0.7, b=3.0, rng=rng)
    fit = clv.fit_bgnbd(frequency, recency, age)
    assert fit.converged, fit.message
    assert fit.r == pytest.approx(0.5, rel=0.10)
    assert fit.alpha == pytest.approx(10.0, rel=0.10)
    assert fit.a == pytest.approx(0.7, rel=0.15)
    assert fit.b == pytest.approx(3.0, rel=0.15)
    # The maximum: the drawing parameters fit this data no better than the fitted ones.
    truth = clv.bgnbd_log_likelihood((0.5, 10.0, 0.7, 3.0), frequency, recency, age).sum()
    assert fit.log_likelihood >= truth


def test_gamma_gamma_recovers_the_parameters_it_was_drawn_with():
    rng = np.random.default_rng(0)
    frequency, spend = gamma_gamma_sample(6000, p=6.0, q=4.0, v=15.0, rng=rng)
    fit = clv.fit_gamma_gamma(frequency, spend)
    assert fit.converged, fit.message
    assert fit.p == pytest.approx(6.0, rel=0.20)
    assert fit.q == pytest.approx(4.0, rel=0.10)
    assert fit.v == pytest.approx(15.0, rel=0.25)
    # What the model says of the population's mean spend is sharper than p and v alone.
    assert fit.p * fit.v / (fit.q - 1) == pytest.approx(6.0 * 15.0 / 3.0, rel=0.05)
    assert fit.log_likelihood >= clv.gamma_gamma_log_likelihood((6.0, 4.0, 15.0), frequency, spend).sum()


def test_fitting_does_not_depend_on_the_time_unit():
    rng = np.random.default_rng(3)
    frequency, recency, age = bgnbd_summary(3000, r=0.5, alpha=10.0, a=0.7, b=3.0, rng=rng)
    days = clv.fit_bgnbd(frequency, recency, age)
    weeks = clv.fit_bgnbd(frequency, recency / 7, age / 7)
    assert weeks.r == pytest.approx(days.r, rel=1e-3)
    assert weeks.alpha * 7 == pytest.approx(days.alpha, rel=1e-3)
    assert weeks.a == pytest.approx(days.a, rel=1e-3) and weeks.b == pytest.approx(days.b, rel=1e-3)


def test_probability_alive_by_hand():
    r, alpha, a, b = BG[:4]
    x, t_x, T = 2, 30.0, 60.0
    by_hand = 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x))
    got = clv.probability_alive(BG, [x, 0, 5], [t_x, 0, 60.0], [T, 60.0, 60.0])
    assert got[0] == pytest.approx(by_hand, rel=1e-12)
    assert got[1] == 1.0                               # no repeat purchase yet: not seen to drop out
    # Bought today: only the chance of dropping out right after this purchase, a / (b + x - 1).
    assert got[2] == pytest.approx(1 / (1 + a / (b + 5 - 1)), rel=1e-12)


def test_expected_purchases_by_hand():
    r, alpha, a, b = BG[:4]
    x, t_x, T, t = 2, 30.0, 60.0, 30.0
    z = t / (alpha + T + t)
    bracket = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * _hyp2f1(r + x, b + x, a + b + x - 1, z)
    numerator = (a + b + x - 1) / (a - 1) * bracket
    by_hand = numerator / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x))
    got = clv.expected_purchases(BG, t, x, t_x, T)
    assert float(got) == pytest.approx(by_hand, rel=1e-9)
    # A new customer (x = 0): no dropout term.
    z0 = t / (alpha + T + t)
    new = (a + b - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** r * _hyp2f1(r, b, a + b - 1, z0))
    assert float(clv.expected_purchases(BG, t, 0, 0, T)) == pytest.approx(new, rel=1e-9)
    # Vectorised over horizons, increasing with the horizon; nothing in no time.
    horizons = clv.expected_purchases(BG, [0, 30, 90, 365], x, t_x, T)
    assert horizons[0] == 0 and list(horizons) == sorted(horizons)


def test_expected_purchases_of_a_new_customer_match_the_unconditional_mean():
    # For x = 0 observed over T -> 0, the conditional expectation tends to E[X(t)] (eq. 7 of the paper):
    # (a + b - 1) / (a - 1) * [1 - (alpha / (alpha + t))^r 2F1(r, b; a + b - 1; t / (alpha + t))].
    r, alpha, a, b = 0.5, 10.0, 1.5, 3.0
    t = 50.0
    unconditional = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * _hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    got = clv.expected_purchases((r, alpha, a, b), t, 0, 0, 1e-9)
    assert float(got) == pytest.approx(unconditional, rel=1e-6)


def test_expected_order_value_by_hand():
    p, q, v = GG[:3]
    # Weighted between the population mean p v / (q - 1) and the customer's own mean m.
    x, m = 3, 20.0
    by_hand = p * (v + x * m) / (p * x + q - 1)
    assert by_hand == pytest.approx(450 / 21)
    got = clv.expected_order_value(GG, [x, 0], [m, 0.0])
    assert got[0] == pytest.approx(by_hand, rel=1e-12)
    assert got[1] == pytest.approx(p * v / (q - 1), rel=1e-12)        # no repeat purchase: the population's


def test_lifetime_value_is_purchases_times_order_value():
    value = clv.customer_lifetime_value(BG, GG, 365, [2], [30.0], [60.0], [20.0])
    expected = clv.expected_purchases(BG, 365, 2, 30.0, 60.0) * clv.expected_order_value(GG, 2, 20.0)
    assert value[0] == pytest.approx(float(expected))


def test_log_space_keeps_heavy_buyers_finite():
    # (alpha + T) / (alpha + t_x) to the power r + x overflows a float for x in the thousands.
    alive = clv.probability_alive(BG, [3000, 3000], [10.0, 1000.0], [1000.0, 1000.0])
    assert np.all(np.isfinite(alive)) and alive[0] == 0.0
    assert alive[1] == pytest.approx(1 / (1 + 0.8 / (2.5 + 2999)))
    ll = clv.bgnbd_log_likelihood(BG, [3000], [10.0], [1000.0])
    assert np.isfinite(ll).all()


def test_a_fit_that_runs_off_says_it_did_not_converge():
    # An objective whose infimum lies at infinity: the optimiser stops somewhere far out.
    def objective(theta):
        return float(np.exp(-theta[0])), np.array([-np.exp(-theta[0])])

    _result, converged, message = clv._minimise(objective, np.zeros(1))
    assert not converged and "boundary" in message


def test_no_repeat_purchase_is_nothing_to_fit():
    with pytest.raises(ValueError):
        clv.fit_bgnbd(np.zeros(50), np.zeros(50), np.full(50, 100.0))


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        clv.fit_bgnbd([1, 0], [20.0, 0], [10.0, 5.0])          # recency beyond T
    with pytest.raises(ValueError):
        clv.fit_gamma_gamma([0, 0], [0.0, 0.0])                 # no repeat purchases at all
