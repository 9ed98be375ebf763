"""Projects, stages, notices with statutory periods, and document uploads."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from portal.models import AuditEvent, Notice
from portal.operations import projects as ops
from portal.operations.errors import ValidationError

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _office(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return buffer.getvalue()


def _notice(today, days, **extra):
    return {"kind": "公示", "title": "村庄规划草案公示", "body": "内容", "starts_on": today,
            "ends_on": today + dt.timedelta(days=days - 1), **extra}


def test_stage_open_state(app, make_project, today):
    project = make_project(stages="open closed upcoming")
    phases = {s.kind: s.phase(today) for s in project.stages}
    assert phases == {"planning": "open", "implementation": "closed", "acceptance": "upcoming"}
    assert [s.kind for s in project.open_stages(today)] == ["planning"]


def test_stage_close_before_open_rejected(app, make_project, today):
    project = make_project(stages="")
    with pytest.raises(ValidationError, match="结束日期不能早于开始日期"):
        ops.save_stage(project, {"kind": "planning", "opens_on": today, "closes_on": today - dt.timedelta(days=1)},
                       None)


def test_notice_end_before_start_rejected(app, make_project, today):
    project = make_project()
    with pytest.raises(ValidationError, match="结束日期不能早于开始日期"):
        ops.save_notice(project, _notice(today, -3), None)


def test_planning_notice_needs_thirty_days_or_a_recorded_reason(app, db, make_project, today):
    project = make_project(kind="村庄规划")
    with pytest.raises(ValidationError, match="不得少于 30 日"):
        ops.save_notice(project, _notice(today, 29), None)
    thirty = ops.save_notice(project, _notice(today, 30), None)
    assert thirty.short_period_reason is None and thirty.period_days == 30
    short = ops.save_notice(project, _notice(today, 10, short_period_reason="防汛抢险工程，经县政府批准缩短"), None)
    db.session.commit()
    assert short.short_period_reason.startswith("防汛")
    event = db.session.execute(db.select(AuditEvent).filter_by(action="notice.short_period")).scalar_one()
    assert event.after["period_days"] == 10 and event.after["minimum_days"] == 30


def test_minimum_period_is_configurable_per_kind(app, make_project, today):
    app.config["NOTICE_MIN_DAYS"] = {**app.config["NOTICE_MIN_DAYS"], "高标准农田建设": 15}
    project = make_project(kind="高标准农田建设")
    with pytest.raises(ValidationError, match="15 日"):
        ops.save_notice(project, _notice(today, 14), None)
    assert ops.save_notice(project, _notice(today, 7, kind="公告"), None).kind == "公告"


def test_days_left_counts_today(app, make_project, today):
    notice = Notice(title="t", starts_on=today - dt.timedelta(days=5), ends_on=today + dt.timedelta(days=2))
    assert notice.days_left(today) == 3
    assert notice.days_left(today + dt.timedelta(days=10)) == 0


@pytest.mark.parametrize("name,content", [("map.pdf", PDF), ("photo.png", PNG), ("text.docx", _office("docx")),
                                          ("sheet.xlsx", _office("xlsx"))])
def test_valid_uploads_are_stored(app, make_project, name, content):
    project = make_project()
    document = ops.save_document(project, io.BytesIO(content), name, None, "规划图", None)
    with open(ops.document_path(document), "rb") as stored:
        assert stored.read() == content
    assert document.title == name and document.size == len(content)


@pytest.mark.parametrize("name,content,message", [
    ("virus.exe", b"MZ\x90\x00", "不支持"),
    ("fake.pdf", b"MZ\x90\x00 not a pdf", "不符"),
    ("fake.docx", _office("xlsx"), "不符"),
    ("empty.pdf", b"", "空"),
    ("noext", PDF, "请选择"),
])
def test_bad_uploads_are_refused(app, make_project, name, content, message):
    project = make_project()
    with pytest.raises(ValidationError, match=message):
        ops.save_document(project, io.BytesIO(content), name, None, "其他", None)


def test_upload_filename_cannot_escape_folder(app, make_project):
    project = make_project()
    document = ops.save_document(project, io.BytesIO(PDF), "../../etc/passwd.pdf", None, "其他", None)
    assert document.original_name == "passwd.pdf"
    assert "/" not in document.stored_name


def test_project_slug_validation(app, make_project):
    make_project(slug="taken")
    base = {"name": "新项目", "kind": "村庄规划", "status": "active"}
    with pytest.raises(ValidationError, match="网址标识"):
        ops.save_project({**base, "slug": "Bad Slug!"}, None)
    with pytest.raises(ValidationError, match="已被"):
        ops.save_project({**base, "slug": "taken"}, None)
    with pytest.raises(ValidationError, match="类型"):
        ops.save_project({**base, "slug": "ok-slug", "kind": "火箭"}, None)
    project = ops.save_project({**base, "slug": "ok-slug", "villages": "石桥村、下坪村\n石桥村"}, None)
    assert project.villages == ["石桥村", "下坪村"]
