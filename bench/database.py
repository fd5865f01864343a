"""The benchmark database: its URLs, its creation when missing, its schema at the migrations' head."""
from __future__ import annotations

import os
from dataclasses import dataclass

import psycopg
from sqlalchemy.engine import make_url

# Local defaults: a database of its own, the tables owned by `postgres`, the app connecting as
# the development app role. Override with flags or BENCH_DATABASE_URL / BENCH_DATABASE_OWNER_URL.
DEFAULT_DATABASE = "orchard_bench"
DEFAULT_APP_URL = f"postgresql://orchard_dev_app@127.0.0.1:5432/{DEFAULT_DATABASE}"
DEFAULT_OWNER_URL = f"postgresql://postgres@127.0.0.1:5432/{DEFAULT_DATABASE}"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"


@dataclass(frozen=True)
class Urls:
    app: str            # the role the application connects as (no ownership: RLS applies)
    owner: str          # the role that owns the tables: migrations and data generation
    redis: str | None

    @property
    def app_sqlalchemy(self) -> str:
        return _dialect(self.app, "postgresql+psycopg")

    @property
    def owner_sqlalchemy(self) -> str:
        return _dialect(self.owner, "postgresql+psycopg")

    @property
    def app_psycopg(self) -> str:
        return _dialect(self.app, "postgresql")

    @property
    def owner_psycopg(self) -> str:
        return _dialect(self.owner, "postgresql")

    @property
    def database(self) -> str:
        return make_url(self.app_sqlalchemy).database or ""


def _dialect(url: str, drivername: str) -> str:
    return make_url(url).set(drivername=drivername).render_as_string(hide_password=False)


def resolve_urls(app_url: str | None = None, owner_url: str | None = None, redis_url: str | None = None) -> Urls:
    """Flags first, then BENCH_* environment variables, then the local defaults.

    Given only an app URL, the owner URL is the default owner on that URL's database.
    """
    app_url = app_url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_APP_URL
    owner_url = owner_url or os.environ.get("BENCH_DATABASE_OWNER_URL")
    if not owner_url:
        owner_url = make_url(DEFAULT_OWNER_URL).set(database=make_url(_dialect(app_url, "postgresql")).database)
        owner_url = owner_url.render_as_string(hide_password=False)
    if redis_url is None:
        redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    return Urls(app=app_url, owner=owner_url, redis=redis_url or None)


def ensure_database(urls: Urls) -> bool:
    """Create the database through the owner role when it is missing; True when it was created."""
    url = make_url(urls.owner_sqlalchemy)
    name = url.database
    maintenance = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
        return True


def app_config(urls: Urls) -> dict:
    """Flask settings for an app on the benchmark database (what gunicorn gets through the environment)."""
    return {"SQLALCHEMY_DATABASE_URI": urls.app_sqlalchemy, "DATABASE_OWNER_URL": urls.owner_sqlalchemy,
            "REDIS_URL": None, "RATELIMIT_STORAGE_URI": "memory://", "SECRET_KEY": "bench-secret-key"}


def migrate(urls: Urls) -> None:
    """Bring the schema to the migrations' head (as the owner; the app role gets row rights)."""
    from flask_migrate import upgrade

    from saas import create_app

    app = create_app(app_config(urls))
    with app.app_context():
        upgrade(revision="heads")
        from saas.extensions import db

        db.engine.dispose()


def role_bypasses_rls(url: str) -> bool:
    """Whether the role of `url` is a superuser or has BYPASSRLS (forced RLS does not apply to it)."""
    with psycopg.connect(_dialect(url, "postgresql")) as conn:
        return bool(conn.execute(
            "select rolsuper or rolbypassrls from pg_roles where rolname = current_user").fetchone()[0])
