"""A resident asks the Q&A chatbot on a phone-sized page, follows a citation, and hands a question to staff."""

from __future__ import annotations

from tests.portal.test_qa import qa_index_dir  # noqa: F401  (the session-wide QA index fixture)


def test_resident_asks_on_a_phone(live_app, live_server, page, qa_index_dir):  # noqa: F811
    live_app.config["QA_INDEX_DIR"] = str(qa_index_dir)

    page.goto(live_server + "/")
    page.click(".navbar-toggler")  # the phone layout folds the menu
    page.click("#nav >> text=政策问答")
    page.fill("textarea[name=question]", "俺家宅机地能不能卖给城里人")
    page.click("#ask-form input[type=submit], #ask-form button[type=submit]")
    page.wait_for_selector("#qa-answer")
    assert page.get_attribute("#qa-answer", "data-answered") == "true"
    assert "不构成法律意见" in page.inner_text("#disclaimer")
    # The page fits a 360 px phone: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # A citation opens the full article text, scrolled to the article.
    link = page.locator("#citations a").first
    article = link.inner_text().split("》")[-1]
    link.click()
    page.wait_for_selector("#law-title")
    assert page.locator(f"[id='{article}']").is_visible()

    # An out-of-scope question is refused politely and can be passed to staff with a code.
    page.goto(live_server + "/qa")
    page.fill("textarea[name=question]", "明天天气怎么样")
    page.click("#ask-form input[type=submit], #ask-form button[type=submit]")
    page.wait_for_selector("#handover")
    assert page.get_attribute("#qa-answer", "data-answered") == "false"
    page.fill("#handover input[name=contact]", "13800004444")
    page.click("#handover input[type=submit], #handover button[type=submit]")
    page.wait_for_selector("#ticket-code")
    code = page.inner_text("#ticket-code").strip()
    assert len(code) == 9 and code[4] == "-"

    # Later the resident looks the ticket up by its code; the contact stays private.
    page.goto(live_server + "/qa/ticket")
    page.fill("input[name=code]", code.lower())
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_selector("#status")
    assert page.inner_text("#status") == "待答复"
    assert "13800004444" not in page.content()

    # Large-text mode on the chat page.
    page.goto(live_server + "/qa")
    page.click("#large-text-on")
    assert "large-text" in (page.get_attribute("body", "class") or "")
