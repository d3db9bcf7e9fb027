"""Playwright on Debian's Chromium against pytest-django's live server.

Every page records JavaScript console errors, uncaught exceptions, failed requests and any
request to a host other than the live server's, so a test can prove a page is clean and that
its assets are served locally. Requests to other hosts are aborted: tests never touch the network.
"""

import os
import shutil
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.db import connection
from pytest_django.live_server_helper import LiveServer

from opencro.demo import data
from opencro.demo.loader import load_demo
from opencro.studies.models import Study

# The Playwright sync API runs an event loop in this thread; Django must still allow ORM calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "img"
LOCAL_HOSTS = {"localhost", "127.0.0.1"}


# Held by the live server for a whole request and by the test's own queries (see `live_server`); re-entrant, so a
# request's queries go through while it holds it.
_REQUESTS = threading.RLock()


class _SerialStaticFilesHandler(StaticFilesHandler):
    """The live server's handler, one request at a time (the whole response is produced under the lock)."""

    def __call__(self, environ, start_response):
        with _REQUESTS:
            return list(super().__call__(environ, start_response))


def _one_at_a_time(execute, sql, params, many, context):
    """A query of the test's waits for the request in progress (a request's own queries already hold the lock)."""
    with _REQUESTS:
        return execute(sql, params, many, context)


@pytest.fixture(scope="session")
def live_server(request, django_db_setup):
    """pytest-django's live server, started once the test database exists (`django_db_setup`).

    On SQLite the test database is in memory, one shared cache: started before it existed, the server gave each
    request thread a connection of its own, and two connections on one shared cache do not wait for each other's
    table locks, they fail ("database table is locked": a page's background preview beside a query of the test's).
    Started after, the request threads share the test's one connection, and requests are served one at a time with
    the test's own queries waiting for the request in progress. PostgreSQL gives each thread its own connection."""
    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    server = LiveServer(addr, start=False)
    shared = list(server.thread.connections_override.values())
    if shared:
        server.thread.static_handler = _SerialStaticFilesHandler
        for conn in shared:
            conn.execute_wrappers.append(_one_at_a_time)
    server.start()
    yield server
    server.stop()
    for conn in shared:
        conn.execute_wrappers.remove(_one_at_a_time)


class _Chromium:
    """One Playwright and one Chromium per process, however many modules import the `browser` fixture.

    The sync API allows a single running Playwright per thread; a module elsewhere that imports these
    fixtures gets its own session fixture instance, so the instances share this one and count users.
    """

    users = 0
    playwright = None
    browser = None

    @classmethod
    def acquire(cls):
        if cls.browser is None:
            from playwright.sync_api import sync_playwright

            cls.playwright = sync_playwright().start()
            cls.browser = cls.playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        cls.users += 1
        return cls.browser

    @classmethod
    def release(cls) -> None:
        cls.users -= 1
        if cls.users == 0:
            cls.browser.close()
            cls.playwright.stop()
            cls.browser = cls.playwright = None


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")
    chromium = _Chromium.acquire()
    yield chromium
    _Chromium.release()


@dataclass
class Browse:
    """One browser tab on the live server, with what went wrong on it so far."""

    page: object
    base_url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)

    def goto(self, path: str):
        """Open `path` (relative to the live server) and return the response."""
        return self.page.goto(self.base_url + path)

    def login(self, username: str, password: str) -> None:
        self.goto("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        with self.page.expect_navigation():
            self.page.click("main form button[type=submit]")

    def logout(self) -> None:
        with self.page.expect_navigation():
            self.page.click("header form button[type=submit]")

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def problems(self) -> list[str]:
        return [
            *(f"console error: {m}" for m in self.console_errors),
            *(f"page error: {m}" for m in self.page_errors),
            *(f"failed request: {m}" for m in self.failed_requests),
            *(f"request to another host: {m}" for m in self.foreign_requests),
            *(f"error response: {m}" for m in self.bad_responses),
        ]

    def assert_clean(self) -> None:
        assert self.problems() == []


@pytest.fixture
def browse(browser, live_server) -> Browse:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    tab = Browse(page=page, base_url=live_server.url)

    def on_route(route):
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            tab.foreign_requests.append(route.request.url)
            route.abort()

    def on_response(response):
        if response.status >= 400:
            tab.bad_responses.append(f"{response.status} {response.url}")

    page.route("**/*", on_route)
    page.on("console", lambda msg: msg.type == "error" and tab.console_errors.append(f"{msg.text} ({page.url})"))
    page.on("pageerror", lambda exc: tab.page_errors.append(f"{exc} ({page.url})"))
    page.on("requestfailed", lambda req: _record_failure(tab, req))
    page.on("response", on_response)
    yield tab
    context.close()


def _record_failure(tab, request) -> None:
    """Record a request that failed, except one the browser cancelled because the page navigated
    away while it was in flight (net::ERR_ABORTED: a submitted form, a followed link); server
    errors are still caught by status, off-host requests by the router."""
    if request.failure == "net::ERR_ABORTED":
        return
    tab.failed_requests.append(f"{request.url}: {request.failure}")


class _DemoSnapshot:
    """The demo study's database and document bodies as `load_demo` left them, kept once per test process.

    Loading the demo enters a whole study (about a minute and a half); on SQLite the browser tests that need it
    restore this copy instead (the sqlite3 backup API, well under a second), so each process loads it at most once.
    The modules using `demo_study` run on one worker (`--dist loadgroup`: tests/conftest.py `_GroupScheduling`), so
    the demo is loaded once for them all. PostgreSQL loads it each time.
    """

    database: sqlite3.Connection | None = None
    documents: Path | None = None


@pytest.fixture
def demo_study(transactional_db, settings, tmp_path, tmp_path_factory) -> int:
    """The demo study (its id), committed in the test database, its documents in a store of the test's own."""
    documents = tmp_path / "documents"
    settings.OPENCRO_DOCUMENT_STORE = {"BACKEND": "local", "ROOT": str(documents)}
    if connection.vendor != "sqlite":
        load_demo()
    elif _DemoSnapshot.database is None:
        load_demo()
        _DemoSnapshot.documents = tmp_path_factory.mktemp("demo-documents")
        if documents.exists():
            shutil.copytree(documents, _DemoSnapshot.documents, dirs_exist_ok=True)
        _DemoSnapshot.database = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(_DemoSnapshot.database)
    else:
        connection.ensure_connection()
        _DemoSnapshot.database.backup(connection.connection)
        shutil.copytree(_DemoSnapshot.documents, documents, dirs_exist_ok=True)
        ContentType.objects.clear_cache()  # the flush after the last test made content types with other ids
    return Study.objects.get(protocol_number=data.PROTOCOL).pk
