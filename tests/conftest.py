"""Test fixtures: a database built by the migrations (SQLite by default; PostgreSQL and Redis
when DATABASE_URL / REDIS_URL point at them), an app per test, clients logged in as users of
two workspaces, and factories."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from saas import create_app
from tests import factories

DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql"))
REDIS_URL = os.environ.get("REDIS_URL") or None


def pytest_configure(config):
    if os.environ.get("REQUIRE_POSTGRES") and not ON_POSTGRES:
        raise pytest.UsageError("REQUIRE_POSTGRES is set but DATABASE_URL is not a PostgreSQL URL")


def _base_config(database_url: str, owner_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DATABASE_OWNER_URL": owner_url,
        "WTF_CSRF_ENABLED": False,
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_STORAGE_URI": REDIS_URL or "memory://",
        "SERVER_NAME": None,
        "BASE_URL": "http://localhost",
        "PASSWORD_HASH_PROFILE": "test",
    }


def _pg_urls() -> tuple[str, str]:
    from saas.config import _sqlalchemy_url

    app_url = _sqlalchemy_url(DATABASE_URL)
    owner_url = _sqlalchemy_url(os.environ.get("DATABASE_OWNER_URL", DATABASE_URL))
    return app_url, owner_url


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A database at the migrations' head: built once per run, from the migrations."""
    from flask_migrate import upgrade

    if ON_POSTGRES:
        app_url, owner_url = _pg_urls()
        engine = create_engine(owner_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        app = create_app(_base_config(app_url, owner_url))
        with app.app_context():
            upgrade(revision="heads")
        yield {"app_url": app_url, "owner_url": owner_url}
    else:
        template = tmp_path_factory.mktemp("db") / "template.sqlite3"
        url = f"sqlite:///{template}"
        app = create_app(_base_config(url, url))
        with app.app_context():
            upgrade(revision="heads")
        yield {"template": template}


@pytest.fixture
def database(migrated_database, tmp_path):
    """URLs of a clean database for one test."""
    if ON_POSTGRES:
        yield migrated_database
        _truncate_all(migrated_database["owner_url"])
    else:
        path = tmp_path / "test.sqlite3"
        shutil.copy(migrated_database["template"], path)
        yield {"app_url": f"sqlite:///{path}", "owner_url": f"sqlite:///{path}"}


def _truncate_all(owner_url: str) -> None:
    engine = create_engine(owner_url)
    with engine.begin() as conn:
        tables = conn.execute(text(
            "select tablename from pg_tables where schemaname = 'public' and tablename <> 'alembic_version'"
        )).scalars().all()
        if tables:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def app(database):
    app = create_app(_base_config(database["app_url"], database["owner_url"]))
    if REDIS_URL:
        from redis import Redis

        Redis.from_url(REDIS_URL).flushdb()
    with app.app_context():
        yield app
        from saas.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def two_workspaces(app):
    """Workspace A and workspace B, each with an owner: the shape of every isolation test."""
    a = factories.workspace_with_owner("Alpha Trading", "owner@alpha.example")
    b = factories.workspace_with_owner("Beta Foods", "owner@beta.example")
    return a, b


def login(client, email: str, password: str = factories.PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def login_as():
    return login
