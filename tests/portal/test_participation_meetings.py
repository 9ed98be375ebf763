"""Meetings and hearings: announcement, registration (duplicate, full, deadline), export, hearing requests with
decisions, and minutes split into statements that enter the comment pipeline."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from openpyxl import load_workbook

from portal.models import Comment, HearingRequest, Meeting, MeetingRegistration
from portal.timeutil import to_local, utcnow


def _local(delta: dt.timedelta) -> str:
    return to_local(utcnow() + delta).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def meeting(app, db, client, login, make_project):
    login()
    project = make_project()
    response = client.post(f"/staff/participation/projects/{project.id}/meetings/new", data={
        "kind": "座谈会", "title": "机耕路方案村民座谈会", "stage_id": str(project.stages[0].id),
        "starts_at": _local(dt.timedelta(days=7)), "place": "石桥村村委会二楼", "agenda": "一、介绍方案\n二、村民发言",
        "capacity": "2", "registration_deadline": _local(dt.timedelta(days=6)), "published": "y",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/staff/logout")
    return db.session.execute(db.select(Meeting)).scalar_one()


def _relogin(client) -> None:
    assert client.post("/staff/login", data={"username": "admin-user", "password": "correct-horse"}).status_code == 302


def test_register_receipt_duplicate_and_capacity(client, db, meeting):
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "石桥村村委会二楼" in page and "还剩 2 个" in page
    first = client.post(f"/meetings/{meeting.id}", data={"name": "王大爷", "phone": "138 0000 1234",
                                                          "village": "石桥村"})
    assert first.status_code == 302
    receipt = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "报名成功" in receipt and "王大爷" not in receipt
    # Same phone written differently: refused as a duplicate.
    again = client.post(f"/meetings/{meeting.id}", data={"name": "王大爷", "phone": "13800001234"})
    assert again.status_code == 409 and "已经报过名" in again.get_data(as_text=True)
    assert client.post(f"/meetings/{meeting.id}", data={"name": "李婶", "phone": "13900002222"}).status_code == 302
    full = client.post(f"/meetings/{meeting.id}", data={"name": "赵叔", "phone": "13700003333"})
    assert full.status_code == 409 and "名额已满" in full.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(MeetingRegistration.id))).scalar_one() == 2


@pytest.mark.parametrize("data,message", [
    ({"name": "", "phone": "13800001234"}, "请填写姓名"),
    ({"name": "王", "phone": "call me"}, "联系电话格式不对"),
    ({"name": "王", "phone": "13800001234", "village": "火星村"}, "本项目涉及的村"),
])
def test_registration_bad_input(client, db, meeting, data, message):
    response = client.post(f"/meetings/{meeting.id}", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_registration_after_deadline(client, db, meeting):
    meeting.registration_deadline = utcnow() - dt.timedelta(hours=1)
    db.session.commit()
    assert "报名已经截止" in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    response = client.post(f"/meetings/{meeting.id}", data={"name": "王", "phone": "13800001234"})
    assert response.status_code == 409 and "报名已经截止" in response.get_data(as_text=True)


def test_meeting_form_refuses_deadline_after_start(client, db, meeting):
    _relogin(client)
    response = client.post(f"/staff/participation/meetings/{meeting.id}/edit", data={
        "kind": "座谈会", "title": "x", "stage_id": str(meeting.stage_id), "starts_at": _local(dt.timedelta(days=1)),
        "place": "村委会", "capacity": "10", "registration_deadline": _local(dt.timedelta(days=2))})
    assert response.status_code == 400 and "报名截止时间不能晚于会议开始时间" in response.get_data(as_text=True)


def test_staff_list_and_export(client, db, meeting):
    client.post(f"/meetings/{meeting.id}", data={"name": "王大爷", "phone": "13800001234", "note": "=HYPERLINK()"})
    _relogin(client)
    page = client.get(f"/staff/participation/meetings/{meeting.id}").get_data(as_text=True)
    assert "王大爷" in page and "13800001234" in page
    xlsx = client.get(f"/staff/participation/meetings/{meeting.id}/export?format=xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert rows[1][1] == "王大爷" and rows[1][4] == "'=HYPERLINK()"  # formula neutralised
    csv_text = client.get(f"/staff/participation/meetings/{meeting.id}/export?format=csv").data.decode("utf-8-sig")
    assert "王大爷" in csv_text


def test_hearing_request_and_decision(client, db, meeting, today):
    project = meeting.project
    page = client.get(f"/projects/{project.slug}/hearing-request").get_data(as_text=True)
    assert "土地管理法" in page and "行政许可法" in page
    bad = client.post(f"/projects/{project.slug}/hearing-request", data={
        "legal_basis": "land_47", "reason": "不", "applicant_name": "张三", "phone": "13800001234"})
    assert bad.status_code == 400 and "至少 5 个字" in bad.get_data(as_text=True)
    response = client.post(f"/projects/{project.slug}/hearing-request", data={
        "legal_basis": "land_47", "reason": "征地补偿安置方案的青苗补偿标准过低，多数村民不同意。",
        "applicant_name": "张三", "phone": "13800001234", "village": "石桥村"})
    assert response.status_code == 302
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "待决定" in receipt and "张三" not in receipt
    hearing = db.session.execute(db.select(HearingRequest)).scalar_one()

    _relogin(client)
    refused = client.post(f"/staff/participation/hearing-requests/{hearing.id}/decide",
                          data={"status": "refused", "decision_note": ""})
    assert refused.status_code == 400 and "必须写明理由" in refused.get_data(as_text=True)
    future = client.post(f"/staff/participation/hearing-requests/{hearing.id}/decide",
                         data={"status": "granted", "decided_on": (today + dt.timedelta(days=3)).isoformat()})
    assert future.status_code == 400 and "不能晚于今天" in future.get_data(as_text=True)
    ok = client.post(f"/staff/participation/hearing-requests/{hearing.id}/decide",
                     data={"status": "granted", "decided_on": today.isoformat(), "decision_note": "定于下月举行"})
    assert ok.status_code == 302
    db.session.refresh(hearing)
    assert hearing.status == "granted" and hearing.decided_on == today
    client.post("/staff/logout")
    shown = client.get(f"/hearing-requests/{hearing.receipt_code}").get_data(as_text=True)
    assert "同意举行听证" in shown and "定于下月举行" in shown


def _docx(lines: list[str]) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_transcript_split_into_comments(client, db, meeting):
    _relogin(client)
    data = _docx(["机耕路方案村民座谈会纪要", "时间：2026年12月8日", "主持人：今天请大家谈谈机耕路。",
                  "王大爷：路要修到4米宽，收割机才进得去。", "还要留排水沟。",
                  "李婶（下坪村）：占了我家的地，补偿怎么算？", "记录人：小刘"])
    response = client.post(f"/staff/participation/meetings/{meeting.id}/transcripts",
                           data={"file": (io.BytesIO(data), "纪要.docx")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    comments = db.session.execute(db.select(Comment).order_by(Comment.id)).scalars().all()
    assert [c.author_name for c in comments] == ["王大爷", "李婶"]
    assert all(c.channel == "座谈会" and c.screened_at is not None for c in comments)
    assert "排水沟" in comments[0].text
    # The same file again is refused, nothing counted twice.
    again = client.post(f"/staff/participation/meetings/{meeting.id}/transcripts",
                        data={"file": (io.BytesIO(data), "纪要.docx")}, content_type="multipart/form-data")
    assert again.status_code == 409 and "已经上传过" in again.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(Comment.id))).scalar_one() == 2


def test_transcript_txt_gbk_and_bad_files(client, db, meeting):
    _relogin(client)
    url = f"/staff/participation/meetings/{meeting.id}/transcripts"
    gbk = "村里的路太窄了。\n\n希望多种树。\n".encode("gb18030")
    assert client.post(url, data={"file": (io.BytesIO(gbk), "记录.txt")},
                       content_type="multipart/form-data").status_code == 302
    assert db.session.execute(db.select(db.func.count(Comment.id))).scalar_one() == 2
    wrong = client.post(url, data={"file": (io.BytesIO(b"MZ..."), "virus.exe")}, content_type="multipart/form-data")
    assert wrong.status_code == 400 and "不支持这种文件类型" in wrong.get_data(as_text=True)
    broken = client.post(url, data={"file": (io.BytesIO(b"not a zip"), "a.docx")}, content_type="multipart/form-data")
    assert broken.status_code == 400 and "无法读取这个 Word 文件" in broken.get_data(as_text=True)
    empty = client.post(url, data={"file": (io.BytesIO(b""), "a.txt")}, content_type="multipart/form-data")
    assert empty.status_code == 400
    pdf = client.post(url, data={"file": (io.BytesIO(b"%PDF-1.4"), "a.pdf")}, content_type="multipart/form-data")
    assert pdf.status_code == 400  # a damaged PDF (no text to read): a clear message, not a 500
    assert "无法从这个 PDF 中提取文字" in pdf.get_data(as_text=True)
    assert "pdf" in client.get(f"/staff/participation/meetings/{meeting.id}").get_data(as_text=True).split(
        "允许的文件类型")[1][:30]


def test_unknown_and_unpublished_meetings(client, db, meeting):
    assert client.get("/meetings/999").status_code == 404
    meeting.published = False
    db.session.commit()
    assert client.get(f"/meetings/{meeting.id}").status_code == 404
    assert client.get("/meetings/receipt/ABCD2345").status_code == 404


def test_staff_pages_render_with_data(client, db, meeting):
    """Every staff page of the area renders (200) once there is data on it."""
    from portal.models import Survey, SurveyQuestion
    from portal.timeutil import local_today

    project = meeting.project
    client.post(f"/meetings/{meeting.id}", data={"name": "王大爷", "phone": "13800001234"})
    client.post(f"/projects/{project.slug}/hearing-request", data={
        "legal_basis": "licensing_47", "reason": "涉及我家宅基地的重大利益。", "applicant_name": "张三",
        "phone": "13800001234"})
    survey = Survey(project_id=project.id, stage_id=meeting.stage_id, title="问卷", opens_on=local_today(),
                    closes_on=local_today())
    db.session.add(survey)
    db.session.flush()
    first = SurveyQuestion(survey_id=survey.id, kind="single", prompt="有农机吗", options=["有", "没有"])
    db.session.add(first)
    db.session.flush()
    db.session.add(SurveyQuestion(survey_id=survey.id, position=1, kind="text", prompt="为什么",
                                  show_if_question_id=first.id, show_if_options=["有"]))
    db.session.commit()
    _relogin(client)
    for url in ["/staff/participation/", f"/staff/participation/projects/{project.id}",
                f"/staff/participation/projects/{project.id}/surveys/new",
                f"/staff/participation/surveys/{survey.id}", f"/staff/participation/surveys/{survey.id}/settings",
                f"/staff/participation/surveys/{survey.id}/results",
                f"/staff/participation/projects/{project.id}/meetings/new",
                f"/staff/participation/meetings/{meeting.id}/edit", f"/staff/participation/meetings/{meeting.id}",
                f"/staff/participation/projects/{project.id}/imports"]:
        response = client.get(url)
        assert response.status_code == 200, url
    edit = client.get(f"/staff/participation/meetings/{meeting.id}/edit").get_data(as_text=True)
    assert "石桥村村委会二楼" in edit
    assert "仅当“有农机吗”选了：有 时显示" in client.get(f"/staff/participation/surveys/{survey.id}").get_data(
        as_text=True)
    assert client.get("/staff/participation/projects/999").status_code == 404


def test_split_statements_rules():
    from portal.participation.meetings import _chunks, split_statements

    lines = ["座谈会纪要", "主持人：开始。", "王五（下坪村）：第一句。", "第二句。", "时间：上午", "赵六:好的"]
    statements, skipped = split_statements(lines, ("主持人", "时间"))
    assert statements == [("王五", "第一句。\n第二句。"), ("赵六", "好的")]
    assert skipped == 3  # title before the first speaker, chair, header field
    plain, skipped = split_statements(["路太窄。", "", "水渠要修。"], ())
    assert plain == [(None, "路太窄。"), (None, "水渠要修。")] and skipped == 0
    parts = _chunks("一二三。四五六。七八九十。", 5)
    assert all(len(p) <= 5 for p in parts) and "".join(parts) == "一二三。四五六。七八九十。"
