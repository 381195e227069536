"""Real-browser fixtures: the app served on loopback with the demo data, and
Debian's Chromium driven by Playwright (never a browser Playwright downloads).

The browser tests get a database of their own, because the unit-test fixtures
empty every table after each test: a separate SQLite file, or on PostgreSQL a
separate database named after TEST_DATABASE_URL's with a `_browser_<pid>`
suffix, created here and dropped at the end.
"""
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from jinja2 import StrictUndefined
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from tests.conftest import make_test_config, skip_or_fail
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 10_000


@dataclass
class LiveServer:
    app: Flask
    url: str

    def __call__(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="session")
def browser_database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url or make_url(url).get_backend_name() != "postgresql":
        yield "sqlite:///" + str(tmp_path_factory.mktemp("browser") / "browser.sqlite")
        return
    server_url = make_url(url).set(drivername="postgresql+psycopg")
    name = f"{server_url.database}_browser_{os.getpid()}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def live_server(browser_database_url):
    """The app with the real taxonomy and the demo organisations, on a free loopback port."""
    from flask_migrate import upgrade

    from app.directory.demo import seed_demo
    from app.admin.taxonomy_data import seed_taxonomy
    from app.workshops.themes import seed_workshop_themes

    app = create_app(make_test_config(browser_database_url))
    app.jinja_env.undefined = StrictUndefined
    with app.app_context():
        upgrade()
        seed_taxonomy(Path(app.root_path) / "data")
        seed_workshop_themes(Path(app.root_path) / "data" / "workshop_themes.csv")
        seed_demo(only_if_empty=False)
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the playwright package is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """Factory: a page in a fresh context, JavaScript on or off.

    Every console error (a Content-Security-Policy violation, a failed request,
    an exception in a script) fails the test at teardown.
    """
    contexts = []
    console_errors: list[str] = []

    def make(*, javascript: bool = True, bypass_csp: bool = False):
        context = browser.new_context(
            base_url=live_server.url,
            java_script_enabled=javascript,
            bypass_csp=bypass_csp,
            locale="fi-FI",
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("console", record_console_error)
        page.on("pageerror", lambda error: console_errors.append(f"{page.url}: {error}"))
        return page

    def record_console_error(message) -> None:
        # 422 is how an invalid form answers (STYLE.md §5), 409 the conflict page of a
        # save made after someone else's; Chromium logs them like failures.
        if message.type == "error" and not any(f"status of {code}" in message.text for code in (409, 422)):
            console_errors.append(f"{message.location.get('url', '')}: {message.text}")

    yield make
    for context in contexts:
        context.close()
    assert not console_errors, "errors in the browser console:\n" + "\n".join(console_errors)


@pytest.fixture
def axe(new_page):
    """Open a path and return axe-core's WCAG 2.1 A/AA violations, one readable line each.

    axe is injected as a script tag, which the page's CSP would refuse, so this
    page's context bypasses the CSP.
    """
    if not AXE_SCRIPT.exists():
        skip_or_fail(f"axe-core is missing at {AXE_SCRIPT}; `make test` installs it")
    page = new_page(javascript=True, bypass_csp=True)

    def check(path: str, cookies: list[dict] | None = None) -> list[str]:
        """`cookies` carry another page's session, e.g. a filled tray."""
        if cookies:
            page.context.add_cookies(cookies)
        response = page.goto(path)
        assert response is not None and response.ok, f"GET {path}: {response and response.status}"
        page.add_script_tag(path=str(AXE_SCRIPT))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            AXE_TAGS,
        )
        return [
            f"{v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}] at "
            + "; ".join(" ".join(map(str, node["target"])) for node in v["nodes"])
            for v in result["violations"]
        ]

    return check


@pytest.fixture
def expect(browser):
    """Playwright's retrying assertions (imported once the browser fixture found Playwright)."""
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=TIMEOUT_MS)
    return playwright_expect
