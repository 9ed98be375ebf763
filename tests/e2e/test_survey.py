"""A resident answers a survey on a phone-sized page (360×740) in a real Chromium: large-text mode, branching,
a required question first skipped, then the receipt code; staff see the result chart."""

from __future__ import annotations

import datetime as dt

from tests.e2e.conftest import seed


def _setup(db):
    from portal.models import Project, Stage, Survey, SurveyQuestion
    from portal.operations import users
    from portal.timeutil import local_today

    today = local_today()
    project = Project(slug="shiqiao-plan", name="石桥村村庄规划", kind="村庄规划", region="青川县石桥镇",
                      villages=["石桥村", "下坪村"], summary="石桥村村庄规划草案征求意见", body="规划内容")
    db.session.add(project)
    db.session.flush()
    stage = Stage(project=project, kind="planning", position=0, opens_on=today - dt.timedelta(days=3),
                  closes_on=today + dt.timedelta(days=27))
    db.session.add(stage)
    db.session.flush()
    survey = Survey(project_id=project.id, stage_id=stage.id, title="机耕路问卷", intro="三分钟填完",
                    opens_on=today, closes_on=today + dt.timedelta(days=10), published=True)
    db.session.add(survey)
    db.session.flush()
    machine = SurveyQuestion(survey_id=survey.id, position=0, kind="single", prompt="您家有农机吗？",
                             options=["有", "没有"], required=True)
    db.session.add(machine)
    db.session.flush()
    db.session.add_all([
        SurveyQuestion(survey_id=survey.id, position=1, kind="single", prompt="收割机需要多宽的路？",
                       options=["3米", "4米"], required=True, show_if_question_id=machine.id, show_if_options=["有"]),
        SurveyQuestion(survey_id=survey.id, position=2, kind="rating", prompt="对规划草案打分", scale_max=5,
                       required=True),
        SurveyQuestion(survey_id=survey.id, position=3, kind="text", prompt="其他意见"),
    ])
    users.create_user("reviewer1", "correct-horse", "reviewer")
    return survey.id


def test_resident_answers_survey_on_phone(live_app, live_server, page, staff_page):
    survey_id = seed(live_app, _setup)

    page.goto(live_server + "/projects/shiqiao-plan")
    page.click("#large-text-on")
    page.wait_for_selector("body.large-text")
    page.click("text=填写问卷")
    page.wait_for_selector("#survey-form")
    # Nothing is wider than the phone screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    branch = page.locator("fieldset[data-show-if]")
    assert branch.is_hidden()
    page.select_option("select[name=village]", "下坪村")
    page.click("label:has-text('有')")
    assert branch.is_visible()
    page.click("label:has-text('4米')")
    page.fill("textarea", "机耕路要修到地头，下雨天排水沟也要跟上。")
    # Skip the required rating: refused with a clear message, answers kept.
    page.click("#survey-submit")
    page.wait_for_selector(".question-error")
    assert "这道题必须回答" in page.inner_text(".question-error")
    assert page.input_value("textarea") == "机耕路要修到地头，下雨天排水沟也要跟上。"
    page.click("label[for$='-4']")
    page.click("#survey-submit")
    page.wait_for_selector("#receipt-code")
    code = page.inner_text("#receipt-code").strip()
    assert len(code) == 9 and code[4] == "-"
    assert "问卷已提交" in page.content()
    # Second visit from the same phone: the soft limit shows the earlier receipt.
    page.goto(f"{live_server}/surveys/{survey_id}")
    assert code in page.inner_text("#survey-done")

    staff_page.goto(live_server + "/staff/login")
    staff_page.fill("input[name=username]", "reviewer1")
    staff_page.fill("input[name=password]", "correct-horse")
    staff_page.click("input[type=submit], button[type=submit]")
    staff_page.goto(f"{live_server}/staff/participation/surveys/{survey_id}/results")
    staff_page.wait_for_selector(".chart canvas")  # ECharts served locally drew the charts
    assert "下雨天排水沟" in staff_page.content()
