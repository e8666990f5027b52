"""Browser tests: Sovet served by uvicorn in a thread of the test process, driven by Chromium.

In-process, the server shares the test's database and the in-memory channel layer: what a test
builds through the actions is what the pages show, and the live events an action sends after
commit reach every open page, as with one server process in production.

Playwright's sync API keeps its event loop marked as running in the test's thread for as long as
it runs. Django then refuses the ORM there (SynchronousOnlyOperation), and asgiref refuses
async_to_sync, which every action that publishes a live event calls after commit. So the browser
starts when a test first asks for a person, once its fixtures have built the data, and stops
before the database is emptied; Django work in between goes through `in_django`.
"""

import logging
import os
import re
import shutil
import socket
import subprocess
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import uvicorn
from django.conf import settings
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.test import Client
from playwright.sync_api import Page, expect, sync_playwright

DEBIAN_CHROMIUM = "/usr/bin/chromium"
# Root in a container needs --no-sandbox; the rest keep Chromium, on a machine without network,
# from trying to reach Google's services again and again.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

expect.set_options(timeout=TIMEOUT_MS)


def in_django(function, *args, **kwargs):
    """Run Django work while the browser runs: in a thread of its own, where no loop runs,
    closing the connections it opened there."""

    def work():
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


# Chromium and the server, once


@pytest.fixture(scope="session")
def chromium() -> str:
    """Return Chromium's path; install Debian's package if missing and root, else skip."""
    if found := _chromium():
        return found
    if os.geteuid() != 0:
        pytest.skip(
            "browser tests need Chromium: no `chromium` on PATH nor at /usr/bin/chromium "
            "(install it with `apt-get install chromium` as root)"
        )
    try:
        subprocess.run(
            ["apt-get", "install", "-y", "chromium"],
            check=True,
            capture_output=True,
            timeout=600,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    except (OSError, subprocess.SubprocessError) as failure:
        pytest.skip(f"browser tests need Chromium; `apt-get install -y chromium` failed: {failure}")
    if found := _chromium():
        return found
    pytest.skip("browser tests need Chromium; `apt-get install -y chromium` did not provide it")


def _chromium() -> str | None:
    return shutil.which("chromium") or (
        DEBIAN_CHROMIUM if os.access(DEBIAN_CHROMIUM, os.X_OK) else None
    )


class _Server(uvicorn.Server):
    """uvicorn that says when it listens."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = threading.Event()

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets=sockets)
        self.listening.set()


@pytest.fixture(scope="package")
def server_url():
    """Serve sovet.asgi on a free port of 127.0.0.1 from a thread; return its address."""
    from sovet.asgi import application

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    # log_config=None: uvicorn's records go to the logging set up by Django's settings.
    config = uvicorn.Config(application, lifespan="off", log_config=None, log_level="warning")
    server = _Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="uvicorn", daemon=True
    )
    thread.start()
    if not server.listening.wait(TIMEOUT_MS / 1000):
        pytest.fail("uvicorn did not start listening within 10 s")
    host, port = listener.getsockname()
    yield f"http://{host}:{port}"
    server.should_exit = True
    thread.join(TIMEOUT_MS / 1000)
    listener.close()


# The server for one test


class _Errors(logging.Handler):
    """Keep the server's errors (an exception in a view or consumer, a failed response)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(f"{record.name}: {self.format(record)}")


@pytest.fixture
def live(server_url, transactional_db):
    """The server, seeing what the test commits; the test fails on any error the server logs.

    transactional_db: the server's threads see only committed data, and live events leave only
    after commit.
    """
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    with warnings.catch_warnings(), pytest.MonkeyPatch.context() as patch:
        # Django warns so for every static file WhiteNoise streams under ASGI. The settings
        # silence it; during a test, pytest's filters (warnings as errors) stand in for theirs.
        warnings.filterwarnings(
            "ignore", "StreamingHttpResponse must consume synchronous iterators", Warning
        )
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            # Connections to a shared in-memory database lock whole tables and do not wait
            # for each other; the server's threads use the test's connection instead, as
            # Django's LiveServerTestCase does.
            shared = connections[DEFAULT_DB_ALIAS]
            shared.inc_thread_sharing()
            create = connections.create_connection
            patch.setattr(
                connections,
                "create_connection",
                lambda alias: shared if alias == DEFAULT_DB_ALIAS else create(alias),
            )
        else:
            # A server thread closes its connection after each request or consumer call,
            # so none is left open when the test database is emptied or dropped.
            patch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
        try:
            yield server_url
        finally:
            logging.getLogger().removeHandler(errors)
            if connection.vendor == "sqlite" and connection.is_in_memory_db():
                shared.dec_thread_sharing()
    if connection.vendor == "sqlite":
        _empty_past_triggers()
    assert not errors.seen, "the server logged errors:\n" + "\n".join(errors.seen)


def _empty_past_triggers() -> None:
    """Empty every table with the record's append-only triggers lifted, then restore them.

    transactional_db empties the tables with DELETE, which the triggers refuse on SQLite (on
    PostgreSQL the tests may TRUNCATE, see tests/conftest.py). Here, in one transaction, the
    tables are emptied and the triggers put back; transactional_db then finds nothing to delete.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        triggers = cursor.fetchall()
        for name, _ in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        tables = connection.introspection.django_table_names(only_existing=True)
        connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables))
        for _, sql in triggers:
            cursor.execute(sql)


# People at their browsers


class Person:
    """Someone at their own browser (a context: their cookies); `open` gives them a tab."""

    def __init__(self, context, errors: list[str]) -> None:
        self.context = context
        self._errors = errors
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", self._watch)

    def _watch(self, page) -> None:
        def console(message) -> None:
            # The browser asks for /favicon.ico by itself; Sovet has none, and no page asks.
            if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
                self._errors.append(f"console error on {page.url}: {message.text}")

        page.on("console", console)
        page.on("pageerror", lambda error: self._errors.append(f"{page.url}: {error}"))

    def open(self, path: str):
        """Open `path` in a new tab; return the tab once the page arrives, before it loads.

        Pages opened one after the other load side by side; expect() waits for what is on them.
        """
        page = self.context.new_page()
        page.goto(path, wait_until="commit")
        return page


class Browsers:
    """The people of a test, each at their own browser; one Chromium, started on first use."""

    def __init__(self, base_url: str, chromium: str, test: str) -> None:
        self.base_url = base_url
        self.errors: list[str] = []
        self._chromium = chromium
        self._test = re.sub(r"[^\w.-]+", "-", test).strip("-")
        self._playwright = None
        self._browser = None
        self._contexts: list = []

    def _context(self, phone: bool, cookie: str | None = None):
        if self._browser is None:
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=self._chromium, headless=True, args=CHROMIUM_FLAGS
            )
        context = self._browser.new_context(base_url=self.base_url, **(PHONE if phone else DESKTOP))
        if cookie is not None:
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": self.base_url}]
            )
        self._contexts.append(context)
        return context

    def person(self, user, *, phone: bool = False) -> Person:
        """Return `user` at a browser of their own, signed in with a session cookie."""
        return Person(self._context(phone, in_django(_session_cookie, user)), self.errors)

    def sign_in(self, username: str, password: str, *, phone: bool = False) -> Person:
        """Return someone at a browser of their own who signed in through the sign-in page."""
        person = Person(self._context(phone), self.errors)
        page = person.open("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("navigation", name="Account")).to_contain_text(username)
        page.close()
        return person

    def screenshot(self, target, name: str) -> None:
        """Save a whole page (or one element of it) as var/screenshots/<test>-<name>.png."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self._test}-{name}.png"
        if isinstance(target, Page):
            target.screenshot(path=path, full_page=True)
        else:
            target.screenshot(path=path)

    def close(self) -> None:
        for context in self._contexts:
            context.close()
        if self._browser is not None:
            self._browser.close()
            self._playwright.stop()


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def browsers(live, chromium, request):
    """The test's people at their browsers; fails the test on any JavaScript or console error."""
    people = Browsers(live, chromium, request.node.name)
    try:
        yield people
    finally:
        people.close()
    assert not people.errors, "errors in the pages:\n" + "\n".join(people.errors)
