"""Scales: how much data the generators make and how hard the benchmarks press."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    workspaces: int        # how many workspaces
    largest: int           # contacts in the largest workspace
    smallest: int          # contacts in the smallest ones
    skew: float            # Zipf exponent of workspace sizes: a few large, many small
    warmup: int            # untimed runs before each measured query
    repeat: int            # timed runs of each query
    http_seconds: int      # each HTTP load run stops after this long ...
    http_requests: int     # ... or after this many requests, whichever comes first

    def workspace_sizes(self) -> list[int]:
        """Contacts per workspace, largest first: size_i = largest / (i + 1) ** skew."""
        return [max(self.smallest, round(self.largest / (i + 1) ** self.skew)) for i in range(self.workspaces)]


SCALES = {s.name: s for s in (
    # tiny: the tests; the figures mean nothing at this size.
    Scale("tiny", workspaces=3, largest=120, smallest=8, skew=1.5, warmup=1, repeat=3,
          http_seconds=2, http_requests=200),
    Scale("small", workspaces=40, largest=30_000, smallest=25, skew=1.5, warmup=5, repeat=30,
          http_seconds=10, http_requests=50_000),
    Scale("medium", workspaces=200, largest=200_000, smallest=30, skew=1.5, warmup=5, repeat=50,
          http_seconds=20, http_requests=200_000),
    Scale("large", workspaces=1000, largest=1_000_000, smallest=30, skew=1.5, warmup=5, repeat=50,
          http_seconds=30, http_requests=500_000),
    # one_million: one workspace of 1,000,000 contacts beside two smaller ones, without the 1,000
    # workspaces of `large` (the API load benchmark's size; generated in minutes, not hours).
    Scale("one_million", workspaces=3, largest=1_000_000, smallest=10_000, skew=4.0, warmup=5, repeat=50,
          http_seconds=20, http_requests=200_000),
)}
