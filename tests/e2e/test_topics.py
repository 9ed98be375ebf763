"""Staff topics pages in a real Chromium: the ECharts trend chart draws, drill-down, rename and split."""

from __future__ import annotations

import datetime as dt

from tests.e2e.conftest import seed

TEXTS = [
    "征地补偿标准太低了，希望提高补偿。", "补偿款到现在还没有发下来。", "土地征收补偿标准要公开，每亩补多少钱要说清楚。",
    "征地补偿款分配不公平，账目要公示。", "青苗补偿标准太低，不够弥补损失。", "希望按照市场价格给农民补偿。",
    "祖坟迁移要尊重习俗，希望给足迁坟补助。", "迁坟的补助标准是多少？新的公墓在哪里？", "迁坟要选好日子，不能强迫。",
    "公墓离村子太远，老人上坟不方便。", "坟墓迁移补偿太少了，请提高迁坟费用。", "集中公墓建设要规划好，迁坟后要有人管理。",
]


def _setup(db):
    from portal.models import Comment, Project, Stage
    from portal.operations import users
    from portal.timeutil import local_today, utcnow
    from portal.topics import operations as topics

    today = local_today()
    project = Project(slug="liuhe-plan", name="柳河村村庄规划", kind="村庄规划", region="青川县柳河镇",
                      villages=["柳河村", "东岭村"])
    db.session.add(project)
    db.session.flush()
    stage = Stage(project=project, kind="planning", position=0, opens_on=today - dt.timedelta(days=20),
                  closes_on=today + dt.timedelta(days=10))
    db.session.add(stage)
    db.session.flush()
    for i, text in enumerate(TEXTS):
        # Screened and genuine already: this test is about the pages, screening has its own tests.
        db.session.add(Comment(project_id=project.id, stage_id=stage.id, village=["柳河村", "东岭村"][i % 2],
                               text=text, redacted_text=text, receipt_code=f"E2ETOP{i:02d}",
                               screening_state="done", created_at=utcnow() - dt.timedelta(days=i % 5)))
    users.create_user("reviewer1", "correct-horse", "reviewer", display_name="李审核")
    db.session.flush()
    topics.recluster(project)


def test_topics_pages_chart_rename_split(live_app, live_server, staff_page):
    seed(live_app, _setup)
    page = staff_page
    page.goto(live_server + "/staff/login")
    page.fill("input[name=username]", "reviewer1")
    page.fill("input[name=password]", "correct-horse")
    page.click("input[type=submit], button[type=submit]")

    page.click("a.nav-link:has-text('意见议题')")
    page.click("text=柳河村村庄规划")
    page.wait_for_selector("#topic-trend[data-ready='1'] canvas")  # ECharts from /static drew the chart
    cards = page.locator(".topic-card")
    assert cards.count() >= 2
    residents = [int(t.split()[0]) for t in page.locator(".topic-residents").all_inner_texts()]
    assert residents == sorted(residents, reverse=True) and sum(residents) >= 11

    cards.first.locator("a.topic-name").click()
    page.wait_for_selector("#topic-comments")
    page.click("#topic-edit summary")
    page.fill("#rename-name", "群众最关心的问题")
    page.click("#rename-form button[type=submit]")
    page.wait_for_selector("text=重新聚类后仍会保留")
    assert page.inner_text("#topic-title") == "群众最关心的问题"

    first = page.locator("#topic-comments input[name=comment_ids]").first
    first.check()
    page.fill("#split-name", "拆出来的议题")
    page.click("#split-submit")
    page.wait_for_selector("text=已把 1 条意见拆分为新议题")
    assert page.inner_text("#topic-title") == "拆出来的议题"
    assert page.locator(".topic-comment").count() == 1
