"""Settings that depend on the database the app connects to."""
from __future__ import annotations

from saas.config import apply_database_options


def test_postgresql_sessions_get_the_ssd_random_page_cost():
    config = {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://app@db/orchard", "POSTGRES_RANDOM_PAGE_COST": "1.1",
              "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True}}
    apply_database_options(config)
    assert config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True,
                                                   "connect_args": {"options": "-c random_page_cost=1.1"}}


def test_sqlite_gets_no_postgresql_options():
    config = {"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db", "POSTGRES_RANDOM_PAGE_COST": "1.1",
              "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True}}
    apply_database_options(config)
    assert config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}
