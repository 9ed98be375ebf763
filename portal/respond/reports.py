"""意见采纳情况报告 (adoption report) per project/stage — data, DOCX, XLSX, publication — and the staff dashboard.

Reports only ever contain the redacted text of comments (``Comment.public_text``), never names or phone numbers.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
from collections import Counter, defaultdict
from typing import Any

from flask import current_app

from portal.extensions import db
from portal.models import (
    ADOPTION_LABELS,
    COMMENT_STATUS_LABELS,
    STAGE_LABELS,
    AdoptionReport,
    Assignment,
    AssignmentStatus,
    Comment,
    Department,
    Project,
    Reply,
    Stage,
    Topic,
    TopicAssignment,
    User,
)
from portal.operations import audit
from portal.operations.errors import NotFound, ValidationError
from portal.timeutil import local_today, to_local, utcnow

EXCERPT = 300


def _label(mapping: dict, key: str | None) -> str:
    return str(mapping.get(key, key or "")) if key else ""


def get_project(project_id: int | str | None) -> Project:
    try:
        project = db.session.get(Project, int(project_id)) if project_id not in (None, "") else None
    except (TypeError, ValueError):
        project = None
    if project is None:
        raise NotFound("找不到这个项目。", field="project_id")
    return project


def get_stage(project: Project, stage_id: int | str | None) -> Stage | None:
    if stage_id in (None, ""):
        return None
    try:
        stage = db.session.get(Stage, int(stage_id))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        stage = None
    if stage is None or stage.project_id != project.id:
        raise NotFound("找不到该项目的这个阶段。", field="stage_id")
    return stage


def build_report(project: Project, stage: Stage | None = None) -> dict[str, Any]:
    """The content of the adoption report: counts, per-topic counts, and every decided opinion with its reason.

    Campaign duplicates are counted (每位居民都算) but listed once, under their representative.
    """
    from portal.topics import operations as topic_ops

    query = db.select(Comment).where(Comment.project_id == project.id, topic_ops.genuine_filter()).order_by(Comment.id)
    if stage is not None:
        query = query.where(Comment.stage_id == stage.id)
    comments = list(db.session.execute(query).scalars())
    # a subquery, not a list of ids: a project may have more comments than SQLite allows bound parameters
    ids = query.with_only_columns(Comment.id).order_by(None).scalar_subquery()
    topic_of: dict[int, str] = {}
    rows = db.session.execute(db.select(TopicAssignment.comment_id, Topic).join(
        Topic, TopicAssignment.topic_id == Topic.id).where(TopicAssignment.comment_id.in_(ids))).all()
    for comment_id, topic in rows:
        topic_of[comment_id] = topic_ops.final_topic(topic).display_name
    replies: dict[int, str] = {}
    for reply in db.session.execute(db.select(Reply).where(
            Reply.comment_id.in_(ids), Reply.published_at.is_not(None)).order_by(Reply.published_at)).scalars():
        replies[reply.comment_id] = reply.text  # the latest published reply
    by_adoption: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    topics: dict[str, Counter[str]] = defaultdict(Counter)
    items = []
    duplicates: Counter[int] = Counter(c.duplicate_of_id for c in comments if c.duplicate_of_id)
    for c in comments:
        by_status[_label(COMMENT_STATUS_LABELS, c.status)] += 1
        by_adoption[_label(ADOPTION_LABELS, c.adoption) or "未决定"] += 1
        topic = topic_of.get(c.id, "未归入议题")
        topics[topic]["total"] += 1
        if c.adoption:
            topics[topic][c.adoption] += 1
        if c.adoption and not c.duplicate_of_id:
            items.append({
                "id": c.id, "receipt": c.receipt_code, "stage": _label(STAGE_LABELS, c.stage.kind),
                "village": c.village or "", "text": (c.public_text or "（内容待审核）")[:EXCERPT],
                "topic": topic, "adoption": c.adoption, "adoption_label": _label(ADOPTION_LABELS, c.adoption),
                "reason": c.adoption_reason or "", "reply": replies.get(c.id, ""),
                "same": duplicates.get(c.id, 0),
            })
    title = f"{project.name}{'（' + stage.label + '阶段）' if stage else ''}意见采纳情况报告"
    return {
        "title": title, "project": project.name, "stage": stage.label if stage else "",
        "generated_on": local_today().isoformat(), "total": len(comments),
        "by_status": dict(by_status), "by_adoption": dict(by_adoption),
        "topics": sorted(({"name": k, "total": v["total"], "adopted": v["adopted"], "partial": v["partial"],
                           "rejected": v["rejected"]} for k, v in topics.items()), key=lambda t: -t["total"]),
        "adopted": [i for i in items if i["adoption"] in ("adopted", "partial")],
        "rejected": [i for i in items if i["adoption"] == "rejected"],
    }


def report_docx(content: dict[str, Any]) -> bytes:
    """The report as a Word document (python-docx)."""
    from docx import Document
    from docx.oxml.ns import qn

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")  # Chinese text in a Chinese font
    document.add_heading(content["title"], level=1)
    document.add_paragraph(f"生成日期：{content['generated_on']}　意见总数：{content['total']} 条")
    document.add_heading("一、总体情况", level=2)
    for name, count in content["by_adoption"].items():
        document.add_paragraph(f"{name}：{count} 条", style="List Bullet")
    document.add_heading("二、按议题统计", level=2)
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("议题", "意见数", "采纳", "部分采纳", "不采纳"), strict=True):
        cell.text = text
    for topic in content["topics"]:
        row = table.add_row().cells
        for cell, value in zip(row, (topic["name"], topic["total"], topic["adopted"], topic["partial"],
                                     topic["rejected"]), strict=True):
            cell.text = str(value)
    for heading, key in (("三、采纳（含部分采纳）的意见及理由", "adopted"), ("四、未采纳的意见及理由", "rejected")):
        document.add_heading(heading, level=2)
        if not content[key]:
            document.add_paragraph("无。")
        for n, item in enumerate(content[key], 1):
            same = f"（另有 {item['same']} 位居民提出相同意见）" if item["same"] else ""
            document.add_paragraph(f"{n}. 【{item['adoption_label']}】{item['text']}{same}")
            document.add_paragraph(f"理由：{item['reason']}")
            if item["reply"]:
                document.add_paragraph(f"答复：{item['reply']}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def report_xlsx(content: dict[str, Any]) -> bytes:
    """The report as a workbook: a summary sheet, per-topic counts, and the decided opinions."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet("总体情况")
    summary.append([content["title"]])
    summary.append(["生成日期", content["generated_on"]])
    summary.append(["意见总数", content["total"]])
    for name, count in content["by_adoption"].items():
        summary.append([name, count])
    topics = workbook.create_sheet("按议题")
    topics.append(["议题", "意见数", "采纳", "部分采纳", "不采纳"])
    for t in content["topics"]:
        topics.append([t["name"], t["total"], t["adopted"], t["partial"], t["rejected"]])
    details = workbook.create_sheet("意见与理由")
    details.append(["回执码", "阶段", "村", "议题", "意见（已脱敏）", "相同意见人数", "采纳情况", "理由", "答复"])
    for item in content["adopted"] + content["rejected"]:
        details.append([item["receipt"], item["stage"], item["village"], item["topic"], item["text"],
                        item["same"] + 1, item["adoption_label"], item["reason"], item["reply"]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def publish_report(project: Project, stage: Stage | None, user: User) -> AdoptionReport:
    """Freeze the current report and show it on the public project page."""
    content = build_report(project, stage)
    if content["total"] == 0:
        raise ValidationError("这个项目（阶段）还没有可以报告的意见。")
    report = AdoptionReport(project_id=project.id, stage_id=stage.id if stage else None, title=content["title"],
                            content=content, published=True, published_by_id=user.id)
    db.session.add(report)
    db.session.flush()
    audit.record(user, "report.publish", report, None, {"project_id": project.id, "title": report.title})
    return report


def unpublish_report(report_id: int, user: User) -> AdoptionReport:
    report = db.session.get(AdoptionReport, report_id)
    if report is None:
        raise NotFound("找不到这份报告。")
    report.published = False
    audit.record(user, "report.unpublish", report, {"published": True}, {"published": False})
    db.session.flush()
    return report


def published_reports(project_id: int) -> list[AdoptionReport]:
    return list(db.session.execute(db.select(AdoptionReport).where(
        AdoptionReport.project_id == project_id, AdoptionReport.published.is_(True)).order_by(
        AdoptionReport.published_at.desc())).scalars())


def reports_of(project_id: int) -> list[AdoptionReport]:
    return list(db.session.execute(db.select(AdoptionReport).where(
        AdoptionReport.project_id == project_id).order_by(AdoptionReport.id.desc())).scalars())


# ---- dashboard ---------------------------------------------------------------------------------------------

def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def dashboard(project_id: int | None = None, days: int = 60, today: dt.date | None = None) -> dict[str, Any]:
    """Figures for the staff dashboard: comments per day and stage, by status and department, response time
    (median and p90 days from comment to first published reply), overdue counts and top topics."""
    today = today or local_today()
    start = today - dt.timedelta(days=days - 1)
    comment_filter = [Comment.project_id == project_id] if project_id else []
    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    rows = db.session.execute(db.select(Comment.created_at, Stage.kind).join(
        Stage, Comment.stage_id == Stage.id).where(*comment_filter)).all()
    for created_at, kind in rows:
        day = to_local(created_at).date()
        if day >= start:
            per_day[_label(STAGE_LABELS, kind)][day.isoformat()] += 1
    dates = [(start + dt.timedelta(days=i)).isoformat() for i in range(days)]
    by_status = db.session.execute(db.select(Comment.status, db.func.count(Comment.id)).where(
        *comment_filter).group_by(Comment.status)).all()
    first_reply = db.select(Reply.comment_id, db.func.min(Reply.published_at).label("first")).where(
        Reply.published_at.is_not(None)).group_by(Reply.comment_id).subquery()
    waits = []
    for created_at, first in db.session.execute(db.select(Comment.created_at, first_reply.c.first).join(
            first_reply, first_reply.c.comment_id == Comment.id).where(*comment_filter)).all():
        a, b = to_local(created_at), to_local(first)
        waits.append(max((b - a).total_seconds(), 0) / 86400)
    assignment_filter = [Assignment.project_id == project_id] if project_id else []
    departments = {d.id: d.name for d in db.session.execute(db.select(Department)).scalars()}
    by_department: dict[str, Counter[str]] = defaultdict(Counter)
    overdue = 0
    for department_id, status, due_on in db.session.execute(db.select(
            Assignment.department_id, Assignment.status, Assignment.due_on).where(*assignment_filter)).all():
        name = departments.get(department_id, "?")
        if status == AssignmentStatus.DONE:
            by_department[name]["done"] += 1
        elif due_on < today:
            by_department[name]["overdue"] += 1
            overdue += 1
        else:
            by_department[name]["open"] += 1
    topic_query = db.select(Topic).where(Topic.active.is_(True), Topic.merged_into_id.is_(None)).order_by(
        Topic.size.desc()).limit(current_app.config.get("TOPICS_TREND_TOP", 8))
    if project_id:
        topic_query = topic_query.where(Topic.project_id == project_id)
    top_topics = [{"name": t.display_name, "size": t.size} for t in db.session.execute(topic_query).scalars()]
    return {
        "dates": dates,
        "per_day": {stage: [counts.get(d, 0) for d in dates] for stage, counts in per_day.items()},
        "by_status": {_label(COMMENT_STATUS_LABELS, s): n for s, n in by_status},
        "by_department": {name: dict(c) for name, c in sorted(by_department.items())},
        "response_days": {"count": len(waits),
                          "median": round(statistics.median(waits), 1) if waits else None,
                          "p90": round(_percentile(waits, 0.9), 1) if waits else None},
        "overdue": overdue,
        "top_topics": top_topics,
        "total": sum(n for _, n in by_status),
        "generated_at": utcnow().isoformat(),
    }
