"""Customers drawn from the models themselves (seeded numpy), to check that fitting finds the
parameters they were drawn with, and orders made from them for the job's tests."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np


def bgnbd_purchases(n: int, r: float, alpha: float, a: float, b: float, rng: np.random.Generator,
                    min_age: float = 90.0, max_age: float = 730.0) -> tuple[list[np.ndarray], np.ndarray]:
    """Purchase times (the first at 0) of `n` customers observed for T days each, and T.

    BG/NBD's story: each customer buys at rate lambda ~ Gamma(r, 1/alpha) while active, and after
    each repeat purchase drops out for good with probability p ~ Beta(a, b)."""
    rate = rng.gamma(r, 1.0 / alpha, n)
    dropout = rng.beta(a, b, n)
    age = rng.uniform(min_age, max_age, n)
    times = [[0.0] for _ in range(n)]
    now = np.zeros(n)
    active = np.ones(n, dtype=bool)
    while active.any():
        now = now + rng.exponential(1.0 / rate)
        bought = active & (now < age)
        for i in np.flatnonzero(bought):
            times[i].append(float(now[i]))
        active = bought & (rng.random(n) > dropout)
    return [np.array(t) for t in times], age


def bgnbd_summary(n: int, r: float, alpha: float, a: float, b: float, rng: np.random.Generator,
                  **kw) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frequency, recency, T) of `n` simulated customers, in continuous time."""
    times, age = bgnbd_purchases(n, r, alpha, a, b, rng, **kw)
    frequency = np.array([len(t) - 1 for t in times], dtype=float)
    recency = np.array([t[-1] for t in times])
    return frequency, recency, age


def gamma_gamma_sample(n: int, p: float, q: float, v: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(frequency, mean spend) of `n` customers: spends ~ Gamma(p, 1/nu), nu ~ Gamma(q, 1/v)."""
    frequency = rng.poisson(3.0, n) + 1
    nu = rng.gamma(q, 1.0 / v, n)
    # The mean of x Gamma(p, 1/nu) draws is Gamma(p x, 1/(nu x)).
    mean_spend = rng.gamma(p * frequency, 1.0 / (nu * frequency))
    return frequency.astype(float), mean_spend


def add_simulated_orders(n: int, rng: np.random.Generator, today: date, prefix: str = "Sim") -> int:
    """Contacts with orders drawn from BG/NBD (days) and Gamma-Gamma (amounts), in the workspace in
    context; returns how many orders were made (not committed)."""
    from saas.extensions import db
    from saas.modules.core.models import Contact, Order

    times, age = bgnbd_purchases(n, 0.8, 20.0, 0.7, 3.0, rng, min_age=60, max_age=540)
    contacts = [Contact(name=f"{prefix} {i:04d}", custom={}) for i in range(n)]
    db.session.add_all(contacts)
    db.session.flush()
    count = 0
    for contact, purchase_times, days in zip(contacts, times, age):
        first = today - timedelta(days=int(days))
        nu = rng.gamma(4.0, 1.0 / 150.0)
        for k, t in enumerate(purchase_times):
            amount = Decimal(str(round(float(rng.gamma(5.0, 1.0 / nu)), 2)))
            db.session.add(Order(number=f"{prefix}-{contact.id}-{k}", contact_id=contact.id,
                                 ordered_on=min(today, first + timedelta(days=int(t))), amount=amount,
                                 currency="CNY", status="paid", custom={}))
            count += 1
    db.session.flush()
    return count
