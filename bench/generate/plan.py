"""What one generated workspace holds while its tables are written: its ids, its members, its
random stream (seeded per workspace, so a seed gives the same data in any order)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

BENCH_EMAIL_DOMAIN = "bench.example"
BENCH_PASSWORD = "bench-password-2026"
LOAD_USER_EMAIL = f"load@{BENCH_EMAIL_DOMAIN}"     # owner of the largest workspace; the HTTP load logs in as it


class Ids:
    """Hands out primary keys per table, after the largest id already in the database.

    The generators choose ids themselves so rows of one workspace can reference each other
    (composite (tenant_id, id) keys) before anything is written; sequences are moved past them at the end.
    """

    def __init__(self, start_after: dict[str, int]):
        self._last = dict(start_after)

    def start_after(self, table: str, last: int) -> None:
        self._last[table] = max(self._last.get(table, 0), last)

    def next(self, table: str) -> int:
        self._last[table] = self._last.get(table, 0) + 1
        return self._last[table]

    def block(self, table: str, n: int) -> range:
        first = self._last.get(table, 0) + 1
        self._last[table] = first + n - 1
        return range(first, first + n)

    def used(self) -> dict[str, int]:
        return dict(self._last)


@dataclass
class WorkspacePlan:
    index: int
    tenant_id: int
    slug: str
    name: str
    size: int                          # contacts to generate
    member_ids: list[int]              # users of the workspace, the owner first
    rng: random.Random
    ids: Ids
    object_ids: dict[str, int] = field(default_factory=dict)   # object key -> object_definitions.id
    has_version: bool = False                                   # a metadata_versions row exists
    company_ids: list[int] = field(default_factory=list)
    contacts: list[tuple[int, int | None]] = field(default_factory=list)   # (id, company_id)

    def owner_of_record(self) -> int:
        """A record owner: skewed towards the first members, as sales teams are."""
        m = self.member_ids
        return m[min(len(m) - 1, int(self.rng.paretovariate(1.5)) - 1)]


def seeded(seed: int, *parts: object) -> random.Random:
    """An independent random stream for (seed, parts): reproducible across runs and machines."""
    return random.Random(":".join(str(p) for p in (seed, *parts)))


def members_for(size: int) -> int:
    """Users of a workspace of `size` contacts: one owner for the small ones, a team for the large."""
    return max(1, min(50, size // 1500))
