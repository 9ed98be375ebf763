"""Smoke tests across every area: the demo data loaded through the real commands, then a breadth-first crawl of
every internal link as an anonymous resident, an admin, a department staff member and a reviewer.

The crawl asserts what must hold everywhere: no server error, anonymous visitors never see staff pages, the
public never sees the phone or ID numbers from the demo's private comment text, every HTML page has a <title>
and loads only local assets. The pages crawled per role are printed (``pytest -s`` shows them)."""

from __future__ import annotations

import collections
import datetime as dt
import json
import re
import time
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from portal.cli import DEMO_ADMIN, DEMO_PATH
from portal.extensions import db
from tests.conftest import build_app

DEMO_PASSWORD = "tingjian-demo"
MAX_PAGES = 600
# Pages of one endpoint (one comment page, one topic page …) look alike: a few of each are enough.
MAX_PER_ENDPOINT = 12
PII_PHONE = "13912345678"  # a meeting registrant's phone: staff-only
MEETING_NAME, REPRESENTATIVE_NAME = "赵守田", "钱玉芬"  # staff-only names
PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_RE = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")
LOCAL_HOSTS = {"", "localhost"}
# Added to URLs built from GET forms: such a request may be refused as incomplete (400 with a Chinese message),
# a link may not.
FORM_MARK = "#form"
TEXT_TYPES = ("text/", "application/json", "application/atom+xml", "application/xml", "image/svg+xml")


# ---- the app with demo data ---------------------------------------------------------------------------------


def _invoke(app, args: list[str]) -> str:
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, f"flask {' '.join(args)} failed: {result.output}\n{result.exception!r}"
    return result.output


def _add_participation(app) -> dict[str, int]:
    """A published survey with an answer, a meeting with a registration, a representative — through operations."""
    from portal.models import Project, User
    from portal.participation import meetings, representatives, surveys
    from portal.timeutil import local_today

    with app.app_context():
        admin = db.session.execute(db.select(User).filter_by(username=DEMO_ADMIN[0])).scalar_one()
        project = db.session.execute(db.select(Project).order_by(Project.id)).scalars().first()
        today = local_today()
        stage = next(s for s in project.stages if s.opens_on <= today <= s.closes_on)
        survey = surveys.save_survey(project, {
            "title": "村道硬化意愿调查", "intro": "请选择您最关心的事项。", "stage_id": stage.id,
            "opens_on": today - dt.timedelta(days=1), "closes_on": today + dt.timedelta(days=10),
            "results_public": True,
        }, admin)
        single = surveys.add_question(survey, {"kind": "single", "prompt": "您家离村道多远？",
                                               "options": "一百米内\n一百米以上", "required": True}, admin)
        text = surveys.add_question(survey, {"kind": "text", "prompt": "还有什么建议？"}, admin)
        surveys.set_published(survey, True, admin)
        response = surveys.submit_response(survey, MultiDict({single.field_name: "一百米内", text.field_name: "路灯太少了"}),
                                None, None)
        starts = dt.datetime.combine(today + dt.timedelta(days=7), dt.time(9, 0))
        meeting = meetings.save_meeting(project, {
            "kind": "座谈会", "title": "规划方案座谈会", "stage_id": stage.id, "place": "石桥村村委会",
            "starts_at": starts, "registration_deadline": starts - dt.timedelta(days=1), "capacity": 30,
            "agenda": "介绍规划方案，听取意见。",
        }, admin)
        registration = meetings.register(meeting, {"name": MEETING_NAME, "phone": PII_PHONE, "village": None})
        representatives.add_representative(project, {"stage_id": stage.id, "name": REPRESENTATIVE_NAME,
                                                      "group_represented": "村民小组"}, admin)
        db.session.commit()
        return {"survey_receipt": response.receipt_code, "meeting_receipt": registration.receipt_code}


def _public_starts(app) -> list[str]:
    """Where the anonymous crawl starts: the home page, the JSON API and the receipt pages a resident holding
    a code would open — for the comments carrying phone/ID numbers, the meeting registration and the survey."""
    from portal.models import Comment

    numbers = _private_numbers()
    with app.app_context():
        comments = db.session.execute(db.select(Comment.text, Comment.receipt_code)).all()
    codes = [code for text, code in comments if any(n in (text or "") for n in numbers)]
    assert len(codes) >= 2, "the demo comments with phone/ID numbers were not loaded"
    ids = app.config["SMOKE_IDS"]
    return (["/", "/api/projects"] + [f"/receipt/{code}" for code in codes]
            + [f"/api/receipts/{code}" for code in codes]
            + [f"/meetings/receipt/{ids['meeting_receipt']}", f"/surveys/receipt/{ids['survey_receipt']}"])


@pytest.fixture(scope="module")
def smoke_app(tmp_path_factory):
    app = build_app(tmp_path_factory.mktemp("smoke"))
    started = time.perf_counter()
    print("\n" + _invoke(app, ["demo", "load"]).strip())
    print(_invoke(app, ["respond", "seed-demo", "--password", DEMO_PASSWORD]).strip())
    with app.app_context():
        from portal.models import Project

        slug = db.session.execute(db.select(Project.slug).order_by(Project.id)).scalars().first()
    print(_invoke(app, ["topics", "recluster", "--project", slug]).strip())
    app.config["SMOKE_IDS"] = _add_participation(app)
    print(f"setup: {time.perf_counter() - started:.1f} s")
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()


def _private_numbers() -> set[str]:
    """Phone and ID numbers in the demo's raw comment text and contact fields (private to staff)."""
    with open(DEMO_PATH, encoding="utf-8") as handle:
        data = json.load(handle)
    numbers = {PII_PHONE}
    for project in data["projects"]:
        for comment in project.get("comments", []):
            if comment.get("phone"):
                numbers.add(str(comment["phone"]))
            numbers.update(PHONE_RE.findall(comment["text"]))
            numbers.update(ID_RE.findall(comment["text"]))
    return numbers


def test_demo_has_private_numbers_to_look_for():
    """The PII check below is only meaningful if the demo contains phone and ID numbers in comment text."""
    numbers = _private_numbers()
    assert any(ID_RE.fullmatch(n) for n in numbers)
    assert len([n for n in numbers if PHONE_RE.fullmatch(n)]) >= 2


# ---- the crawler --------------------------------------------------------------------------------------------


Page = collections.namedtuple("Page", "url status content_type source")


def _skip(path: str, query: str) -> bool:
    """Links that change state or session settings, or are large downloads."""
    return (
        "logout" in path
        or path.startswith("/static/") or path.startswith("/bootstrap/static/")
        or path == "/large-text"
        or "lang=" in query
    )


def _get_form_urls(tree) -> list[str]:
    """GET forms (filters, searches) submitted as a person would: with the values shown, then with each option
    of each drop-down chosen in turn."""
    urls = []
    for form in tree.iter("form"):
        if (form.get("method") or "get").lower() != "get":
            continue
        fields: list[tuple[str, str]] = []
        selects: list[tuple[str, list[str]]] = []
        for element in form.xpath(".//input[@name] | .//select[@name] | .//textarea[@name]"):
            name, kind = element.get("name"), (element.get("type") or "text").lower()
            if element.tag == "select":
                options = [o.get("value", o.text_content()) for o in element.iter("option")]
                chosen = [o.get("value", o.text_content()) for o in element.iter("option") if o.get("selected")
                          is not None]
                fields.append((name, (chosen or options or [""])[0]))
                selects.append((name, options))
            elif element.tag == "textarea":
                fields.append((name, element.text or ""))
            elif kind in ("checkbox", "radio"):
                if element.get("checked") is not None:
                    fields.append((name, element.get("value", "on")))
            elif kind not in ("submit", "button", "image", "file", "reset"):
                fields.append((name, element.get("value", "")))
        action = form.get("action") or ""
        variants = [fields] + [[(n, option if n == name else v) for n, v in fields]
                               for name, options in selects for option in options]
        for values in variants:
            urls.append((action.split("?")[0] if action else "") + "?" + urlencode(values) + FORM_MARK)
    return urls


def _endpoint(app, path: str) -> str:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(path, method="GET")
    except RequestRedirect:
        return "redirect"
    except HTTPException:
        return "unknown"
    return endpoint


class Crawl:
    """Breadth-first GET crawl from ``starts``; remembers every page, its links and problems."""

    def __init__(self, app, client, role: str):
        self.app, self.client, self.role = app, client, role
        self.pages: list[Page] = []
        self.bodies: dict[str, str] = {}  # every text response (HTML, JSON, feeds, plain text)
        self.html: set[str] = set()
        self.problems: list[str] = []
        self.broken: list[tuple[tuple[str, str], str]] = []  # ((source endpoint, target endpoint), problem)
        self.assets: set[str] = set()
        self.per_endpoint: collections.Counter = collections.Counter()

    def _normalise(self, href: str, base: str) -> str | None:
        href = href.strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "sms:", "javascript:", "data:")):
            return None
        from_form = href.endswith(FORM_MARK)
        parts = urlsplit(urljoin("http://localhost" + base, href.removesuffix(FORM_MARK)))
        if parts.scheme not in ("http", "https") or parts.hostname not in LOCAL_HOSTS | {None}:
            return None
        if _skip(parts.path, parts.query):
            return None
        return urlunsplit(("", "", parts.path or "/", parts.query, "")) + (FORM_MARK if from_form else "")

    def run(self, starts: list[str]) -> Crawl:
        queue = collections.deque((url, "(start)") for url in starts)
        seen = set(starts)
        while queue and len(self.pages) < MAX_PAGES:
            url, source = queue.popleft()
            endpoint = _endpoint(self.app, urlsplit(url).path)
            self.per_endpoint[endpoint] += 1
            if self.per_endpoint[endpoint] > MAX_PER_ENDPOINT:
                continue
            from_form = url.endswith(FORM_MARK)
            url = url.removesuffix(FORM_MARK)
            response = self.client.get(url)
            content_type = response.headers.get("Content-Type", "")
            self.pages.append(Page(url, response.status_code, content_type, source))
            allowed = (200, 302, 304, 403, 404) + ((400,) if from_form else ())
            if response.status_code >= 500 or response.status_code not in allowed:
                self.problems.append(f"{self.role}: GET {url} → {response.status_code} (linked from {source})")
            elif response.status_code == 400 and not re.search(r"[\u4e00-\u9fff]", response.get_data(as_text=True)):
                self.problems.append(f"{self.role}: GET {url} → 400 without a Chinese message (form on {source})")
            if response.status_code == 404 and source != "(start)":
                self.broken.append(((_endpoint(self.app, urlsplit(source).path), endpoint),
                                    f"{self.role}: broken link {url} → 404 (linked from {source})"))
            links: list[str] = []
            if response.status_code in (301, 302, 303, 307, 308):
                links.append(response.headers["Location"])
            elif response.status_code == 200 and content_type.startswith(TEXT_TYPES):
                body = response.get_data(as_text=True)
                self.bodies[url] = body
                if content_type.startswith("text/html"):
                    self.html.add(url)
                    links += self._check_html(url, body)
            for href in links:
                target = self._normalise(href, url)
                if target and target.removesuffix(FORM_MARK) not in seen:
                    seen.add(target.removesuffix(FORM_MARK))
                    queue.append((target, url))
        return self

    def _check_html(self, url: str, body: str) -> list[str]:
        tree = lxml.html.fromstring(body)
        title = tree.findtext(".//title")
        if not (title and title.strip()):
            self.problems.append(f"{self.role}: {url} has no <title>")
        for element in tree.xpath("//script[@src] | //link[@href] | //img[@src]"):
            ref = element.get("src") or element.get("href")
            if element.tag == "link" and not set((element.get("rel") or "").split()) & {
                    "stylesheet", "icon", "preload", "modulepreload", "manifest"}:
                continue
            parts = urlsplit(urljoin("http://localhost" + url, ref))
            if parts.scheme in ("http", "https") and parts.hostname not in LOCAL_HOSTS:
                self.problems.append(f"{self.role}: {url} loads an external asset {ref}")
            elif parts.scheme in ("http", "https"):
                self.assets.add(parts.path)
        return [a.get("href") for a in tree.iter("a") if a.get("href")] + _get_form_urls(tree)

    def report(self) -> str:
        lines = [f"== {self.role}: {len(self.pages)} pages =="]
        lines += [f"  {p.status} {p.url}" for p in self.pages]
        return "\n".join(lines)


def _login(client, username: str) -> None:
    response = client.post("/staff/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture(scope="module")
def crawls(smoke_app):
    """One crawl per role (anonymous, admin, department staff, reviewer), each with its own client."""
    from portal.models import Role, User

    with smoke_app.app_context():
        department_user = db.session.execute(
            db.select(User.username).where(User.role == Role.DEPARTMENT).order_by(User.id)).scalars().first()
    assert department_user, "flask respond seed-demo made no department account"
    result = {}
    for role, username in (("anonymous", None), ("admin", DEMO_ADMIN[0]), ("department", department_user),
                           ("reviewer", "reviewer")):
        started = time.perf_counter()
        client = smoke_app.test_client()
        if username:
            if username == DEMO_ADMIN[0]:
                response = client.post("/staff/login", data={"username": username, "password": DEMO_ADMIN[1]})
                assert response.status_code == 302
            else:
                _login(client, username)
        starts = _public_starts(smoke_app) if username is None else ["/", "/staff/"]
        crawl = Crawl(smoke_app, client, role).run(starts)
        crawl.username = username
        print(crawl.report())
        print(f"{role}: {len(crawl.pages)} pages in {time.perf_counter() - started:.1f} s")
        result[role] = crawl
    return result


# ---- the assertions -----------------------------------------------------------------------------------------


def test_no_server_error_and_no_broken_link(crawls):
    """(Found here and fixed in c2fbcb5: topic pages linked department staff to other departments' comments.)"""
    problems = [p for crawl in crawls.values() for p in crawl.problems]
    problems += [problem for crawl in crawls.values() for _endpoints, problem in crawl.broken]
    assert not problems, "\n".join(problems)


def test_every_role_reaches_its_areas(crawls):
    """The crawl really went somewhere: public project pages for everyone, staff areas for staff."""
    def paths(role):
        return {urlsplit(p.url).path for p in crawls[role].pages if p.status == 200}

    anonymous = paths("anonymous")
    assert any(p.startswith("/projects/") for p in anonymous)
    assert any(p.startswith("/receipt/") or p == "/lookup" for p in anonymous) or "/lookup" in anonymous \
        or any(p.startswith("/qa") for p in anonymous)
    admin = paths("admin")
    for prefix in ("/staff/projects", "/staff/review/", "/staff/topics/", "/staff/qa/", "/staff/respond/",
                   "/staff/participation/"):
        assert any(p.startswith(prefix) for p in admin), f"admin never reached {prefix}"
    assert any(p.startswith("/staff/") for p in paths("department"))
    assert any(p.startswith("/staff/") for p in paths("reviewer"))
    assert len(crawls["admin"].pages) > len(crawls["anonymous"].pages)


def test_anonymous_never_sees_staff_pages(smoke_app, crawls):
    """Every staff page any staff role reached is a redirect to the login page (or 403/404) for anonymous."""
    staff_urls = sorted({p.url for role in ("admin", "department", "reviewer") for p in crawls[role].pages
                         if urlsplit(p.url).path.startswith("/staff/") and p.status == 200
                         and not urlsplit(p.url).path.startswith("/staff/login")})
    assert staff_urls
    client = smoke_app.test_client()
    leaks = []
    for url in staff_urls:
        response = client.get(url)
        if response.status_code == 302:
            if "/staff/login" not in response.headers["Location"]:
                leaks.append(f"{url} → redirect to {response.headers['Location']}")
        elif response.status_code not in (401, 403, 404):
            leaks.append(f"{url} → {response.status_code}")
    assert not leaks, "anonymous reaches staff pages:\n" + "\n".join(leaks)
    for page in crawls["anonymous"].pages:
        path = urlsplit(page.url).path
        assert not (path.startswith("/staff/") and path != "/staff/login" and page.status == 200), page


# Staff pages a role must not open (paths, query left out), from the role tables in README.md, docs/respond.md,
# docs/participation.md, docs/review.md and docs/qa-portal.md. Viewing /staff/projects/<id> is open to all staff.
FORBIDDEN = {
    "department": re.compile(r"/staff/respond/(audit|departments|board|dashboard.*|reports.*|exports.*|assign)"
                             r"|/staff/review/.*|/staff/participation/.*|/staff/qa/faq.*"
                             r"|/staff/projects/(new|\d+/.+)"),
    "reviewer": re.compile(r"/staff/respond/(audit|departments)"),
}


def _is_forbidden(role: str, url: str) -> bool:
    pattern = FORBIDDEN.get(role)
    return bool(pattern and pattern.fullmatch(urlsplit(url).path))


def _foreign_assignments(app, username: str, urls: list[str]) -> list[str]:
    """Assignment pages among ``urls`` that belong to another department than ``username``'s."""
    from portal.models import Assignment, User

    found = []
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one()
        for url in urls:
            match = re.fullmatch(r"/staff/respond/assignments/(\d+)", urlsplit(url).path)
            if match and db.session.get(Assignment, int(match[1])).department_id != user.department_id:
                found.append(url)
    return found


def test_staff_roles_typing_admin_urls(crawls):
    """Department staff and reviewers opening every staff page the admin reached: never a server error, and the
    pages their role may not use are closed (403/404 or a redirect), not shown."""
    admin_urls = sorted({p.url for p in crawls["admin"].pages
                         if p.status == 200 and urlsplit(p.url).path.startswith("/staff/")})
    problems, opened = [], collections.defaultdict(list)
    for role in ("department", "reviewer"):
        client = crawls[role].client
        for url in admin_urls:
            status = client.get(url).status_code
            if status >= 500 or status not in (200, 302, 403, 404):
                problems.append(f"{role}: GET {url} → {status}")
            elif status == 200 and _is_forbidden(role, url):
                problems.append(f"{role}: GET {url} → 200 (the role may not use this page)")
            elif status == 200:
                opened[role].append(url)
    for role, urls in opened.items():
        print(f"{role} opens {len(urls)} of {len(admin_urls)} admin staff pages")
    problems += [f"department: GET {url} → 200 (another department's assignment)"
                 for url in _foreign_assignments(crawls["department"].app, crawls["department"].username,
                                                 opened["department"])]
    assert not problems, "\n".join(problems)


def test_public_pages_show_no_private_numbers(crawls):
    numbers = _private_numbers()
    leaks = [f"{url} shows {n}" for url, body in crawls["anonymous"].bodies.items() for n in numbers if n in body]
    assert not leaks, "\n".join(leaks)
    assert len(crawls["anonymous"].bodies) >= 10
    # the comments carrying the numbers are themselves public (redacted), so the check above saw them
    public = "".join(crawls["anonymous"].bodies.values())
    assert "我家的地被划进去了没有人通知过我" in public and "我家地里临时堆了两个多月的土" in public


def test_public_pages_show_no_names_from_comment_text(crawls):
    """Names written in the comment text are redacted as the public page promises (found here, fixed in 8d90856)."""
    leaks = [f"{url} shows {name}" for url, body in crawls["anonymous"].bodies.items()
             for name in ("王桂兰", "周德明", "李秀英") if name in body]
    assert not leaks, "\n".join(leaks)


def test_public_pages_show_no_private_names(crawls):
    """The meeting registrant's and the public representative's names are for staff only."""
    leaks = [f"{url} shows {name}" for url, body in crawls["anonymous"].bodies.items()
             for name in (MEETING_NAME, REPRESENTATIVE_NAME) if name in body
             and not url.startswith("/meetings/receipt/")]
    assert not leaks, "\n".join(leaks)
    assert any(MEETING_NAME in body for body in crawls["admin"].bodies.values())


def test_staff_see_the_raw_text(crawls):
    """The raw text (with the numbers) exists for staff — so the public check above looks at real data."""
    numbers = _private_numbers()
    assert any(n in body for body in crawls["admin"].bodies.values() for n in numbers)


def test_local_assets_resolve(smoke_app, crawls):
    assets = set().union(*(crawl.assets for crawl in crawls.values()))
    assert any("/static/" in a for a in assets)
    client = smoke_app.test_client()
    missing = [a for a in sorted(assets) if client.get(a).status_code != 200]
    assert not missing, f"local assets missing: {missing}"


# ---- language and large text --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/how-to-take-part", "/lookup", "/staff/login"])
def test_english_renders(smoke_app, path):
    client = smoke_app.test_client()
    response = client.get(path + "?lang=en")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert '<html lang="en"' in body and 'href="?lang=zh_CN">中文</a>' in body  # the way back to Chinese
    # remembered in the session for the next page
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)


def test_english_project_page_renders(smoke_app, crawls):
    client = smoke_app.test_client()
    project_pages = [p.url for p in crawls["anonymous"].pages
                     if p.status == 200 and re.fullmatch(r"/projects/[^/]+", urlsplit(p.url).path)]
    assert project_pages
    for url in project_pages[:3]:
        response = client.get(url + ("&" if "?" in url else "?") + "lang=en")
        assert response.status_code == 200, url


def test_large_text_switch_on_public_pages(smoke_app, crawls):
    public_html = [url for url in crawls["anonymous"].html if not url.startswith("/staff/")]
    without = [url for url in public_html if 'id="large-text-on"' not in crawls["anonymous"].bodies[url]]
    assert not without, f"public pages without the large-text switch: {without}"
    client = smoke_app.test_client()
    response = client.get("/large-text?on=1&next=/")
    assert response.status_code in (302, 303)
    body = client.get("/").get_data(as_text=True)
    assert 'class="large-text"' in body and 'id="large-text-off"' in body


# ---- the crawler itself can fail ----------------------------------------------------------------------------


def test_crawler_reports_errors_broken_links_missing_titles_and_external_assets():
    """A tiny app with every fault the crawl looks for: each one is reported, the healthy page is not."""
    from flask import Flask, abort, request

    tiny = Flask("tiny")
    pages = {
        "/": '<html><head><title>首页</title><link rel="stylesheet" href="/static/site.css"></head><body>'
             '<a href="/broken">坏</a><a href="/notitle">无题</a><a href="/cdn">外链</a><a href="/boom">错</a>'
             '<a href="https://example.org/x">外站</a><a href="/logout">退出</a><a href="/post-only">表单</a>'
             '<form action="/search"><select name="kind"><option value="a">甲</option><option value="b" selected>乙'
             '</option></select><input name="q" value="路"><button>查</button></form></body>',
        "/notitle": "<html><head></head><body>没有标题</body></html>",
        "/cdn": '<html><head><title>外链</title><script src="https://cdn.example.com/x.js"></script></head></html>',
    }
    for path, html in pages.items():
        tiny.add_url_rule(path, path, lambda html=html: html)
    tiny.add_url_rule("/search", "search", lambda: "<title>查</title>" if request.args["kind"] in "ab" else abort(400))
    tiny.add_url_rule("/boom", "boom", lambda: abort(500))
    tiny.add_url_rule("/logout", "logout", lambda: abort(500))
    tiny.add_url_rule("/post-only", "post_only", lambda: "ok", methods=["POST"])
    crawl = Crawl(tiny, tiny.test_client(), "tiny").run(["/"])
    text = "\n".join(crawl.problems)
    assert "GET /boom → 500" in text
    assert [problem for _endpoints, problem in crawl.broken] == ["tiny: broken link /broken → 404 (linked from /)"]
    assert "/notitle has no <title>" in text
    assert "external asset https://cdn.example.com/x.js" in text
    assert "GET /post-only → 405" in text
    assert "/logout" not in text and "example.org" not in text  # skipped, not visited
    assert not any(p.startswith("tiny: / ") for p in crawl.problems)
    assert crawl.assets == {"/static/site.css"}
    searched = sorted(p.url for p in crawl.pages if p.url.startswith("/search"))
    assert searched == ["/search?kind=a&q=%E8%B7%AF", "/search?kind=b&q=%E8%B7%AF"]  # the form, each option


# ---- bad input on every page --------------------------------------------------------------------------------

# What a mistyped or tampered link carries: text where a number belongs, zero, negative, beyond 64 bits, a NUL,
# markup, and a very long value.
BAD_VALUES = ("abc", "0", "-1", "99999999999999999999", "%00", "<script>alert(1)</script>", "9" * 400)
BAD_PARAMS = ("page", "stage", "project", "village", "days", "filter", "status", "q", "family", "format", "next")


def _bad_variants(url: str) -> list[str]:
    """``url`` with each of its own query parameters, and the common ones, set to each bad value."""
    parts = urlsplit(url)
    names = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair} | set(BAD_PARAMS))
    variants = []
    for value in BAD_VALUES:
        query = "&".join(f"{name}={value}" for name in names)
        variants.append(urlunsplit(("", "", parts.path, query, "")))
    return variants


def _bad_paths(app) -> list[str]:
    """Every GET route with ids that do not exist, ids beyond 64 bits, and unknown slugs or codes."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.endswith("static") or not rule.arguments:
            continue
        for number, text in (("999999", "不存在"), ("99999999999999999999999", "..%2F..%2Fetc"), ("0", "x" * 300)):
            path = rule.rule
            for name, converter in rule._converters.items():  # noqa: SLF001 - the rule's own parts
                value = number if type(converter).__name__.endswith("IntegerConverter") else text
                path = re.sub(rf"<[^>]*:?{name}>", value, path)
            paths.append(path)
    return sorted(set(paths))


def _check_bad(client, urls: list[str], role: str) -> list[str]:
    problems = []
    for url in urls:
        response = client.get(url)
        body = response.get_data(as_text=True) if response.mimetype.startswith(("text/", "application/json")) \
            else ""
        if response.status_code >= 500 or "Traceback" in body:
            problems.append(f"{role}: GET {url[:160]} → {response.status_code}")
        elif response.status_code >= 400 and not re.search(r"[\u4e00-\u9fff]", body) \
                and not (body.startswith("{") and "\\u" in body):
            problems.append(f"{role}: GET {url[:160]} → {response.status_code} without a Chinese message")
    return problems


def _query_crashes(crawls) -> dict[tuple[str, str], str]:
    """Every page reached, once per endpoint, with garbage in its query; a crash is narrowed down to the
    parameter that causes it: ``{(endpoint, parameter): problem}``."""
    crashes = {}
    for role in ("anonymous", "admin"):
        crawl = crawls[role]
        firsts = {}
        for page in crawl.pages:
            if page.status == 200:
                firsts.setdefault(_endpoint(crawl.app, urlsplit(page.url).path), page.url)
        for endpoint, url in firsts.items():
            for variant in _bad_variants(url):
                if not _check_bad(crawl.client, [variant], role):
                    continue
                path, query = variant.split("?", 1)
                for pair in query.split("&"):
                    problem = _check_bad(crawl.client, [f"{path}?{pair}"], role)
                    if problem:
                        crashes.setdefault((endpoint, pair.split("=")[0]), problem[0])
    return crashes


@pytest.fixture(scope="module")
def query_crashes(crawls):
    return _query_crashes(crawls)


def test_bad_query_values_never_crash(query_crashes):
    """A page or a Chinese error for garbage in any query parameter, never a 500. (Found here and fixed in
    fb688ed/b1f6801: ids and page numbers beyond 64 bits reached the database.)"""
    assert not query_crashes, "\n".join(f"{key}: {problem}" for key, problem in sorted(query_crashes.items()))


def test_unknown_ids_slugs_and_codes_are_not_found(smoke_app, crawls):
    """Every route with an argument, with ids and codes that do not exist: 404 (or login/403), never a 500."""
    paths = _bad_paths(smoke_app)
    assert len(paths) > 40
    problems = _check_bad(crawls["admin"].client, paths, "admin")
    problems += _check_bad(crawls["anonymous"].client, paths, "anonymous")
    assert not problems, "\n".join(problems)


def _first_url_per_endpoint(crawl) -> list[str]:
    firsts = {}
    for page in crawl.pages:
        if page.status == 200 and page.url in crawl.html:
            firsts.setdefault(_endpoint(crawl.app, urlsplit(page.url).path), page.url)
    return list(firsts.values())


@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_every_page_in_english_and_in_large_text(smoke_app, crawls, role):
    """One page of each kind the role reached, again in English and with large text on: still a page."""
    from portal.templating import LARGE_TEXT_COOKIE

    crawl = crawls[role]
    urls = _first_url_per_endpoint(crawl)
    assert len(urls) > 10
    client = smoke_app.test_client()
    if role == "admin":
        response = client.post("/staff/login", data={"username": DEMO_ADMIN[0], "password": DEMO_ADMIN[1]})
        assert response.status_code == 302
    client.set_cookie(LARGE_TEXT_COOKIE, "1")
    assert client.get("/?lang=en").status_code == 200
    problems = []
    for url in urls:
        response = client.get(url)
        body = response.get_data(as_text=True)
        if response.status_code != 200:
            problems.append(f"{url} → {response.status_code}")
        elif '<html lang="en"' not in body or 'class="large-text"' not in body:
            problems.append(f"{url}: not English or not large text")
    assert not problems, "\n".join(problems)


def test_unpublished_comments_stay_off_public_pages(smoke_app, crawls):
    """Comments held back by screening or staff (spam, abuse, pending) appear on no public page other than
    their author's own receipt; campaign copies of a published text aside."""
    from portal.models import Comment

    with smoke_app.app_context():
        # members of a campaign family are shown through its published representative: left out
        rows = db.session.execute(db.select(Comment.text, Comment.redacted_text, Comment.published,
                                            Comment.is_spam).where(Comment.duplicate_of_id.is_(None))).all()
    published = {text for text, _redacted, is_published, _spam in rows if is_published}
    held = [(text, redacted) for text, redacted, is_published, _spam in rows
            if not is_published and text not in published and len(text) >= 12]
    assert held and any(spam for *_rest, spam in rows), "the demo should hold some comments back (spam)"
    bodies = {url: body for url, body in crawls["anonymous"].bodies.items()
              if not url.startswith(("/receipt/", "/api/receipts/"))}
    leaks = []
    for text, redacted in held:
        for fragment in {text[:12], (redacted or text)[:12]}:
            leaks += [f"{url} shows held-back comment {text[:30]!r}" for url, body in bodies.items()
                      if fragment in body]
    assert not leaks, "\n".join(sorted(set(leaks)))


# ---- forms posted empty or with garbage (runs last: a missing check could change data) ------------------------

GARBAGE_FORM = {"text": "x" * 20000, "stage_id": "99999999999999999999", "village": "<b>火星村</b>", "phone": "abc",
                "name": "\x00", "code": "'; drop table comment; --", "page": "-1", "department_id": "abc",
                "project_id": "0", "kind": "???", "due_on": "2026-13-45", "starts_at": "昨天", "capacity": "-5"}


def _post_urls(app) -> list[tuple[str, str]]:
    """(endpoint, URL) for every POST route, its arguments filled with ids and a slug that exist."""
    from portal.models import Project

    with app.app_context():
        slug = db.session.execute(db.select(Project.slug).order_by(Project.id)).scalars().first()
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: slug if m[1] == "slug" else "1", rule.rule)
        urls.append((rule.endpoint, url))
    return sorted(urls)


def test_anonymous_posts_to_every_form(smoke_app):
    """Every form posted by an anonymous visitor, empty and with garbage: never a 500; staff forms send them to
    the login page (or 403/404) instead of doing anything; public forms answer with a page or a Chinese error."""
    client = smoke_app.test_client()
    problems = []
    urls = _post_urls(smoke_app)
    assert len(urls) > 40
    for endpoint, url in urls:
        for data in ({}, GARBAGE_FORM):
            response = client.post(url, data=data)
            status = response.status_code
            body = response.get_data(as_text=True)
            staff = url.startswith("/staff/") and endpoint != "staff.login"
            if status >= 500 or "Traceback" in body:
                problems.append(f"POST {url} ({len(data)} fields) → {status}")
            elif staff and not (status in (401, 403, 404) or (status == 302 and "/staff/login" in
                                                              response.headers.get("Location", ""))):
                problems.append(f"anonymous POST {url} → {status} {response.headers.get('Location', '')}")
            elif status >= 400 and not re.search(r"[\u4e00-\u9fff]|\\u[4-9][0-9a-f]{3}", body):
                problems.append(f"POST {url} → {status} without a Chinese message")
    assert not problems, "\n".join(problems)


def test_department_staff_post_to_forms_of_other_roles(smoke_app, crawls):
    """A department staff member posting (empty) to forms their role may not use is refused (403/404) —
    checked for the POST routes whose path is a forbidden page for the role."""
    client = crawls["department"].client
    problems, checked = [], 0
    for _endpoint_name, url in _post_urls(smoke_app):
        if not _is_forbidden("department", url):
            continue
        checked += 1
        response = client.post(url, data={})
        if response.status_code not in (403, 404):
            problems.append(f"department POST {url} → {response.status_code} {response.headers.get('Location', '')}")
    assert checked > 10
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def admin_post_problems(smoke_app, crawls) -> dict[str, str]:
    """The admin (who may use every form) posting empty and garbage forms to every POST route:
    ``{endpoint: problem}`` for each 500 or error without a Chinese message. It may change the demo data, so
    the tests using it come last in the module."""
    client = crawls["admin"].client
    problems = {}
    for endpoint, url in _post_urls(smoke_app):
        if url.endswith("/logout"):
            continue
        for data in ({}, GARBAGE_FORM):
            response = client.post(url, data=data)
            body = response.get_data(as_text=True)
            if response.status_code >= 500 or "Traceback" in body:
                problems[endpoint] = f"admin POST {url} ({len(data)} fields) → {response.status_code}"
            elif response.status_code >= 400 and not re.search(r"[\u4e00-\u9fff]|\\u[4-9][0-9a-f]{3}", body):
                problems[endpoint] = f"admin POST {url} → {response.status_code} without a Chinese message"
    return problems


def test_admin_posts_garbage_to_every_form(admin_post_problems):
    """A page, a redirect or a Chinese error for every form posted empty or with garbage, never a 500. (Found
    here and fixed in b1f6801: a NUL in a topic's new name was a PostgreSQL DataError 500.)"""
    assert not admin_post_problems, "\n".join(admin_post_problems.values())
