"""Staff back office through the test client: sign-in, filters, replies, projects, notices, uploads."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from portal.models import AuditEvent, Comment, Document, Notice, Project
from portal.operations import comments as comment_ops

PDF = b"%PDF-1.4\n%%EOF\n"


def _comment(project, text="机耕路太窄", **kw):
    comment = comment_ops.submit_comment(project, project.stages[0].id, text, **kw)
    return comment


def test_staff_pages_require_login(client):
    for url in ["/staff/", "/staff/projects", "/staff/comments/new", "/staff/comments/1"]:
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"], url


def test_wrong_password_gets_chinese_message(client, make_user):
    make_user("chen")
    response = client.post("/staff/login", data={"username": "chen", "password": "wrong-one"})
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)


def test_login_does_not_redirect_off_site(client, make_user):
    make_user("chen")
    response = client.post("/staff/login?next=//evil.example/x", data={"username": "chen", "password": "correct-horse"})
    assert response.headers["Location"] == "/staff/"


def test_comment_list_filters_and_search(client, db, login, make_project):
    login()
    first, second = make_project(name="甲项目"), make_project(name="乙项目")
    _comment(first, "青苗补偿太低了")
    _comment(second, "祖坟不能迁", channel="电话")
    db.session.commit()
    page = client.get(f"/staff/?project={first.id}").get_data(as_text=True)
    assert "青苗补偿太低了" in page and "祖坟不能迁" not in page
    assert "祖坟不能迁" in client.get("/staff/?q=祖坟").get_data(as_text=True)
    assert "青苗补偿" not in client.get("/staff/?channel=电话").get_data(as_text=True)
    # a malformed date does not break the page
    response = client.get("/staff/?date_from=not-a-date")
    assert response.status_code == 200 and "筛选条件有误" in response.get_data(as_text=True)


def test_reply_through_the_form(client, db, login, make_project):
    login()
    project = make_project()
    comment = _comment(project)
    db.session.commit()
    response = client.post(f"/staff/comments/{comment.id}/reply",
                           data={"text": "已纳入设计。", "adoption": "adopted", "adoption_reason": "符合规范"})
    assert response.status_code == 302
    db.session.refresh(comment)
    assert comment.status == "answered" and comment.adoption == "adopted"
    receipt = client.get(f"/receipt/{comment.receipt_code}").get_data(as_text=True)
    assert "已纳入设计" in receipt and "符合规范" in receipt


def test_reply_without_reason_for_adoption_is_refused(client, db, login, make_project):
    login()
    project = make_project()
    comment = _comment(project)
    db.session.commit()
    response = client.post(f"/staff/comments/{comment.id}/reply", data={"text": "好的", "adoption": "rejected"})
    assert response.status_code == 400 and "理由" in response.get_data(as_text=True)
    assert db.session.get(Comment, comment.id).replies == []


def test_unknown_comment_is_404(client, login):
    login()
    assert client.get("/staff/comments/424242").status_code == 404
    assert client.post("/staff/comments/424242/reply", data={"text": "x"}).status_code == 404


def test_offline_entry_records_channel_and_gives_receipt(client, db, login, make_project):
    user = login()
    project = make_project(stages="closed")
    stage = project.stages[0]
    response = client.post("/staff/comments/new", data={"stage_id": stage.id, "channel": "纸质意见表",
                                                         "text": "张大爷纸质意见表：沟渠要清淤", "village": "石桥村"})
    assert response.status_code == 302
    comment = db.session.execute(db.select(Comment)).scalar_one()
    assert comment.channel == "纸质意见表" and comment.entered_by_id == user.id
    assert db.session.execute(db.select(AuditEvent).filter_by(action="comment.enter_offline")).scalar_one()


def test_offline_entry_bad_input(client, db, login, make_project):
    login()
    project = make_project()
    response = client.post("/staff/comments/new", data={"stage_id": project.stages[0].id, "channel": "电话",
                                                         "text": "   "})
    assert response.status_code == 400
    response = client.post("/staff/comments/new", data={"stage_id": 99999, "channel": "电话", "text": "意见"})
    assert response.status_code == 404 and "阶段" in response.get_data(as_text=True)


def test_create_and_edit_project(client, db, login):
    login()
    response = client.post("/staff/projects/new", data={
        "name": "东岗村村庄规划", "slug": "donggang", "kind": "村庄规划", "region": "青川县",
        "villages": "东岗村\n新塘村", "status": "active"})
    assert response.status_code == 302
    project = db.session.execute(db.select(Project).filter_by(slug="donggang")).scalar_one()
    assert project.villages == ["东岗村", "新塘村"]
    response = client.post(f"/staff/projects/{project.id}/edit", data={
        "name": "东岗村村庄规划（修改）", "slug": "donggang", "kind": "村庄规划", "status": "active"})
    assert response.status_code == 302
    assert db.session.get(Project, project.id).name.endswith("（修改）")
    bad = client.post("/staff/projects/new", data={"name": "x", "slug": "NO WAY", "kind": "村庄规划",
                                                   "status": "active"})
    assert bad.status_code == 400 and "网址标识" in bad.get_data(as_text=True)


def test_stage_and_notice_forms(client, db, login, make_project, today):
    login()
    project = make_project(stages="")
    response = client.post(f"/staff/projects/{project.id}/stages/new", data={
        "kind": "planning", "opens_on": today.isoformat(), "closes_on": (today - dt.timedelta(days=1)).isoformat()})
    assert response.status_code == 400 and "结束日期不能早于开始日期" in response.get_data(as_text=True)
    short = {"kind": "公示", "title": "草案公示", "starts_on": today.isoformat(),
             "ends_on": (today + dt.timedelta(days=9)).isoformat(), "published": "y"}
    response = client.post(f"/staff/projects/{project.id}/notices/new", data=short)
    assert response.status_code == 400 and "不得少于 30 日" in response.get_data(as_text=True)
    response = client.post(f"/staff/projects/{project.id}/notices/new",
                           data={**short, "short_period_reason": "应急工程"})
    assert response.status_code == 302
    notice = db.session.execute(db.select(Notice)).scalar_one()
    assert notice.short_period_reason == "应急工程"
    page = client.get(f"/projects/{project.slug}/notices/{notice.id}").get_data(as_text=True)
    assert "应急工程" in page and "还剩 10 天" in page


def test_upload_and_download_document(client, db, login, make_project):
    login()
    project = make_project()
    response = client.post(f"/staff/projects/{project.id}/documents/new", data={
        "file": (io.BytesIO(PDF), "规划图.pdf"), "doc_type": "规划图", "title": ""},
        content_type="multipart/form-data")
    assert response.status_code == 302
    document = db.session.execute(db.select(Document)).scalar_one()
    download = client.get(f"/documents/{document.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    bad = client.post(f"/staff/projects/{project.id}/documents/new", data={
        "file": (io.BytesIO(b"<html>"), "page.html"), "doc_type": "其他"}, content_type="multipart/form-data")
    assert bad.status_code == 400 and "不支持" in bad.get_data(as_text=True)
    missing = client.post(f"/staff/projects/{project.id}/documents/new", data={"doc_type": "其他"},
                          content_type="multipart/form-data")
    assert missing.status_code == 400 and "请选择要上传的文件" in missing.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/staff/projects/new", "/staff/projects/1/edit"])
def test_department_staff_cannot_edit_projects(client, login, make_project, url):
    make_project()
    login(role="department")
    assert client.get(url).status_code == 403


def test_publish_requires_screening(client, db, login, make_project):
    login()
    project = make_project()
    comment = _comment(project)
    comment.redacted_text = None
    comment.screening_state = "pending"
    db.session.commit()
    client.post(f"/staff/comments/{comment.id}/publish", data={"publish": "1"})
    assert db.session.get(Comment, comment.id).published is False


def test_department_staff_see_and_answer_only_their_departments_comments(client, db, make_user, login,
                                                                         make_project):
    from portal.respond import operations as respond_ops

    project = make_project()
    mine, other = _comment(project, "机耕路太窄，收割机进不去"), _comment(project, "祖坟不能迁")
    coordinator = make_user("coordinator")
    db.session.commit()
    clerk = login("department", username="clerk")
    respond_ops.assign("comment", department_id=clerk.department_id, user=coordinator, comment_id=mine.id)
    db.session.commit()

    listing = client.get("/staff/").get_data(as_text=True)
    assert "机耕路太窄" in listing and "祖坟不能迁" not in listing
    assert client.get(f"/staff/comments/{mine.id}").status_code == 200
    # a guessed id of a comment held by nobody in the department answers like a missing one
    assert client.get(f"/staff/comments/{other.id}").status_code == 404
    assert client.post(f"/staff/comments/{other.id}/reply", data={"text": "已转交"}).status_code == 404
    assert client.post(f"/staff/comments/{other.id}/status", data={"status": "processing"}).status_code == 404
    assert client.post(f"/staff/comments/{other.id}/rescreen").status_code == 403
    assert db.session.get(Comment, other.id).replies == []


def test_absurd_page_numbers_fall_back_to_the_first_page(client, login):
    login()
    for url in ["/staff/?page=" + "9" * 30, "/staff/?page=-3", "/staff/?page=abc"]:
        assert client.get(url).status_code == 200, url
