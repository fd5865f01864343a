"""Real-browser fixtures: the Orchard app served on a free loopback port from a background thread,
on its own database built by the migrations, with CSRF on, driven by Debian's chromium through
Playwright's sync API (never a downloaded browser). A failing test leaves screenshots under
test-results/."""
from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from werkzeug.serving import make_server

from saas import create_app
from tests.conftest import ON_POSTGRES, REDIS_URL, _base_config, _truncate_all

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
]
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
# Generous waits for a loaded CI machine; they bound how long a broken page is waited for and
# assert nothing about speed.
WAIT_MS = 15_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"e2e_report_{report.when}", report)


@pytest.fixture(scope="package")
def live_app(migrated_database, tmp_path_factory) -> Iterator[Flask]:
    """The app with CSRF enabled on a database of its own, for the browser tests of this package.

    Package-scoped rather than session-scoped so that on PostgreSQL (one database shared with the
    other tests, which expect it empty) the rows it made are wiped as soon as the browser tests end.
    """
    if ON_POSTGRES:
        urls = migrated_database
    else:
        path = tmp_path_factory.mktemp("e2e") / "e2e.sqlite3"
        shutil.copy(migrated_database["template"], path)
        urls = {"app_url": f"sqlite:///{path}", "owner_url": f"sqlite:///{path}"}
    config = _base_config(urls["app_url"], urls["owner_url"])
    # A real server: CSRF checked, errors rendered as the users see them, not raised into the test.
    config.update({"WTF_CSRF_ENABLED": True, "TESTING": False})
    app = create_app(config)
    if REDIS_URL:
        from redis import Redis

        Redis.from_url(REDIS_URL).flushdb()
    yield app
    with app.app_context():
        from saas.extensions import db

        db.session.remove()
        db.engine.dispose()
    if ON_POSTGRES:
        _truncate_all(urls["owner_url"])


@pytest.fixture(scope="package")
def live_server(live_app: Flask) -> Iterator[str]:
    """The base URL of the app served by werkzeug on a free port of 127.0.0.1."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    # Links in mails (invitations, resets) must point at this server.
    live_app.config["BASE_URL"] = base_url
    thread = threading.Thread(target=server.serve_forever, name="orchard-e2e-server", daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    thread.join()


@pytest.fixture
def in_app(live_app: Flask) -> Callable:
    """`with in_app(): ...` runs code against the live app's database in the test process."""

    @contextmanager
    def context():
        with live_app.app_context():
            from saas.extensions import db

            try:
                yield db
            finally:
                db.session.remove()

    return context


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless. Missing chromium fails the run: CI must install it."""
    executable = Path(CHROMIUM)
    if not (executable.is_file() and os.access(executable, os.X_OK)):
        pytest.fail(f"Debian's chromium is not installed at {CHROMIUM}; the browser tests need it "
                    "(`make browser`, or `apt-get install chromium`).", pytrace=False)
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[Callable[..., Page]]:
    """`new_page()` opens a page in a fresh browser context (its own cookies: its own user)."""
    contexts: list[BrowserContext] = []

    def open_page(locale: str = "en-US") -> Page:
        context = browser.new_context(base_url=live_server, locale=locale, viewport={"width": 1280, "height": 860})
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    failed = any(getattr(getattr(request.node, f"e2e_report_{when}", None), "failed", False)
                 for when in ("setup", "call"))
    if failed:
        _save_screenshots(request.node.nodeid, contexts)
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """One page in its own browser context."""
    return new_page()


def _save_screenshots(nodeid: str, contexts: list[BrowserContext]) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)
    for c, context in enumerate(contexts, 1):
        for p, open_page in enumerate(context.pages, 1):
            try:
                open_page.screenshot(path=str(RESULTS_DIR / f"{stem}-context{c}-page{p}.png"), full_page=True)
            except Exception as exc:  # a crashed page must not hide the test's own failure
                print(f"screenshot of {nodeid} failed: {exc}")
