"""Browser tests: a live server in a thread and a real Chromium (Debian's /usr/bin/chromium) via Playwright."""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import build_app

CHROMIUM = os.environ.get("TINGJIAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]

pytestmark = pytest.mark.e2e


@pytest.fixture
def live_app(tmp_path):
    """The app behind the live server (fresh database; tasks run in the request, as in tests)."""
    app = build_app(tmp_path)
    return app


@pytest.fixture
def live_server(live_app):
    """Serve ``live_app`` on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (install Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A phone-sized page (360×740) with a fresh context (cookies) per test."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def staff_page(browser):
    """A desktop-sized page for staff."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def seed(app, fn):
    """Run ``fn(db)`` inside the live app's context and commit."""
    from portal.extensions import db

    with app.app_context():
        result = fn(db)
        db.session.commit()
        return result
