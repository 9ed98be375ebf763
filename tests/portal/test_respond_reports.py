"""Adoption reports (DOCX/XLSX/public page), streaming exports, the dashboard and the audit trail."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook

from portal.extensions import db
from portal.models import AdoptionReport, AuditEvent
from portal.operations import audit
from portal.operations import comments as comment_ops
from portal.operations.errors import PermissionDenied, ValidationError
from portal.respond import exports, reports
from portal.respond import operations as ops
from tests.portal import respond_helpers
from tests.portal.respond_helpers import add_comment, login_as

world = respond_helpers.world  # the shared fixture

REASON_YES = "道路拓宽已列入明年计划。"
REASON_NO = "该地块属于永久基本农田，不能调整为建设用地。"


@pytest.fixture
def decided(world):
    """c2 adopted, c1 (and its family) rejected, all replies published."""
    comment_ops.add_reply(world["c2"], "同意拓宽机耕路。", world["reviewer"], "adopted", REASON_YES, publish=True)
    for c in (world["c1"], world["dup1"], world["dup2"]):
        comment_ops.add_reply(c, "不能调整。", world["reviewer"], "rejected", REASON_NO, publish=True)
    world["c1"].author_name = "张三"
    db.session.commit()
    return world


def test_report_content(decided):
    content = reports.build_report(decided["project"])
    assert content["total"] == 4
    assert content["by_adoption"] == {"采纳": 1, "不采纳": 3}
    assert [i["reason"] for i in content["adopted"]] == [REASON_YES]
    assert len(content["rejected"]) == 1 and content["rejected"][0]["same"] == 2  # a family listed once
    assert content["topics"][0]["name"] == "未归入议题"
    assert content["rejected"][0]["reply"] == "不能调整。" and content["adopted"][0]["reply"] == "同意拓宽机耕路。"


def test_report_counts_by_topic(decided):
    from portal.models import Topic, TopicAssignment

    topic = Topic(project_id=decided["project"].id, label="征地补偿")
    db.session.add(topic)
    db.session.flush()
    for c in (decided["c1"], decided["dup1"], decided["dup2"]):
        db.session.add(TopicAssignment(comment_id=c.id, topic_id=topic.id))
    db.session.flush()
    content = reports.build_report(decided["project"])
    assert content["topics"][0] == {"name": "征地补偿", "total": 3, "adopted": 0, "partial": 0, "rejected": 3}
    assert content["rejected"][0]["topic"] == "征地补偿"
    assert "张三" not in str(content) and "13800001111" not in str(content)  # no personal data


def test_report_ignores_spam(decided):
    spam = add_comment(decided["project"], "加微信买便宜化肥")
    spam.is_spam, spam.adoption, spam.adoption_reason = True, "rejected", "广告"
    assert reports.build_report(decided["project"])["total"] == 4


def test_report_docx_and_xlsx(decided):
    content = reports.build_report(decided["project"])
    document = Document(io.BytesIO(reports.report_docx(content)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "意见采纳情况报告" in text and REASON_NO in text and REASON_YES in text
    workbook = load_workbook(io.BytesIO(reports.report_xlsx(content)))
    assert workbook.sheetnames == ["总体情况", "按议题", "意见与理由"]
    rows = list(workbook["意见与理由"].values)
    assert rows[0][0] == "回执码" and len(rows) == 3
    assert any(r[7] == REASON_NO and r[5] == 3 for r in rows[1:])


def test_report_stage_scope_and_bad_ids(decided):
    project = decided["project"]
    stage = project.stages[0]
    assert reports.build_report(project, stage)["total"] == 4
    from portal.operations.errors import NotFound

    with pytest.raises(NotFound):
        reports.get_stage(project, 99999)
    with pytest.raises(NotFound):
        reports.get_project("x")


def test_publish_report_on_project_page(client, decided):
    login_as(client, decided["reviewer"])
    project = decided["project"]
    page = client.get(f"/staff/respond/reports?project_id={project.id}")
    assert page.status_code == 200 and REASON_NO in page.get_data(as_text=True)
    docx = client.get(f"/staff/respond/reports/download.docx?project_id={project.id}")
    assert docx.status_code == 200 and zipfile.is_zipfile(io.BytesIO(docx.data))
    assert client.get(f"/staff/respond/reports/download.pdf?project_id={project.id}").status_code == 404
    published = client.post(f"/staff/respond/reports/publish?project_id={project.id}")
    assert published.status_code == 302
    report = db.session.execute(db.select(AdoptionReport)).scalar_one()
    client.post("/staff/logout")
    public = client.get(f"/projects/{project.slug}/reports/{report.id}")
    assert public.status_code == 200 and REASON_NO in public.get_data(as_text=True)
    assert "张三" not in public.get_data(as_text=True)
    assert client.get(f"/projects/wrong-slug/reports/{report.id}").status_code == 404
    project_page = client.get(f"/projects/{project.slug}").get_data(as_text=True)
    assert "adoption-reports" in project_page and report.title in project_page
    login_as(client, decided["reviewer"])
    client.post(f"/staff/respond/reports/{report.id}/unpublish")
    client.post("/staff/logout")
    assert client.get(f"/projects/{project.slug}/reports/{report.id}").status_code == 404


def test_empty_report_cannot_be_published(world, make_project):
    empty = make_project()
    with pytest.raises(ValidationError):
        reports.publish_report(empty, None, world["admin"])


def test_csv_export_streams_every_row_and_neutralises_formulas(app, world):
    add_comment(world["project"], "=HYPERLINK(\"http://evil\")")
    header, rows = exports.rows_for("comments", batch=2)
    body = b"".join(exports.stream_csv(header, rows, chunk_rows=2))
    assert body.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0] == exports.COMMENT_HEADER and len(table) == 6
    assert any(cell.startswith("'=HYPERLINK") for row in table for cell in row)
    with pytest.raises(ValidationError):
        exports.rows_for("users")


def test_xlsx_export(tmp_path, decided):
    header, rows = exports.rows_for("replies", decided["project"].id)
    path = tmp_path / "r.xlsx"
    assert exports.write_xlsx(header, rows, str(path)) == 4
    sheet = load_workbook(path).active
    values = list(sheet.values)
    assert values[0][0] == "答复编号" and values[1][4] == "已发布"


def test_xlsx_comment_export_opens_in_openpyxl_with_header_and_rows(tmp_path, world):
    """The streaming XLSX export, read back: same header and cells as the CSV, formulas neutralised, phones as text."""
    evil = add_comment(world["project"], "=HYPERLINK(\"http://evil\",\"点我\")", phone="13800009999")
    header, rows = exports.rows_for("comments", world["project"].id, batch=2)
    path = tmp_path / "c.xlsx"
    assert exports.write_xlsx(header, rows, str(path), "comments") == 5
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["comments"]
    values = list(workbook.active.values)
    assert list(values[0]) == exports.COMMENT_HEADER and len(values) == 6
    first = dict(zip(exports.COMMENT_HEADER, values[1], strict=True))
    assert first["编号"] == world["c1"].id and isinstance(first["编号"], int)
    assert first["意见原文"] == world["c1"].text and first["电话"] == "13800001111"  # a phone stays text
    assert first["回执码"] == world["c1"].receipt_code and first["已公开"] == "是"
    assert first["提交时间"] and first["提交时间"][:4].isdigit()  # local time as text, like the CSV
    assert first["重复于"] is None and first["姓名"] is None  # empty cells are left empty
    last = dict(zip(exports.COMMENT_HEADER, values[-1], strict=True))
    assert last["编号"] == evil.id and last["意见原文"] == "'" + evil.text  # text, not a formula
    assert all(cell.data_type != "f" for row in workbook.active.iter_rows() for cell in row)
    assert values[3][exports.COMMENT_HEADER.index("重复于")] == world["c1"].id


def test_xlsx_export_survives_awkward_text(tmp_path):
    """Control characters, XML markup, links and number-like text are written as plain text, not a crash."""
    path = tmp_path / "awkward.xlsx"
    rows = [[1, "坏\x01字符", "<b>&</b>", "http://example.org/x", "007", "+86 138", None, 2.5]]
    assert exports.write_xlsx(["a", "b", "c", "d", "e", "f", "g", "h"], iter(rows), str(path), "x" * 40) == 1
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["x" * 31]  # Excel's sheet-name limit
    cells = list(workbook.active.iter_rows(min_row=2, values_only=True))[0]
    # Excel reads _x0001_ back as the control character; openpyxl shows the escape (and refused to write it).
    assert cells == (1, "坏_x0001_字符", "<b>&</b>", "http://example.org/x", "007", "'+86 138", None, 2.5)
    assert not workbook.active._hyperlinks


def test_xlsx_export_with_no_rows_has_the_header_only(tmp_path, app):
    path = tmp_path / "empty.xlsx"
    header, rows = exports.rows_for("replies", 9999)
    assert exports.write_xlsx(header, rows, str(path)) == 0
    assert list(load_workbook(path).active.values) == [tuple(exports.REPLY_HEADER)]


def test_cli_xlsx_export_writes_a_readable_workbook(app, world, tmp_path):
    path = tmp_path / "c.xlsx"
    result = app.test_cli_runner().invoke(args=["respond", "export", "comments", str(path)])
    assert result.exit_code == 0 and "4 行" in result.output, result.output
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["comments"] and workbook.active.max_row == 5


def test_export_views_are_audited_and_for_coordinators_only(client, decided):
    login_as(client, decided["land"])
    assert client.get("/staff/respond/exports/comments.csv").status_code == 403
    login_as(client, decided["admin"])
    response = client.get("/staff/respond/exports/comments.csv")
    assert response.status_code == 200 and "征地补偿" in response.get_data().decode("utf-8-sig")
    xlsx = client.get(f"/staff/respond/exports/replies.xlsx?project_id={decided['project'].id}")
    assert xlsx.status_code == 200 and xlsx.is_streamed and zipfile.is_zipfile(io.BytesIO(xlsx.data))
    assert xlsx.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.title == "replies" and sheet.max_row == 5 and sheet["A1"].value == "答复编号"
    assert client.get("/staff/respond/exports/comments.pdf").status_code == 404
    assert client.get("/staff/respond/exports/comments.csv?project_id=9999").status_code == 404
    events = db.session.execute(db.select(AuditEvent).filter_by(action="export")).scalars().all()
    assert len(events) == 2


def test_dashboard_figures(client, decided, today):
    ops.assign("comment", department_id=decided["departments"]["交通运输局"].id, user=decided["admin"],
               comment_id=decided["c2"].id)
    data = reports.dashboard(decided["project"].id)
    assert data["total"] == 4 and data["by_status"] == {"已答复": 4}
    assert data["response_days"]["count"] == 4 and data["response_days"]["median"] is not None
    assert data["by_department"] == {"交通运输局": {"open": 1}}
    assert sum(sum(v) for v in data["per_day"].values()) == 4
    login_as(client, decided["reviewer"])
    page = client.get("/staff/respond/dashboard")
    assert page.status_code == 200 and "vendor/echarts/echarts.min.js" in page.get_data(as_text=True)
    assert client.get("/staff/respond/dashboard.json").json["total"] == 4


def test_audit_viewer_filters_and_is_append_only(client, decided):
    login_as(client, decided["reviewer"])
    assert client.get("/staff/respond/audit").status_code == 403
    login_as(client, decided["admin"])
    page = client.get("/staff/respond/audit?action=comment.reply").get_data(as_text=True)
    assert "comment.reply" in page and "comment.status" not in page
    assert client.get("/staff/respond/audit?date_from=notadate").status_code == 400
    by_user = client.get(f"/staff/respond/audit?user={decided['reviewer'].id}").get_data(as_text=True)
    assert by_user.count("audit-row") >= 4
    event = db.session.execute(db.select(AuditEvent)).scalars().first()
    event.action = "tampered"
    with pytest.raises(PermissionDenied):
        db.session.flush()
    db.session.rollback()
    event = db.session.execute(db.select(AuditEvent)).scalars().first()
    db.session.delete(event)
    with pytest.raises(PermissionDenied):
        db.session.flush()
    db.session.rollback()
    audit.record(decided["admin"], "test.append", decided["project"])
    db.session.commit()  # appending still works
