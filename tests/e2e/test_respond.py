"""Closing the loop in a real Chromium: a coordinator assigns a resident's comment to a department, the
department writes the reply, a reviewer publishes it, and the resident sees it by receipt code."""

from __future__ import annotations

import datetime as dt

from tests.e2e.conftest import seed


def _setup(db):
    from portal.models import Project, Stage
    from portal.operations import users
    from portal.respond import operations as ops
    from portal.timeutil import local_today

    today = local_today()
    project = Project(slug="liuhe-farmland", name="柳河镇高标准农田建设", kind="高标准农田建设", region="青川县柳河镇",
                      villages=["柳河村"], summary="高标准农田建设方案征求意见", body="方案内容")
    db.session.add(project)
    db.session.flush()
    db.session.add(Stage(project=project, kind="planning", position=0, opens_on=today - dt.timedelta(days=3),
                         closes_on=today + dt.timedelta(days=27)))
    ops.seed_departments()
    users.create_user("coord", "correct-horse", "admin", display_name="王协调")
    users.create_user("roads", "correct-horse", "department", "交通运输局", display_name="交通局小刘")
    users.create_user("checker", "correct-horse", "reviewer", display_name="李审核")


def _login(page, base, username):
    page.goto(base + "/staff/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct-horse")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url("**/staff/**")


def _logout(page):
    page.click("nav form button:has-text('退出')")


def test_assign_reply_review_publish_resident_sees_it(live_app, live_server, page, staff_page):
    seed(live_app, _setup)

    # A resident comments on a phone and keeps the receipt code.
    page.goto(live_server + "/projects/liuhe-farmland")
    page.click("text=我要提意见")
    page.fill("textarea[name=text]", "柳河村三组的机耕路坑坑洼洼，下雨天农机根本进不了田，希望把路面硬化一下")
    page.fill("input[name=phone]", "13800005678")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_selector("#receipt-code")
    code = page.inner_text("#receipt-code").strip()

    # The coordinator opens the comment and assigns it; the routing suggestion (交通运输局) is preselected.
    _login(staff_page, live_server, "coord")
    staff_page.fill("input[name=q]", code)
    staff_page.click("button:has-text('筛选')")
    staff_page.click(f"text={code}")
    staff_page.click("#assign-comment")
    assert "交通运输局" in staff_page.inner_text("#routing-suggestions")
    selected = staff_page.eval_on_selector("#department_id", "el => el.options[el.selectedIndex].text")
    assert selected == "交通运输局"
    staff_page.click("#assign-submit")
    staff_page.wait_for_selector("#assignment-department")
    assert staff_page.inner_text("#assignment-department") == "交通运输局"
    _logout(staff_page)

    # The department finds it on its task list and writes the reply with the adoption decision.
    _login(staff_page, live_server, "roads")
    staff_page.goto(live_server + "/staff/respond/tasks")
    staff_page.click("#list-open .assignment-item a")
    staff_page.fill("#reply-form textarea[name=text]", "柳河村三组机耕路已列入本期田间道路工程，路面硬化 3.5 米宽，明年春耕前完工。")
    staff_page.select_option("#reply-form select[name=adoption]", "adopted")
    staff_page.fill("#reply-form textarea[name=adoption_reason]", "符合高标准农田田间道路建设标准")
    staff_page.click("#reply-submit")
    staff_page.wait_for_selector("#batch-state")
    assert staff_page.inner_text("#batch-state") == "待审核"
    _logout(staff_page)

    # Not public yet.
    page.goto(f"{live_server}/receipt/{code.replace('-', '')}")
    assert "3.5 米宽" not in page.content() and page.inner_text("#status") == "处理中"

    # The reviewer approves; the reply is published.
    _login(staff_page, live_server, "checker")
    staff_page.goto(live_server + "/staff/respond/review")
    staff_page.click("#review-queue .batch-link")
    staff_page.click("#approve-button")
    staff_page.wait_for_selector("text=已发布 1 条答复")

    # The dashboard draws its charts from the local ECharts copy, without script errors.
    errors = []
    staff_page.on("pageerror", lambda exc: errors.append(str(exc)))
    staff_page.goto(live_server + "/staff/respond/dashboard")
    staff_page.wait_for_selector("#chart-days canvas")
    assert staff_page.inner_text("#kpi-total") == "1" and not errors

    # The resident sees the reply and the decision by receipt code.
    page.goto(live_server + "/lookup")
    page.fill("input[name=code]", code)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_selector("#status")
    assert page.inner_text("#status") == "已答复"
    assert "路面硬化 3.5 米宽" in page.inner_text(".reply")
    assert "采纳" in page.content()
