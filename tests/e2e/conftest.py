"""A live server and a headless Chromium (Debian's, driven by Playwright) for end-to-end tests.

Chromium comes from the system (`apt-get install chromium`; .ci/run installs it), since
Playwright cannot download its own browser here. Without it these tests are skipped locally
and fail in CI (CI=true), so a missing browser can never pass silently.
"""

from __future__ import annotations

import os
import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("PIVOT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync"]


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole run."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: .ci/run must install it")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_url(app, clock):
    """The app served over HTTP on a free local port, in a thread of this process. The browser
    runs against SQLite only: what it proves (pages, keys, layout, axe) does not depend on the
    database, and every behaviour behind it is tested through the test client on both."""
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("the browser tests run on SQLite; the client tests cover both databases")
    # Real time, frozen at the start: a test's countdown must agree with the browser's clock.
    clock.set(datetime.now(UTC).replace(microsecond=0))
    app.config["WTF_CSRF_SSL_STRICT"] = False
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(params=["light", "dark"])
def theme(request) -> str:
    return request.param


class Page:
    """A Playwright page that records console errors (CSP violations among them)."""

    def __init__(self, page, base: str):
        self.page = page
        self.base = base
        self.errors: list[str] = []
        page.on("console", lambda message: message.type == "error"
                and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def go(self, path: str):
        response = self.page.goto(self.base + path)
        assert response is not None and response.status < 400, (path, response.status)
        return response

    def sign_up(self, email: str) -> None:
        """Create an account through the form and land on the home page."""
        self.go("/signup")
        self.page.fill("#email", email)
        self.page.fill("#password", PASSWORD)
        self.page.fill("#confirm", PASSWORD)
        self.page.click("button:has-text('Sign up')")
        self.page.wait_for_url(self.base + "/")

    def check(self, where: str) -> None:
        """axe-core finds no violations, and the page does not scroll sideways."""
        # A click that submits a form returns once the next page starts loading; axe run on a
        # document still being replaced finds no document at all.
        self.page.wait_for_load_state("load")
        results = Axe().run(self.page)
        violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                      for v in results.response["violations"]]
        assert violations == [], f"{where}: {violations}"
        overflow = self.page.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth")
        assert not overflow, f"{where} scrolls sideways"

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def new_page(chromium, live_url):
    """Open pages in fresh browser contexts: new_page(color_scheme=..., width=..., height=...,
    timezone_id=...)."""
    contexts = []

    def open_page(*, color_scheme: str = "light", width: int = 1280, height: int = 900,
                  timezone_id: str | None = None) -> Page:
        context = chromium.new_context(color_scheme=color_scheme, timezone_id=timezone_id,
                                       viewport={"width": width, "height": height})
        contexts.append(context)
        return Page(context.new_page(), live_url)

    yield open_page
    for context in contexts:
        context.close()
