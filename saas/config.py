"""Settings from environment variables, each with a default that works on a laptop."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept under instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _sqlalchemy_url(url: str) -> str:
    # Heroku-style URLs name the dialect "postgres"; psycopg 3 is the driver we install.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def apply_database_options(config: dict) -> None:
    """Session settings PostgreSQL gets on every connection of the app.

    random_page_cost: PostgreSQL's default (4) prices a random read as on a spinning disk, and then
    prefers walking the primary key with a filter over a field's own index; on SSDs 1.1 is right.
    """
    if not str(config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        return
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("options", f"-c random_page_cost={float(config['POSTGRES_RANDOM_PAGE_COST']):g}")
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}


def load(instance_path: str) -> dict:
    """Build the Flask config mapping from the environment."""
    instance = Path(instance_path)
    default_db = f"sqlite:///{instance / 'orchard.sqlite3'}"
    database_url = _sqlalchemy_url(os.environ.get("DATABASE_URL", default_db))
    owner_url = _sqlalchemy_url(os.environ.get("DATABASE_OWNER_URL", database_url))
    redis_url = os.environ.get("REDIS_URL") or None
    return {
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Migrations run as the role that owns the tables; the app connects as one that does not.
        "DATABASE_OWNER_URL": owner_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "POSTGRES_RANDOM_PAGE_COST": os.environ.get("POSTGRES_RANDOM_PAGE_COST", "1.1"),
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # A moving window: ten tries are ten tries, whatever the clock's minute boundary.
        "RATELIMIT_STRATEGY": "moving-window",
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "WTF_CSRF_TIME_LIMIT": None,
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Orchard <no-reply@orchard.localhost>"),
        "SMTP_HOST": os.environ.get("SMTP_HOST") or None,
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "587")),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _bool("SMTP_STARTTLS", True),
        "INVITATION_MAX_AGE_DAYS": int(os.environ.get("INVITATION_MAX_AGE_DAYS", "7")),
        "PASSWORD_RESET_MAX_AGE_HOURS": int(os.environ.get("PASSWORD_RESET_MAX_AGE_HOURS", "2")),
        "STRIPE_API_KEY": os.environ.get("STRIPE_API_KEY") or None,
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET") or None,
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE") or None,
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT") or None,
        "WEBHOOK_DISABLE_AFTER": int(os.environ.get("WEBHOOK_DISABLE_AFTER", "10")),
        "WEBHOOK_TIMEOUT": float(os.environ.get("WEBHOOK_TIMEOUT", "10")),
        "LANGUAGES": {"en": "English", "zh_Hans": "简体中文", "zh_Hant": "繁體中文"},
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
    }
