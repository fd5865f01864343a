"""What every benchmark gets: the URLs, the scale, the app, connections as each role, the dataset."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import psycopg
from flask import Flask

from bench.database import Urls, app_config
from bench.generate import slug
from bench.progress import Progress
from bench.scales import Scale


@dataclass(frozen=True)
class WorkspaceRef:
    tenant_id: int
    slug: str
    contacts: int


@dataclass
class BenchContext:
    urls: Urls
    scale: Scale
    seed: int
    progress: Progress = field(default_factory=Progress)
    notes: list[str] = field(default_factory=list)      # lines for the results page header

    @cached_property
    def app(self) -> Flask:
        """The application on the benchmark database, connected as the app role."""
        from saas import create_app

        return create_app(app_config(self.urls))

    def connect(self, role: str = "app") -> psycopg.Connection:
        """A new psycopg connection as the app role (RLS applies), with the session settings the
        app's own connections get, or as the owner."""
        if role != "app":
            return psycopg.connect(self.urls.owner_psycopg)
        connect_args = self.app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args", {})
        return psycopg.connect(self.urls.app_psycopg, **connect_args)

    @cached_property
    def largest(self) -> WorkspaceRef:
        """The largest generated workspace: where the list and job benchmarks look."""
        return self.workspace(0)

    def workspace(self, index: int) -> WorkspaceRef:
        with self.connect("owner") as conn:
            tenant_id = conn.execute("select id from workspaces where slug = %s", (slug(index),)).fetchone()[0]
            conn.execute("select set_config('app.tenant_id', %s, false)", (str(tenant_id),))
            contacts = conn.execute("select count(*) from contacts where tenant_id = %s", (tenant_id,)).fetchone()[0]
        return WorkspaceRef(tenant_id, slug(index), contacts)

    def timed(self):
        """(warmup, repeat) of this scale."""
        return self.scale.warmup, self.scale.repeat
