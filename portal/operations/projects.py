"""Projects, their stages, notices (公示/公告) and documents."""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
import zipfile
from typing import IO, Any

from flask import current_app

from portal.extensions import db
from portal.models import (
    DOCUMENT_TYPES,
    NOTICE_KINDS,
    PROJECT_KINDS,
    Document,
    Notice,
    Project,
    ProjectStatus,
    Stage,
    StageKind,
    User,
)
from portal.operations import audit
from portal.operations.comments import clean_text
from portal.operations.errors import NotFound, ValidationError

PROJECT_FIELDS = ("slug", "name", "kind", "region", "villages", "summary", "body", "department", "status")
NOTICE_FIELDS = ("kind", "title", "body", "starts_on", "ends_on", "short_period_reason", "published", "stage_id")
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$")
_STAGE_ORDER = {StageKind.PLANNING: 0, StageKind.IMPLEMENTATION: 1, StageKind.ACCEPTANCE: 2}

# File signatures: the extension must agree with the content, so a renamed executable is refused.
_MIMETYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def get_project(project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    if project is None:
        raise NotFound("找不到这个项目。")
    return project


def get_project_by_slug(slug: str) -> Project:
    project = db.session.execute(db.select(Project).filter_by(slug=slug)).scalar_one_or_none()
    if project is None or project.status == ProjectStatus.DRAFT:
        raise NotFound("找不到这个项目。")
    return project


def parse_villages(raw: str | list[str] | None) -> list[str]:
    """Villages from a list or a text with one per line / separated by commas or 、."""
    items = raw if isinstance(raw, list) else re.split(r"[\n,，、;；]+", raw or "")
    seen: list[str] = []
    for item in items:
        name = clean_text(item)
        if name and name not in seen:
            seen.append(name[:80])
    return seen


def save_project(values: dict[str, Any], user: User | None, project: Project | None = None) -> Project:
    """Create a project or update ``project`` from form values."""
    name = clean_text(values.get("name"))
    if not name:
        raise ValidationError("项目名称不能为空。", field="name")
    slug = clean_text(values.get("slug")).lower()
    if not _SLUG_RE.match(slug):
        raise ValidationError("网址标识只能用小写字母、数字和短横线，3-80 个字符。", field="slug")
    clash = db.session.execute(db.select(Project).filter_by(slug=slug)).scalar_one_or_none()
    if clash is not None and clash is not project:
        raise ValidationError("这个网址标识已被其他项目使用。", field="slug")
    if values.get("kind") not in PROJECT_KINDS:
        raise ValidationError("项目类型无效。", field="kind")
    status = values.get("status") or ProjectStatus.ACTIVE
    if status not in set(ProjectStatus):
        raise ValidationError("项目状态无效。", field="status")
    creating = project is None
    before = None if creating else audit.snapshot(project, PROJECT_FIELDS)
    project = project or Project()
    project.slug = slug
    project.name = name[:200]
    project.kind = values["kind"]
    project.region = clean_text(values.get("region"))[:120]
    project.villages = parse_villages(values.get("villages"))
    project.summary = clean_text(values.get("summary"))
    project.body = clean_text(values.get("body"))
    project.department = clean_text(values.get("department"))[:80]
    project.status = status
    db.session.add(project)
    db.session.flush()
    audit.record(user, "project.create" if creating else "project.edit", project, before,
                 audit.snapshot(project, PROJECT_FIELDS))
    return project


def save_stage(project: Project, values: dict[str, Any], user: User | None, stage: Stage | None = None) -> Stage:
    """Create or update a stage; its close date may not precede its open date."""
    try:
        kind = StageKind(values.get("kind"))
    except ValueError:
        raise ValidationError("阶段类型无效。", field="kind") from None
    opens_on, closes_on = values.get("opens_on"), values.get("closes_on")
    if not isinstance(opens_on, dt.date) or not isinstance(closes_on, dt.date):
        raise ValidationError("请填写意见征集的开始和结束日期。", field="opens_on")
    if closes_on < opens_on:
        raise ValidationError("结束日期不能早于开始日期。", field="closes_on")
    clash = next((s for s in project.stages if s.kind == kind and s is not stage), None)
    if clash is not None:
        raise ValidationError("该项目已有这个阶段。", field="kind")
    creating = stage is None
    fields = ("kind", "opens_on", "closes_on", "description")
    before = None if creating else audit.snapshot(stage, fields)
    stage = stage or Stage(project=project)
    stage.kind = kind
    stage.position = _STAGE_ORDER[kind]
    stage.opens_on, stage.closes_on = opens_on, closes_on
    stage.description = clean_text(values.get("description"))
    db.session.add(stage)
    db.session.flush()
    audit.record(user, "stage.create" if creating else "stage.edit", stage, before, audit.snapshot(stage, fields))
    return stage


def minimum_notice_days(project: Project, kind: str) -> int:
    """The statutory minimum period for a notice of ``kind`` in ``project`` (only 公示 have one)."""
    if kind != "公示":
        return 0
    return int(current_app.config["NOTICE_MIN_DAYS"].get(project.kind, 0))


def save_notice(project: Project, values: dict[str, Any], user: User | None, notice: Notice | None = None) -> Notice:
    """Create or update a notice. A 公示 shorter than its minimum needs an explicit reason, which is recorded."""
    title = clean_text(values.get("title"))
    if not title:
        raise ValidationError("公告标题不能为空。", field="title")
    kind = values.get("kind") or "公示"
    if kind not in NOTICE_KINDS:
        raise ValidationError("公告类型无效。", field="kind")
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        raise ValidationError("请填写公示的开始和结束日期。", field="starts_on")
    if ends_on < starts_on:
        raise ValidationError("结束日期不能早于开始日期。", field="ends_on")
    stage_id = values.get("stage_id") or None
    if stage_id and not any(s.id == int(stage_id) for s in project.stages):
        raise ValidationError("所选阶段不属于这个项目。", field="stage_id")
    reason = clean_text(values.get("short_period_reason")) or None
    period = (ends_on - starts_on).days + 1
    minimum = minimum_notice_days(project, kind)
    if period < minimum and not reason:
        raise ValidationError(
            f"{project.kind}的公示期不得少于 {minimum} 日（当前 {period} 日）。"
            "如确需缩短，请在“公示期不足的理由”中写明理由，系统会记录在案。",
            field="short_period_reason",
        )
    creating = notice is None
    before = None if creating else audit.snapshot(notice, NOTICE_FIELDS)
    notice = notice or Notice(project=project, created_by_id=user.id if user else None)
    notice.kind = kind
    notice.title = title[:200]
    notice.body = clean_text(values.get("body"))
    notice.starts_on, notice.ends_on = starts_on, ends_on
    notice.short_period_reason = reason if period < minimum else None
    notice.published = bool(values.get("published", True))
    notice.stage_id = int(stage_id) if stage_id else None
    db.session.add(notice)
    db.session.flush()
    after = audit.snapshot(notice, NOTICE_FIELDS)
    audit.record(user, "notice.create" if creating else "notice.edit", notice, before, after)
    if notice.short_period_reason:
        audit.record(user, "notice.short_period", notice, None,
                     {"period_days": period, "minimum_days": minimum, "reason": reason})
    return notice


def get_notice(notice_id: int, project: Project | None = None) -> Notice:
    notice = db.session.get(Notice, notice_id)
    if notice is None or (project is not None and notice.project_id != project.id):
        raise NotFound("找不到这条公告。")
    return notice


def upload_folder() -> str:
    folder = current_app.config["UPLOAD_FOLDER"]
    os.makedirs(folder, exist_ok=True)
    return folder


def _sniff(head: bytes, stream: IO[bytes], extension: str) -> bool:
    """Whether the file content matches its extension."""
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension in ("docx", "xlsx"):
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            stream.seek(0)
            names = zipfile.ZipFile(stream).namelist()
        except (zipfile.BadZipFile, OSError):
            return False
        marker = "word/" if extension == "docx" else "xl/"
        return "[Content_Types].xml" in names and any(n.startswith(marker) for n in names)
    return False


def save_document(
    project: Project,
    stream: IO[bytes],
    filename: str | None,
    title: str | None,
    doc_type: str,
    user: User | None,
    notice_id: int | None = None,
) -> Document:
    """Check an uploaded file's type, content and size, store it under a random name and record it."""
    original = os.path.basename((filename or "").replace("\\", "/"))
    if not original or "." not in original:
        raise ValidationError("请选择要上传的文件。", field="file")
    extension = original.rsplit(".", 1)[1].lower()
    allowed = current_app.config["UPLOAD_EXTENSIONS"]
    if extension not in allowed:
        raise ValidationError(f"不支持这种文件类型（.{extension}）。只能上传：{'、'.join(allowed)}。", field="file")
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size == 0:
        raise ValidationError("文件是空的。", field="file")
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit and size > limit:
        raise ValidationError(f"文件太大（上限 {limit // (1024 * 1024)} MB）。", field="file")
    if not _sniff(stream.read(8), stream, extension):
        raise ValidationError(f"文件内容与扩展名 .{extension} 不符，请确认文件没有损坏。", field="file")
    if doc_type not in DOCUMENT_TYPES:
        raise ValidationError("文件类别无效。", field="doc_type")
    if notice_id:
        get_notice(int(notice_id), project)
    stored = f"{uuid.uuid4().hex}.{extension}"
    stream.seek(0)
    path = os.path.join(upload_folder(), stored)
    with open(path, "wb") as out:
        while chunk := stream.read(1024 * 1024):
            out.write(chunk)
    document = Document(
        project_id=project.id,
        notice_id=int(notice_id) if notice_id else None,
        title=clean_text(title)[:200] or original[:200],
        doc_type=doc_type,
        original_name=original[:255],
        stored_name=stored,
        mimetype=_MIMETYPES[extension],
        size=size,
        uploaded_by_id=user.id if user else None,
    )
    db.session.add(document)
    db.session.flush()
    audit.record(user, "document.upload", document, None, {"title": document.title, "size": size})
    return document


def get_document(document_id: int) -> Document:
    document = db.session.get(Document, document_id)
    if document is None:
        raise NotFound("找不到这个文件。")
    return document


def document_path(document: Document) -> str:
    return os.path.join(upload_folder(), document.stored_name)


def delete_document(document: Document, user: User | None) -> None:
    """Remove a document and its stored file."""
    audit.record(user, "document.delete", document, {"title": document.title}, None)
    path = document_path(document)
    db.session.delete(document)
    db.session.flush()
    if os.path.exists(path):
        os.remove(path)
