"""Streaming exports of comments and replies (CSV and XLSX) in constant memory.

Rows are read with ``yield_per`` (``RESPOND_EXPORT_BATCH`` per round trip) as plain column tuples, never ORM
objects, and written row by row: CSV straight to the response, XLSX through the small streaming writer in
``portal.respond.xlsx`` (sheet XML written straight into a ZIP whose chunks are sent as they are produced; the
adoption report in ``reports.py`` still uses openpyxl). Exports hold personal data (names, phone numbers) and are for
coordinators only; every export is recorded in the audit trail by the view.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import Any

from flask import current_app

from portal.extensions import db
from portal.models import (
    ADOPTION_LABELS,
    COMMENT_STATUS_LABELS,
    STAGE_LABELS,
    Comment,
    Project,
    Reply,
    Stage,
    User,
)
from portal.operations.errors import ValidationError
from portal.respond import xlsx
from portal.timeutil import to_local

KINDS = ("comments", "replies")
FORMATS = ("csv", "xlsx")

COMMENT_HEADER = ["编号", "回执码", "项目", "阶段", "村", "渠道", "提交时间", "状态", "采纳情况", "采纳理由",
                  "意见原文", "公开文本（脱敏）", "姓名", "电话", "重复于", "已公开"]
REPLY_HEADER = ["答复编号", "意见编号", "回执码", "项目", "答复状态", "答复时间", "发布时间", "采纳情况", "理由",
                "答复内容", "答复人"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas a resident might have typed (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _when(value: dt.datetime | None) -> str:
    local = to_local(value)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


def _label(mapping: dict, key: str | None) -> str:
    return str(mapping.get(key, key)) if key else ""


def comment_rows(project_id: int | None = None, batch: int | None = None) -> Iterator[list[Any]]:
    """Every comment as a list of cells, oldest first, fetched ``batch`` at a time."""
    batch = batch or current_app.config["RESPOND_EXPORT_BATCH"]
    labels_status = {str(k): str(v) for k, v in COMMENT_STATUS_LABELS.items()}
    labels_adoption = {str(k): str(v) for k, v in ADOPTION_LABELS.items()}
    labels_stage = {str(k): str(v) for k, v in STAGE_LABELS.items()}
    query = (db.select(Comment.id, Comment.receipt_code, Project.name, Stage.kind, Comment.village, Comment.channel,
                       Comment.created_at, Comment.status, Comment.adoption, Comment.adoption_reason, Comment.text,
                       Comment.redacted_text, Comment.author_name, Comment.phone, Comment.duplicate_of_id,
                       Comment.published)
             .join(Project, Comment.project_id == Project.id).join(Stage, Comment.stage_id == Stage.id)
             .order_by(Comment.id).execution_options(yield_per=batch))
    if project_id:
        query = query.where(Comment.project_id == project_id)
    for row in db.session.execute(query):
        (cid, code, project, kind, village, channel, created, status, adoption, reason, text, redacted, name,
         phone, dup, published) = row
        yield [cid, code, project, labels_stage.get(kind, kind), village or "", channel, _when(created),
               labels_status.get(status, status), labels_adoption.get(adoption, "") if adoption else "",
               reason or "", text, redacted or "", name or "", phone or "", dup or "", "是" if published else "否"]


def reply_rows(project_id: int | None = None, batch: int | None = None) -> Iterator[list[Any]]:
    """Every reply with its comment's receipt code, oldest first."""
    batch = batch or current_app.config["RESPOND_EXPORT_BATCH"]
    labels_adoption = {str(k): str(v) for k, v in ADOPTION_LABELS.items()}
    query = (db.select(Reply.id, Reply.comment_id, Comment.receipt_code, Project.name, Reply.state, Reply.created_at,
                       Reply.published_at, Reply.adoption, Reply.adoption_reason, Reply.text, User.display_name)
             .join(Comment, Reply.comment_id == Comment.id).join(Project, Comment.project_id == Project.id)
             .outerjoin(User, Reply.author_id == User.id).order_by(Reply.id).execution_options(yield_per=batch))
    if project_id:
        query = query.where(Comment.project_id == project_id)
    from portal.models import REPLY_STATE_LABELS

    states = {str(k): str(v) for k, v in REPLY_STATE_LABELS.items()}
    for rid, cid, code, project, state, created, published, adoption, reason, text, author in db.session.execute(query):
        yield [rid, cid, code, project, states.get(state, state), _when(created), _when(published),
               labels_adoption.get(adoption, "") if adoption else "", reason or "", text, author or ""]


def rows_for(kind: str, project_id: int | None = None, batch: int | None = None) -> tuple[list[str], Iterator]:
    if kind not in KINDS:
        raise ValidationError("导出类型无效（comments 或 replies）。", field="kind")
    if kind == "comments":
        return COMMENT_HEADER, comment_rows(project_id, batch)
    return REPLY_HEADER, reply_rows(project_id, batch)


def stream_csv(header: list[str], rows: Iterable[list[Any]], chunk_rows: int = 500) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM (so Excel opens Chinese text correctly), yielded in chunks of ``chunk_rows`` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield codecs.BOM_UTF8
    writer.writerow(header)
    pending = 0
    for row in rows:
        writer.writerow([_safe(v) for v in row])
        pending += 1
        if pending >= chunk_rows:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(header: list[str], rows: Iterable[list[Any]], path: str, title: str = "导出") -> int:
    """Write rows to the XLSX file ``path`` with the streaming writer (``portal.respond.xlsx``); return the row count.

    Strings are never turned into formulas, links or numbers; formula-looking text is also prefixed with ``'`` as
    in the CSV. Control characters that XML cannot hold are written as Excel's ``_xHHHH_`` escapes.
    """
    with open(path, "wb") as file:
        return xlsx.write_xlsx_file(header, _safe_rows(rows), file, title)


def stream_xlsx(header: list[str], rows: Iterable[list[Any]], title: str = "导出",
                chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    """Yield the XLSX file in ZIP chunks as it is written, so the download starts at once (no temporary file)."""
    return xlsx.iter_xlsx(header, _safe_rows(rows), title, chunk_size)


def _safe_rows(rows: Iterable[list[Any]]) -> Iterator[list[Any]]:
    for row in rows:
        yield [_safe(value) for value in row]
