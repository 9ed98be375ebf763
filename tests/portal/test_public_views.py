"""Resident pages through the test client, including every bad case of the foundation issue."""

from __future__ import annotations

import re

import pytest

from portal.models import Comment
from tests.conftest import build_app


def _code_from(response) -> str:
    match = re.search(r'id="receipt-code">([2-9A-Z]{4}-[2-9A-Z]{4})<', response.get_data(as_text=True))
    assert match, "receipt code not shown"
    return match.group(1)


def test_home_and_project_pages(client, make_project):
    project = make_project(stages="open closed upcoming", name="石桥村村庄规划")
    home = client.get("/")
    assert home.status_code == 200 and "石桥村村庄规划" in home.get_data(as_text=True)
    page = client.get(f"/projects/{project.slug}").get_data(as_text=True)
    assert "正在征集意见" in page and "已结束" in page and "尚未开始" in page


def test_submit_comment_and_look_it_up(client, db, make_project):
    project = make_project()
    stage = project.stages[0]
    response = client.post(f"/projects/{project.slug}/comment?stage={stage.id}",
                           data={"stage_id": stage.id, "text": "机耕路能不能修宽一点", "village": "下坪村",
                                 "author_name": "陈大爷", "phone": "13800005678"}, follow_redirects=True)
    assert response.status_code == 200
    code = _code_from(response)
    assert "您的意见已收到" in response.get_data(as_text=True)
    lookup = client.get(f"/lookup?code={code.lower()}", follow_redirects=True)
    text = lookup.get_data(as_text=True)
    assert "已收到" in text and "陈大爷" not in text and "13800005678" not in text
    assert db.session.execute(db.select(Comment)).scalar_one().village == "下坪村"


@pytest.mark.parametrize("text,message", [("", "不能为空"), ("    ", "不能为空"), ("长" * 2001, "2000 字以内")])
def test_bad_comment_text_gets_chinese_error(client, db, make_project, text, message):
    project = make_project()
    stage = project.stages[0]
    response = client.post(f"/projects/{project.slug}/comment?stage={stage.id}",
                           data={"stage_id": stage.id, "text": text})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(Comment.id))).scalar_one() == 0


def test_html_is_escaped_never_executed(client, db, make_project, make_user):
    project = make_project()
    stage = project.stages[0]
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client.post(f"/projects/{project.slug}/comment?stage={stage.id}", data={"stage_id": stage.id, "text": payload})
    comment = db.session.execute(db.select(Comment)).scalar_one()
    assert comment.text == payload  # kept as written
    comment.redacted_text = comment.redacted_text or payload
    comment.published = True
    db.session.commit()
    page = client.get(f"/projects/{project.slug}/comments").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_closed_stage_refuses_with_message(client, db, make_project):
    project = make_project(stages="open closed")
    closed = next(s for s in project.stages if s.kind == "implementation")
    response = client.post(f"/projects/{project.slug}/comment?stage={closed.id}",
                           data={"stage_id": closed.id, "text": "意见"})
    assert response.status_code == 409
    assert "目前不能提交意见" in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(Comment.id))).scalar_one() == 0


@pytest.mark.parametrize("code,status,message", [("abc", 400, "格式不对"), ("ZZZZ-ZZZ9", 404, "没有找到"),
                                                  ("", 400, "请输入回执码")])
def test_bad_receipt_codes(client, make_project, code, status, message):
    response = client.get(f"/lookup?code={code}")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_unknown_ids_give_chinese_404(client, make_project):
    project = make_project()
    for url in ["/projects/nope", f"/projects/{project.slug}/notices/9999", "/documents/12345", "/receipt/ZZZZZZZZ",
                "/no/such/page"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "不存在" in response.get_data(as_text=True) or "没有找到" in response.get_data(as_text=True) \
            or "找不到" in response.get_data(as_text=True)


def test_missing_csrf_token_is_a_clear_400(tmp_path):
    app = build_app(tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        from portal.extensions import db
        from portal.models import Project, Stage
        from portal.timeutil import local_today

        project = Project(slug="p-csrf", name="项目", kind="村庄规划", villages=[])
        db.session.add(project)
        db.session.flush()
        stage = Stage(project=project, kind="planning", opens_on=local_today(), closes_on=local_today())
        db.session.add(stage)
        db.session.commit()
        response = client.post(f"/projects/p-csrf/comment?stage={stage.id}", data={"text": "意见"})
        assert response.status_code == 400
        assert "CSRF" in response.get_data(as_text=True) or "过期" in response.get_data(as_text=True)
        assert db.session.execute(db.select(db.func.count(Comment.id))).scalar_one() == 0


def test_rate_limit_gives_429_in_chinese(tmp_path):
    app = build_app(tmp_path, RATELIMIT_ENABLED=True, COMMENT_RATE_LIMIT="2 per minute")
    client = app.test_client()
    with app.app_context():
        from portal.extensions import db
        from portal.models import Project, Stage
        from portal.timeutil import local_today

        project = Project(slug="p-rate", name="项目", kind="村庄规划", villages=[])
        db.session.add(project)
        db.session.flush()
        stage = Stage(project=project, kind="planning", opens_on=local_today(), closes_on=local_today())
        db.session.add(stage)
        db.session.commit()
        statuses = [client.post(f"/projects/p-rate/comment?stage={stage.id}",
                                data={"stage_id": stage.id, "text": f"意见{i}"}).status_code for i in range(3)]
        assert statuses == [302, 302, 429]
        last = client.post(f"/projects/p-rate/comment?stage={stage.id}", data={"stage_id": stage.id, "text": "x"})
        assert "太频繁" in last.get_data(as_text=True)
        # the two accepted comments are kept
        assert db.session.execute(db.select(db.func.count(Comment.id))).scalar_one() == 2


def test_too_large_request_gives_413(tmp_path):
    app = build_app(tmp_path, MAX_CONTENT_LENGTH=1024)
    with app.app_context():
        from portal.extensions import db
        from portal.models import Project

        db.session.add(Project(slug="p-big", name="项目", kind="村庄规划", villages=[]))
        db.session.commit()
    response = app.test_client().post("/projects/p-big/comment", data={"text": "长" * 5000})
    assert response.status_code == 413
    assert "太大" in response.get_data(as_text=True)


def test_large_text_mode_toggle(client, make_project):
    response = client.get("/large-text?on=1&next=/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert 'class="large-text"' in client.get("/").get_data(as_text=True)
    client.get("/large-text?on=0&next=https://evil.example/")
    assert 'class="large-text"' not in client.get("/").get_data(as_text=True)
    assert client.get("/large-text?on=1&next=//evil.example").headers["Location"] == "/"


def test_english_locale(client, make_project):
    make_project()
    assert client.get("/?lang=en").status_code == 200


def test_public_list_never_shows_private_fields(client, db, make_project):
    project = make_project()
    stage = project.stages[0]
    client.post(f"/projects/{project.slug}/comment?stage={stage.id}",
                data={"stage_id": stage.id, "text": "我的电话13912345678，坟地不能迁", "author_name": "王秀英",
                      "phone": "13987654321"})
    comment = db.session.execute(db.select(Comment)).scalar_one()
    comment.published = True
    comment.redacted_text = comment.redacted_text or "我的电话139****5678，坟地不能迁"
    db.session.commit()
    page = client.get(f"/projects/{project.slug}/comments").get_data(as_text=True)
    assert "坟地不能迁" in page
    for secret in ("王秀英", "13987654321", "13912345678"):
        assert secret not in page


def test_huge_ids_in_urls_are_not_found_not_server_errors(client, login):
    login()
    response = client.get("/staff/comments/" + "9" * 30)
    assert response.status_code == 404


def test_home_and_project_pages_link_to_the_question_page(client, make_project):
    project = make_project()
    assert b'href="/qa"' in client.get("/").data
    assert f'href="/qa?project={project.id}"'.encode() in client.get(f"/projects/{project.slug}").data


def test_numbers_too_large_for_the_database_in_query_strings_are_not_server_errors(client, login):
    login()
    huge = "9" * 30
    for url in [f"/staff/?project={huge}", f"/staff/respond/assign?target=comment&comment_id={huge}",
                f"/staff/qa/questions?project={huge}"]:
        assert client.get(url).status_code in (400, 404), url


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert client.get(response.headers["Location"]).status_code == 200
