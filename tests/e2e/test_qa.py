"""A resident asks the Q&A chatbot on a phone-sized page — with JavaScript (answers appear in place) and
without it (plain form posts) — follows a citation, and hands a question to staff."""

from __future__ import annotations

import pytest

from tests.portal.test_qa import qa_index_dir  # noqa: F401  (the session-wide QA index fixture)

ASK = "#ask-form input[type=submit], #ask-form button[type=submit]"


@pytest.fixture
def qa_live(live_app, live_server, qa_index_dir):  # noqa: F811
    live_app.config["QA_INDEX_DIR"] = str(qa_index_dir)
    return live_server


@pytest.fixture
def nojs_page(browser):
    """A phone-sized page with JavaScript switched off."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_resident_asks_on_a_phone_with_javascript(qa_live, page):
    page.goto(qa_live + "/")
    page.click(".navbar-toggler")  # the phone layout folds the menu
    page.click("#nav >> text=政策问答")
    page.fill("textarea[name=question]", "俺家宅机地能不能卖给城里人")
    page.click(ASK)
    answer = page.locator(".qa-answer").last
    answer.wait_for()
    assert page.url.endswith("/qa")  # answered in place, no page load
    assert answer.get_attribute("data-answered") == "true"
    assert "不构成法律意见" in page.inner_text(".qa-disclaimer")
    assert page.input_value("textarea[name=question]") == ""
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling on the phone

    # A second question stays in the same conversation; out of scope: refused, passed to staff.
    page.fill("textarea[name=question]", "明天天气怎么样")
    page.click(ASK)
    page.locator(".qa-handover").wait_for()
    assert page.locator(".qa-item").count() == 2
    assert page.locator(".qa-answer").last.get_attribute("data-answered") == "false"
    page.fill(".qa-handover input[name=contact]", "13800005555")
    page.click(".qa-handover button")
    page.locator(".qa-ticket-code").wait_for()
    code = page.inner_text(".qa-ticket-code").strip()
    assert len(code) == 9 and code[4] == "-"

    # Feedback on the first answer: helpful.
    page.locator(".qa-feedback button").first.click()
    page.locator(".qa-thanks").wait_for()

    # The citation opens the full article text.
    link = page.locator(".qa-citations a").first
    article = link.inner_text().split("》")[-1]
    link.click()
    page.wait_for_selector("#law-title")
    assert page.locator(f"[id='{article}']").is_visible()


def test_resident_asks_without_javascript(qa_live, nojs_page):
    page = nojs_page
    page.goto(qa_live + "/qa")
    page.fill("textarea[name=question]", "俺家宅机地能不能卖给城里人")
    page.click(ASK)
    page.wait_for_selector("#qa-answer")
    assert page.get_attribute("#qa-answer", "data-answered") == "true"
    assert "不构成法律意见" in page.inner_text("#disclaimer")

    link = page.locator("#citations a").first
    article = link.inner_text().split("》")[-1]
    link.click()
    page.wait_for_selector("#law-title")
    assert page.locator(f"[id='{article}']").count() == 1

    # Out of scope: refused politely, handed over with a code, looked up later; the contact stays private.
    page.goto(qa_live + "/qa")
    page.fill("textarea[name=question]", "明天天气怎么样")
    page.click(ASK)
    page.wait_for_selector("#handover")
    assert page.get_attribute("#qa-answer", "data-answered") == "false"
    page.fill("#handover input[name=contact]", "13800004444")
    page.click("#handover input[type=submit], #handover button[type=submit]")
    page.wait_for_selector("#ticket-code")
    code = page.inner_text("#ticket-code").strip()
    assert len(code) == 9 and code[4] == "-"
    page.goto(qa_live + "/qa/ticket")
    page.fill("input[name=code]", code.lower())
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_selector("#status")
    assert page.inner_text("#status") == "待答复"
    assert "13800004444" not in page.content()

    # Large-text mode is a link, so it works without JavaScript too.
    page.goto(qa_live + "/qa")
    page.click("#large-text-on")
    assert "large-text" in (page.get_attribute("body", "class") or "")


def test_staff_charts_render(qa_live, live_app, page, staff_page):
    from tests.e2e.conftest import seed

    def make_staff(db):
        from portal.operations import users

        users.create_user("qa-reviewer", "correct-horse", "reviewer", display_name="王审核")

    seed(live_app, make_staff)
    for question in ("宅基地能不能卖给城里人", "征地补偿款多久能发下来", "明天天气怎么样"):
        page.goto(qa_live + "/qa")
        page.fill("textarea[name=question]", question)
        page.click(ASK)
        page.locator(".qa-answer").last.wait_for()

    errors: list[str] = []
    staff_page.on("pageerror", lambda exc: errors.append(str(exc)))
    staff_page.goto(qa_live + "/staff/login")
    staff_page.fill("input[name=username]", "qa-reviewer")
    staff_page.fill("input[name=password]", "correct-horse")
    staff_page.click("input[type=submit], button[type=submit]")
    staff_page.click(".nav-tabs >> text=政策问答")
    staff_page.click("#qa-subnav >> text=统计图表")
    staff_page.wait_for_selector("#chart-topics canvas")
    assert staff_page.inner_text("#total") == "3"
    for chart in ("#chart-answered", "#chart-articles", "#chart-projects"):
        assert staff_page.locator(f"{chart} canvas").count() == 1
    assert errors == []
