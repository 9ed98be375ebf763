"""Smoke test in a real Chromium: the key pages of every area on the demo data (loaded with the real commands)
run without script errors, request nothing from another host, and the charts draw."""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from portal.cli import DEMO_ADMIN
from portal.extensions import db
from tests.conftest import build_app
from tests.portal.test_smoke import _add_participation, _invoke

pytestmark = pytest.mark.e2e

PUBLIC_PAGES = ["/", "/how-to-take-part", "/lookup", "/qa", "/projects/shiqiao-quanyu",
                "/projects/shiqiao-quanyu/comments", "/projects/shiqiao-quanyu/representatives", "/surveys/{survey}",
                "/meetings/{meeting}", "/surveys/{survey}/summary", "/projects/shiqiao-quanyu/poster"]
# Staff pages, and whether an ECharts chart must be drawn on them (a <canvas> or <svg> inside the chart).
STAFF_PAGES = [("/staff/", False), ("/staff/review/", False), ("/staff/topics/shiqiao-quanyu", True),
               ("/staff/respond/dashboard", True), ("/staff/respond/tasks", False), ("/staff/qa/stats", False),
               ("/staff/participation/surveys/{survey}/results", True), ("/staff/projects", False)]


@pytest.fixture(scope="module")
def smoke_server(tmp_path_factory):
    app = build_app(tmp_path_factory.mktemp("e2e-smoke"))
    _invoke(app, ["demo", "load"])
    _invoke(app, ["respond", "seed-demo"])
    _invoke(app, ["topics", "recluster", "--project", "shiqiao-quanyu"])
    _add_participation(app)
    with app.app_context():
        from portal.models import Meeting, Survey

        ids = {"survey": db.session.execute(db.select(Survey.id)).scalars().first(),
               "meeting": db.session.execute(db.select(Meeting.id)).scalars().first()}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", ids
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        db.drop_all()


def _favicon(url: str) -> bool:
    # Chromium asks for /favicon.ico by itself; the portal has none (a 404 the visitor never sees).
    return urlsplit(url).path == "/favicon.ico"


def _watch(page, base: str) -> list[str]:
    """Collect script errors, console errors, requests to other hosts and failed local requests."""
    problems: list[str] = []
    host = urlsplit(base).netloc
    page.on("pageerror", lambda exc: problems.append(f"script error on {page.url}: {exc}"))
    page.on("console", lambda msg: msg.type == "error" and not _favicon(msg.location.get("url", ""))
            and problems.append(f"console error on {page.url}: {msg.text} ({msg.location.get('url')})"))
    page.on("request", lambda req: urlsplit(req.url).scheme in ("http", "https")
            and urlsplit(req.url).netloc != host and problems.append(f"{page.url} requests {req.url}"))
    page.on("response", lambda res: res.status >= 400 and not _favicon(res.url)
            and problems.append(f"{res.url} → {res.status}"))
    return problems


def test_public_pages_run_clean_on_a_phone(smoke_server, page):
    base, ids = smoke_server
    problems = _watch(page, base)
    for path in PUBLIC_PAGES:
        page.goto(base + path.format(**ids))
        page.wait_for_load_state("load")
        assert page.title(), path
        assert page.locator("#large-text-on").count() == 1, path
    assert not problems, "\n".join(problems)


def test_staff_pages_run_clean_and_draw_charts(smoke_server, staff_page):
    base, ids = smoke_server
    problems = _watch(staff_page, base)
    staff_page.goto(base + "/staff/login")
    staff_page.fill("input[name=username]", DEMO_ADMIN[0])
    staff_page.fill("input[name=password]", DEMO_ADMIN[1])
    staff_page.click("input[type=submit], button[type=submit]")
    staff_page.wait_for_url("**/staff/**")
    blank = []
    for path, chart in STAFF_PAGES:
        staff_page.goto(base + path.format(**ids))
        staff_page.wait_for_load_state("load")
        assert staff_page.title(), path
        if chart:
            try:
                staff_page.wait_for_selector("[_echarts_instance_] canvas, [_echarts_instance_] svg", timeout=5000)
            except Exception:  # noqa: BLE001 - collected and reported together
                blank.append(path)
    assert not problems, "\n".join(problems)
    assert not blank, f"no chart drawn on {blank}"
