"""Surveys end to end: staff build and publish, residents answer (branching, required, closed), results, exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from portal.models import Comment, Survey, SurveyResponse


@pytest.fixture
def survey_setup(app, db, client, login, make_project, today):
    """A published, open survey with single (with a branch), multiple, rating, ranking and text questions."""
    login()
    project = make_project()
    stage = project.stages[0]
    response = client.post(f"/staff/participation/projects/{project.id}/surveys/new", data={
        "title": "机耕路建设意见调查", "stage_id": str(stage.id), "intro": "三分钟填完",
        "opens_on": (today - dt.timedelta(days=1)).isoformat(), "closes_on": (today + dt.timedelta(days=10)).isoformat(),
        "one_per_device": "y",
    })
    assert response.status_code == 302
    survey = db.session.execute(db.select(Survey)).scalar_one()
    base = f"/staff/participation/surveys/{survey.id}/questions"
    add = [
        {"kind": "single", "prompt": "您家有农机吗？", "options": "有\n没有", "required": "y"},
        {"kind": "multiple", "prompt": "您最关心哪些方面？", "options": "路宽\n排水\n占地补偿"},
        {"kind": "rating", "prompt": "对规划草案打分", "scale_max": "5", "required": "y"},
        {"kind": "ranking", "prompt": "请排优先顺序", "options": "机耕路\n水渠\n晒场"},
        {"kind": "text", "prompt": "其他意见"},
    ]
    for values in add:
        assert client.post(base, data=values).status_code == 302
    first = survey.questions[0]
    # Branch: only farmers with machines are asked about the road width.
    assert client.post(base, data={"kind": "single", "prompt": "收割机需要多宽的路？", "options": "3米\n4米\n5米",
                                   "required": "y", "show_if_question_id": str(first.id),
                                   "show_if_options": "有"}).status_code == 302
    assert client.post(f"/staff/participation/surveys/{survey.id}/publish",
                       data={"what": "survey", "on": "1"}).status_code == 302
    db.session.refresh(survey)
    client.post("/staff/logout")
    return project, survey


def _relogin(client, username: str = "admin-user") -> None:
    response = client.post("/staff/login", data={"username": username, "password": "correct-horse"})
    assert response.status_code == 302


def _answers(survey: Survey, **overrides) -> dict:
    q = survey.questions
    data = {"village": "下坪村", f"q{q[0].id}": "有", f"q{q[1].id}": ["路宽", "排水"], f"q{q[2].id}": "4",
            f"q{q[3].id}_0": "2", f"q{q[3].id}_1": "1", f"q{q[3].id}_2": "3",
            f"q{q[4].id}": "机耕路要修到地头，不然收割机进不去。", f"q{q[5].id}": "4米"}
    data.update(overrides)
    return data


def test_resident_answers_and_gets_receipt(client, db, survey_setup):
    project, survey = survey_setup
    page = client.get(f"/surveys/{survey.id}")
    assert page.status_code == 200 and "机耕路建设意见调查" in page.get_data(as_text=True)
    response = client.post(f"/surveys/{survey.id}", data=_answers(survey))
    assert response.status_code == 302
    stored = db.session.execute(db.select(SurveyResponse)).scalar_one()
    q = survey.questions
    assert stored.answers[str(q[1].id)] == ["路宽", "排水"]
    assert stored.answers[str(q[2].id)] == 4
    assert stored.answers[str(q[3].id)] == ["水渠", "机耕路", "晒场"]
    assert stored.answers[str(q[5].id)] == "4米"
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert stored.receipt_code[:4] in receipt and "问卷已提交" in receipt
    # The free-text answer entered the comment pipeline with channel 问卷 (and was screened: QUEUE_IMMEDIATE).
    comment = db.session.get(Comment, stored.comment_ids[0])
    assert comment.channel == "问卷" and comment.village == "下坪村" and "收割机" in comment.text
    assert comment.screened_at is not None


def test_hidden_branch_answers_are_dropped_and_not_required(client, db, survey_setup):
    _, survey = survey_setup
    q = survey.questions
    # "没有" hides the required road-width question; a stray answer to it is ignored.
    response = client.post(f"/surveys/{survey.id}", data=_answers(survey, **{f"q{q[0].id}": "没有"}))
    assert response.status_code == 302
    stored = db.session.execute(db.select(SurveyResponse)).scalar_one()
    assert str(q[5].id) not in stored.answers


def test_required_question_skipped_is_refused_with_message(client, db, survey_setup):
    _, survey = survey_setup
    q = survey.questions
    data = _answers(survey)
    del data[f"q{q[2].id}"]  # required rating
    del data[f"q{q[5].id}"]  # required branch question, visible because q0 = 有
    response = client.post(f"/surveys/{survey.id}", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert html.count("这道题必须回答") == 2
    assert "机耕路要修到地头" in html  # what the resident typed is kept
    assert db.session.execute(db.select(db.func.count(SurveyResponse.id))).scalar_one() == 0


@pytest.mark.parametrize("field,value,message", [
    (0, "也许", "请从给出的选项中选择"),
    (2, "9", "请在 1 到 5 分之间选择"),
    (2, "²", "请在 1 到 5 分之间选择"),
    (3, None, "请给每个选项排一个不同的名次"),
])
def test_invalid_answers_are_refused(client, db, survey_setup, field, value, message):
    _, survey = survey_setup
    q = survey.questions
    data = _answers(survey)
    if value is None:
        data[f"q{q[3].id}_1"] = "2"  # two options ranked 2nd
    else:
        data[f"q{q[field].id}"] = value
    response = client.post(f"/surveys/{survey.id}", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_one_response_per_device(client, db, survey_setup):
    _, survey = survey_setup
    assert client.post(f"/surveys/{survey.id}", data=_answers(survey)).status_code == 302
    again = client.post(f"/surveys/{survey.id}", data=_answers(survey))
    assert again.status_code == 409
    assert "已经填写过这份问卷" in again.get_data(as_text=True)
    assert "已经填写过" in client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(SurveyResponse.id))).scalar_one() == 1


def test_survey_after_closing_is_refused(client, db, survey_setup, today):
    _, survey = survey_setup
    survey.opens_on, survey.closes_on = today - dt.timedelta(days=10), today - dt.timedelta(days=1)
    db.session.commit()
    assert "已经截止" in client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    response = client.post(f"/surveys/{survey.id}", data=_answers(survey))
    assert response.status_code == 409
    assert "已经截止" in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(SurveyResponse.id))).scalar_one() == 0


def test_draft_survey_and_unknown_ids_are_404(client, db, survey_setup):
    _, survey = survey_setup
    survey.published = False
    db.session.commit()
    assert client.get(f"/surveys/{survey.id}").status_code == 404
    assert client.get("/surveys/999").status_code == 404
    assert client.get("/surveys/receipt/not-a-code").status_code == 400
    assert client.get("/surveys/receipt/ABCD2345").status_code == 404


def test_builder_refuses_bad_questions(client, db, login, survey_setup):
    _, survey = survey_setup
    login(username="editor2")
    base = f"/staff/participation/surveys/{survey.id}/questions"
    one_option = client.post(base, data={"kind": "single", "prompt": "只有一个选项", "options": "是"})
    assert one_option.status_code == 400 and "至少要有两个选项" in one_option.get_data(as_text=True)
    bad_branch = client.post(base, data={"kind": "text", "prompt": "为什么？", "show_if_question_id":
                                         str(survey.questions[2].id), "show_if_options": "5"})
    assert bad_branch.status_code == 400 and "显示条件只能引用" in bad_branch.get_data(as_text=True)
    bad_dates = client.post(f"/staff/participation/surveys/{survey.id}/settings", data={
        "title": "x", "stage_id": str(survey.stage_id), "opens_on": "2026-12-10", "closes_on": "2026-12-01"})
    assert bad_dates.status_code == 400 and "截止日期不能早于开始日期" in bad_dates.get_data(as_text=True)


def test_results_crosstab_exports_and_public_summary(client, db, login, survey_setup):
    project, survey = survey_setup
    client.post(f"/surveys/{survey.id}", data=_answers(survey))
    q = survey.questions
    client.set_cookie("tj_device", "another-phone-another-phone", domain="localhost")
    client.post(f"/surveys/{survey.id}", data=_answers(survey, village="石桥村", **{f"q{q[0].id}": "没有",
                                                                                    f"q{q[2].id}": "2"}))
    assert db.session.execute(db.select(db.func.count(SurveyResponse.id))).scalar_one() == 2
    # Not public yet.
    assert client.get(f"/surveys/{survey.id}/summary").status_code == 404
    assert "问卷结果" not in client.get(f"/projects/{project.slug}").get_data(as_text=True)

    _relogin(client)
    page = client.get(f"/staff/participation/surveys/{survey.id}/results").get_data(as_text=True)
    assert "echarts.min.js" in page and "按村交叉统计" in page and "平均 3.0 分" in page
    assert "收割机进不去" in page
    xlsx = client.get(f"/staff/participation/surveys/{survey.id}/export?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("回执码", "提交时间", "村") and len(rows) == 3
    assert "水渠 > 机耕路 > 晒场" in rows[1]
    text = client.get(f"/staff/participation/surveys/{survey.id}/export?format=csv").data.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[2][2] == "石桥村"
    assert client.get(f"/staff/participation/surveys/{survey.id}/export?format=pdf").status_code == 400

    assert client.post(f"/staff/participation/surveys/{survey.id}/publish",
                       data={"what": "results", "on": "1"}).status_code == 302
    summary = client.get(f"/surveys/{survey.id}/summary").get_data(as_text=True)
    assert "共收到 2 份答卷" in summary and "收割机进不去" not in summary
    project_page = client.get(f"/projects/{project.slug}").get_data(as_text=True)
    assert f"/surveys/{survey.id}/summary" in project_page and "2 份答卷" in project_page
    assert "对规划草案打分" in project_page and "收割机进不去" not in project_page


def test_questions_locked_once_answered(client, db, login, survey_setup):
    _, survey = survey_setup
    client.post(f"/surveys/{survey.id}", data=_answers(survey))
    _relogin(client)
    response = client.post(f"/staff/participation/surveys/{survey.id}/questions/{survey.questions[1].id}/delete")
    assert response.status_code == 409 and "已经有人填写" in response.get_data(as_text=True)


def test_staff_pages_need_login(client, survey_setup):
    _, survey = survey_setup
    assert client.get(f"/staff/participation/surveys/{survey.id}/results").status_code == 302
    assert client.get("/staff/participation/").status_code == 302


def test_copy_keeps_questions_and_conditions(client, db, survey_setup):
    _, survey = survey_setup
    client.post(f"/surveys/{survey.id}", data=_answers(survey))
    _relogin(client)
    response = client.post(f"/staff/participation/surveys/{survey.id}/copy")
    assert response.status_code == 302
    copy = db.session.execute(db.select(Survey).where(Survey.id != survey.id)).scalar_one()
    assert not copy.published and copy.title.endswith("（副本）")
    assert [q.prompt for q in copy.questions] == [q.prompt for q in survey.questions]
    assert copy.questions[5].show_if_question_id == copy.questions[0].id
    # The copy has no answers, so its questions can change again.
    assert client.post(f"/staff/participation/surveys/{copy.id}/questions/{copy.questions[1].id}/delete"
                       ).status_code == 302


def test_survey_form_works_with_csrf_on(tmp_path, today):
    """The real app has CSRF on: the survey page carries a token, and a post without it is refused (400)."""
    import re

    from portal.extensions import db as _db
    from portal.models import Project, Stage, SurveyQuestion
    from tests.conftest import build_app

    app = build_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        project = Project(slug="p", name="项目", kind="村庄规划", villages=[])
        _db.session.add(project)
        _db.session.flush()
        stage = Stage(project=project, kind="planning", opens_on=today, closes_on=today)
        _db.session.add(stage)
        _db.session.flush()
        survey = Survey(project_id=project.id, stage_id=stage.id, title="问卷", opens_on=today, closes_on=today,
                        published=True)
        _db.session.add(survey)
        _db.session.flush()
        _db.session.add(SurveyQuestion(survey_id=survey.id, kind="single", prompt="好吗", options=["好", "不好"]))
        _db.session.commit()
        survey_id, question_id = survey.id, survey.questions[0].id
        client = app.test_client()
        page = client.get(f"/surveys/{survey_id}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert client.post(f"/surveys/{survey_id}", data={f"q{question_id}": "好"}).status_code == 400
        ok = client.post(f"/surveys/{survey_id}", data={f"q{question_id}": "好", "csrf_token": token})
        assert ok.status_code == 302
        _db.session.remove()
        _db.drop_all()
