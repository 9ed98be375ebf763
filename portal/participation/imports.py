"""Offline inputs (纸质意见表、热线记录): batch import from XLSX/CSV with a row-by-row report.

Good rows become comments (entered by staff, so they pass screening and topics like online ones); bad rows are
listed with the reason; every data row appears in the report. A fingerprint of each imported row makes
re-importing the same file (or an overlapping one) create no duplicates.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import unicodedata
from typing import IO, Any

from flask import current_app

from portal.extensions import db
from portal.models import STAGE_LABELS, ImportedRow, OfflineImport, Project, User
from portal.operations import audit
from portal.operations import comments as comment_ops
from portal.operations.errors import DomainError, NotFound, ValidationError
from portal.participation.common import (
    csv_bytes,
    decode_text,
    get_row,
    read_upload,
    upload_extension,
    xlsx_bytes,
)
from portal.timeutil import local_today

IMPORT_CHANNELS = ("纸质意见表", "电话", "其他")
# Column header → field. The first name of each field is the one in the downloadable template.
COLUMNS: dict[str, tuple[str, ...]] = {
    "text": ("意见内容", "意见", "内容", "来电内容"),
    "stage": ("阶段",),
    "channel": ("渠道", "来源"),
    "received_on": ("收到日期", "日期", "来电日期"),
    "village": ("村", "所在村", "村庄"),
    "author_name": ("姓名", "联系人"),
    "phone": ("联系电话", "电话", "手机"),
}
TEMPLATE_EXAMPLES = [
    ["规划", "纸质意见表", "2026-11-20", "石桥村", "张三", "13800001234", "村口的晒场不要划成建设用地，秋收还要用。"],
    ["规划", "电话", "2026-11-21", "", "", "", "来电反映：新修的机耕路要留出排水沟。"],
]


def template_header() -> list[str]:
    return [COLUMNS[f][0] for f in ("stage", "channel", "received_on", "village", "author_name", "phone", "text")]


def template_file(fmt: str) -> bytes:
    """The blank form staff fill in (XLSX or CSV), with two example rows to overwrite."""
    if fmt == "xlsx":
        return xlsx_bytes("意见导入", template_header(), TEMPLATE_EXAMPLES)
    return csv_bytes(template_header(), TEMPLATE_EXAMPLES)


def get_import(import_id: int) -> OfflineImport:
    batch = get_row(OfflineImport, import_id)
    if batch is None:
        raise NotFound("找不到这次导入记录。")
    return batch


def read_rows(data: bytes, extension: str) -> list[list[Any]]:
    """All rows of the first sheet (XLSX) or the CSV file, header included."""
    if extension == "xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
            workbook.close()
            return rows
        except Exception:  # noqa: BLE001 - openpyxl raises many kinds of errors on damaged files
            raise ValidationError("无法读取这个 Excel 文件，请确认是 .xlsx 格式且没有损坏。", field="file") from None
    text = decode_text(data)
    try:
        return [row for row in csv.reader(io.StringIO(text))]
    except csv.Error:
        raise ValidationError("CSV 文件格式有误，无法读取。", field="file") from None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return comment_ops.clean_text(str(value))


def _map_header(header: list[Any]) -> dict[str, int]:
    names = [unicodedata.normalize("NFKC", _cell(h)).replace(" ", "") for h in header]
    mapping: dict[str, int] = {}
    for field, aliases in COLUMNS.items():
        for index, name in enumerate(names):
            if name in aliases and field not in mapping:
                mapping[field] = index
    if "text" not in mapping:
        raise ValidationError(
            f"第一行应是表头，并至少包含“意见内容”一列。模板的表头是：{'、'.join(template_header())}。"
            "请下载模板后按模板填写。", field="file")
    return mapping


def _parse_date(raw: str) -> dt.date | None:
    if not raw:
        return None
    text = unicodedata.normalize("NFKC", raw).replace("年", "-").replace("月", "-").replace("日", "")
    text = text.replace("/", "-").replace(".", "-").strip()
    try:
        return dt.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        raise ValidationError(f"日期“{raw}”看不懂，请写成 2026-11-20 的形式。") from None


def _stage_id(project: Project, raw: str) -> int:
    labels = {str(v): str(k) for k, v in STAGE_LABELS.items()}
    if not raw:
        if len(project.stages) == 1:
            return project.stages[0].id
        raise ValidationError(f"请填写阶段（{'、'.join(s.label for s in project.stages)}）。")
    kind = labels.get(raw) or labels.get(raw.removesuffix("阶段")) or raw
    stage = next((s for s in project.stages if s.kind == kind), None)
    if stage is None:
        raise ValidationError(f"阶段“{raw}”不存在，本项目的阶段有：{'、'.join(s.label for s in project.stages)}。")
    return stage.id


def fingerprint(project: Project, values: dict[str, Any]) -> str:
    """The same paper form or hotline record gives the same fingerprint, whichever file it comes in."""
    key = "|".join(str(values.get(k) or "") for k in ("stage_id", "channel", "received_on", "village",
                                                         "author_name", "phone", "text"))
    return hashlib.sha256(f"{project.id}|{key}".encode()).hexdigest()


def import_file(project: Project, stream: IO[bytes], filename: str | None, user: User) -> OfflineImport:
    """Import one XLSX/CSV file of offline comments; returns the batch with its report (caller commits and
    queues ``comment_id`` of the imported rows for screening)."""
    extension = upload_extension(filename, ("xlsx", "csv"))
    rows = read_rows(read_upload(stream), extension)
    if not rows:
        raise ValidationError("文件里没有内容。", field="file")
    mapping = _map_header(rows[0])
    limit = current_app.config["PARTICIPATION_IMPORT_MAX_ROWS"]
    data_rows = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(_cell(c) for c in row)]
    if not data_rows:
        raise ValidationError("文件中只有表头，没有数据行。", field="file")
    if len(data_rows) > limit:
        raise ValidationError(f"一次最多导入 {limit} 行，这个文件有 {len(data_rows)} 行，请分成几个文件。", field="file")
    batch = OfflineImport(project_id=project.id, original_name=(filename or "")[:255], created_by_id=user.id,
                          total_rows=len(data_rows))
    db.session.add(batch)
    db.session.flush()
    report: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, row in data_rows:
        cells = {field: _cell(row[index]) if index < len(row) else "" for field, index in mapping.items()}
        entry: dict[str, Any] = {"row": number, "text": cells.get("text", "")[:60]}
        try:
            values = _validate_row(project, cells)
            key = fingerprint(project, values)
            earlier = key in seen or db.session.execute(
                db.select(ImportedRow.id).where(ImportedRow.fingerprint == key)).first()
            if earlier:
                entry.update(status="duplicate", message="与已导入的记录完全相同，已跳过（不会重复计入）。")
            else:
                with db.session.begin_nested():
                    comment = comment_ops.submit_comment(
                        project, values["stage_id"], values["text"], village=values["village"],
                        author_name=values["author_name"], phone=values["phone"], channel=values["channel"],
                        entered_by=user,
                    )
                    db.session.add(ImportedRow(fingerprint=key, import_id=batch.id, row_number=number,
                                               comment_id=comment.id))
                    db.session.flush()
                entry.update(status="imported", message="已导入", comment_id=comment.id,
                             receipt_code=comment.receipt_code)
            seen.add(key)
        except DomainError as exc:
            entry.update(status="error", message=exc.message)
        report.append(entry)
    batch.report = report
    batch.imported = sum(1 for e in report if e["status"] == "imported")
    batch.duplicates = sum(1 for e in report if e["status"] == "duplicate")
    batch.errors = sum(1 for e in report if e["status"] == "error")
    db.session.flush()
    audit.record(user, "offline_import.run", batch, None,
                 {"file": batch.original_name, "rows": batch.total_rows, "imported": batch.imported,
                  "duplicates": batch.duplicates, "errors": batch.errors})
    return batch


def _validate_row(project: Project, cells: dict[str, str]) -> dict[str, Any]:
    text = comment_ops.validate_comment_text(cells.get("text"))
    channel = cells.get("channel") or "纸质意见表"
    if channel in ("热线", "电话记录", "来电"):
        channel = "电话"
    if channel not in IMPORT_CHANNELS:
        raise ValidationError(f"渠道“{channel}”无效，只能是：{'、'.join(IMPORT_CHANNELS)}。")
    received_on = _parse_date(cells.get("received_on", ""))
    if received_on and received_on > local_today():
        raise ValidationError("收到日期不能晚于今天。")
    village = cells.get("village") or None
    if village and len(village) > 80:
        raise ValidationError("村名太长（最多 80 字）。")
    if village and project.villages and village not in project.villages:
        raise ValidationError(f"村“{village}”不在本项目范围内（{'、'.join(project.villages)}）。")
    if len(cells.get("author_name") or "") > 80:
        raise ValidationError("姓名太长（最多 80 字）。")
    return {
        "text": text, "channel": channel, "received_on": received_on.isoformat() if received_on else "",
        "village": village, "author_name": (cells.get("author_name") or "")[:80] or None,
        "phone": cells.get("phone") or None, "stage_id": _stage_id(project, cells.get("stage", "")),
    }


def imports_of(project: Project) -> list[OfflineImport]:
    return list(db.session.execute(
        db.select(OfflineImport).where(OfflineImport.project_id == project.id).order_by(OfflineImport.id.desc())
    ).scalars())


def report_table(batch: OfflineImport) -> tuple[list[str], list[list[Any]]]:
    labels = {"imported": "已导入", "duplicate": "重复（跳过）", "error": "有误（未导入）"}
    rows = [[e["row"], labels.get(e["status"], e["status"]), e.get("message", ""),
             comment_ops.format_receipt_code(e["receipt_code"]) if e.get("receipt_code") else "", e.get("text", "")]
            for e in batch.report]
    return ["行号", "结果", "说明", "回执码", "意见内容（前 60 字）"], rows
