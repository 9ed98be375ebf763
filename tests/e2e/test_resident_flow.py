"""A resident comments and follows up; staff reply; the resident sees the reply — in a real Chromium."""

from __future__ import annotations

import datetime as dt

from tests.e2e.conftest import seed


def _setup(db):
    from portal.models import Project, Stage
    from portal.operations import users
    from portal.timeutil import local_today

    today = local_today()
    project = Project(slug="shiqiao-plan", name="石桥村村庄规划", kind="村庄规划", region="青川县石桥镇",
                      villages=["石桥村", "下坪村"], summary="石桥村 2025—2035 年村庄规划草案征求意见", body="规划内容")
    db.session.add(project)
    db.session.flush()
    db.session.add(Stage(project=project, kind="planning", position=0, opens_on=today - dt.timedelta(days=3),
                         closes_on=today + dt.timedelta(days=27)))
    users.create_user("reviewer1", "correct-horse", "reviewer", display_name="李审核")


def test_comment_receipt_reply_roundtrip(live_app, live_server, page, staff_page):
    seed(live_app, _setup)

    # Resident on a phone: open the project, comment, get a receipt code.
    page.goto(live_server + "/")
    page.click("text=石桥村村庄规划")
    page.click("text=我要提意见")
    page.select_option("select[name=village]", "下坪村")
    page.fill("textarea[name=text]", "俺们下坪村二组的机耕路太窄了 收割机进不去 能不能修到4米宽")
    page.fill("input[name=phone]", "13800001234")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_selector("#receipt-code")
    code = page.inner_text("#receipt-code").strip()
    assert len(code) == 9 and code[4] == "-"
    assert "您的意见已收到" in page.content()

    # Look the status up by code, as a resident would later.
    page.goto(live_server + "/lookup")
    page.fill("input[name=code]", code.lower())
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_selector("#status")
    assert page.inner_text("#status") == "已收到"
    assert "13800001234" not in page.content()

    # Staff sign in, find the comment by its code and reply.
    staff_page.goto(live_server + "/staff/login")
    staff_page.fill("input[name=username]", "reviewer1")
    staff_page.fill("input[name=password]", "correct-horse")
    staff_page.click("input[type=submit], button[type=submit]")
    staff_page.fill("input[name=q]", code)
    staff_page.click("button:has-text('筛选')")
    staff_page.click(f"text={code}")
    staff_page.fill("#reply-form textarea[name=text]", "经核实，下坪村二组机耕路已纳入设计，路面拓宽至4米。")
    staff_page.select_option("#reply-form select[name=adoption]", "adopted")
    staff_page.fill("#reply-form textarea[name=adoption_reason]", "符合高标准农田田间道路建设要求")
    staff_page.click("#reply-form input[type=submit], #reply-form button[type=submit]")
    staff_page.wait_for_selector("text=答复已发布")

    # The resident sees the reply and the adoption decision.
    page.goto(f"{live_server}/receipt/{code.replace('-', '')}")
    assert page.inner_text("#status") == "已答复"
    assert "路面拓宽至4米" in page.inner_text(".reply")
    assert "采纳" in page.content()

    # Large-text mode works on the phone.
    page.click("#large-text-on")
    assert "large-text" in (page.get_attribute("body", "class") or "")
