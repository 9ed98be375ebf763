"""A reviewer clears a comment wrongly flagged as an ad; it appears publicly, redacted — in a real Chromium."""

from __future__ import annotations

import datetime as dt

from tests.e2e.conftest import seed

# A resident asking about an ad: the contact-evasion words make the spam detector flag it.
TEXT = "村里有人发广告说加V薇信能代办土地证，我想问问政府这种能信吗？我的电话13812345678"


def _setup(db):
    from portal.models import Project, Stage
    from portal.operations import users
    from portal.timeutil import local_today

    today = local_today()
    project = Project(slug="xiaping-plan", name="下坪村村庄规划", kind="村庄规划", region="青川县石桥镇",
                      villages=["下坪村"], summary="下坪村村庄规划草案征求意见", body="规划内容")
    db.session.add(project)
    db.session.flush()
    db.session.add(Stage(project=project, kind="planning", position=0, opens_on=today - dt.timedelta(days=3),
                         closes_on=today + dt.timedelta(days=27)))
    users.create_user("reviewer1", "correct-horse", "reviewer", display_name="李审核")


def test_reviewer_marks_not_spam_and_it_is_published_redacted(live_app, live_server, page, staff_page):
    seed(live_app, _setup)

    # A resident comments from a phone.
    page.goto(live_server + "/projects/xiaping-plan/comment")
    page.fill("textarea[name=text]", TEXT)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_selector("#receipt-code")

    # Screening held it back as an ad: the public list does not show it.
    page.goto(live_server + "/projects/xiaping-plan/comments")
    assert "代办土地证" not in page.content()

    # The reviewer signs in, filters the queue to ads and sees why it was flagged.
    staff_page.goto(live_server + "/staff/login")
    staff_page.fill("input[name=username]", "reviewer1")
    staff_page.fill("input[name=password]", "correct-horse")
    staff_page.click("input[type=submit], button[type=submit]")
    staff_page.goto(live_server + "/staff/review/")
    staff_page.select_option("#filter-form select[name=flag]", "spam")
    staff_page.click("#filter-form button[type=submit]")
    row = staff_page.locator("tr.review-row", has_text="代办土地证")
    assert row.count() == 1
    assert "含联系方式变体" in row.inner_text()
    assert "138****5678" in row.inner_text()  # what the public would see is shown to the reviewer

    row.locator("button[name=action][value=not_spam]").click()
    staff_page.wait_for_selector("text=已对 1 条意见执行")
    # It left the "ads" filter, and the override is listed with the reviewer's name.
    assert staff_page.locator("tr.review-row", has_text="代办土地证").count() == 0
    staff_page.goto(live_server + "/staff/review/?flag=reviewed")
    row = staff_page.locator("tr.review-row", has_text="代办土地证")
    assert "李审核" in row.inner_text() and "已公开" in row.inner_text()

    # The resident now sees it on the public list, with the phone number masked.
    page.goto(live_server + "/projects/xiaping-plan/comments")
    text = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
    assert "代办土地证" in text and "138****5678" in text
    assert "13812345678" not in page.content()
