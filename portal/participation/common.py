"""Helpers shared by the participation operations: receipt codes, uploads, exports, times."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from typing import IO, Any

from flask import current_app
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.operations.comments import generate_receipt_code
from portal.operations.errors import Conflict, ValidationError
from portal.timeutil import site_zone

MAX_ID = 2**31 - 1  # ids are 32-bit integers; larger numbers from a URL or form would crash the driver


def get_row(model: Any, raw_id: Any) -> Any:
    """The row of ``model`` with this id, or None for anything that is not a possible id (text, 0, > 32 bits)."""
    try:
        row_id = int(raw_id)
    except (TypeError, ValueError):
        return None
    if not 0 < row_id <= MAX_ID:
        return None
    return db.session.get(model, row_id)


def add_with_receipt(obj: Any) -> Any:
    """Add ``obj`` (which has a unique ``receipt_code``) with a fresh code and flush; retries on a collision."""
    for _ in range(5):
        obj.receipt_code = generate_receipt_code()
        try:
            with db.session.begin_nested():
                db.session.add(obj)
                db.session.flush()
            return obj
        except IntegrityError:  # pragma: no cover - astronomically rare, or a concurrent duplicate
            continue
    raise Conflict("系统繁忙，请稍后再试。")  # pragma: no cover


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """A stored timestamp as timezone-aware UTC (SQLite gives naive values back)."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def local_to_utc(value: dt.datetime) -> dt.datetime:
    """A naive local date-time typed by staff (site time zone) → aware UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=site_zone())
    return value.astimezone(dt.UTC)


def upload_extension(filename: str | None, allowed: tuple[str, ...], field: str = "file") -> str:
    """The lower-case extension of an uploaded file name, or ValidationError naming the allowed types."""
    original = os.path.basename((filename or "").replace("\\", "/"))
    if not original:
        raise ValidationError("请选择要上传的文件。", field=field)
    extension = original.rsplit(".", 1)[1].lower() if "." in original else ""
    if extension not in allowed:
        shown = f".{extension}" if extension else "无扩展名"
        raise ValidationError(f"不支持这种文件类型（{shown}）。只能上传：{'、'.join(allowed)}。", field=field)
    return extension


def read_upload(stream: IO[bytes], field: str = "file") -> bytes:
    """All bytes of an upload; empty files are refused."""
    data = stream.read()
    if not data:
        raise ValidationError("文件是空的，请检查后重新上传。", field=field)
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and len(data) > limit:
        raise ValidationError(f"文件太大（上限 {limit // (1024 * 1024)} MB）。", field=field)
    return data


def decode_text(data: bytes) -> str:
    """Text files from county offices come as UTF-8 or GB18030 (GBK); try both."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("无法识别文件的文字编码，请另存为 UTF-8 或 GBK 编码的文本文件。", field="file")


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas (CSV/Excel injection) in text written to exports."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    """CSV with a BOM so that Excel on Chinese Windows opens it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell("" if v is None else v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(title: str, header: list[str], rows: list[list[Any]]) -> bytes:
    """A one-sheet XLSX workbook with a bold header row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31] or "Sheet1"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(_xlsx_value(v)) for v in row])
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(10, min(40, len(name) * 3))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(site_zone()).replace(tzinfo=None)
    if isinstance(value, str):
        # openpyxl refuses control characters that XML cannot hold.
        return "".join(ch for ch in value if ch in "\n\t" or ord(ch) >= 32)
    return value
