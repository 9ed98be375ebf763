"""A small streaming XLSX writer: one worksheet of inline strings and numbers, written straight into a ZIP.

Why not a library: XlsxWriter (``constant_memory``) and openpyxl (write-only) both spend ~3 µs of bookkeeping per
cell and assemble the ZIP only when the workbook is closed, so a download cannot start before the whole file is
built (bench/RESULTS.md, "Exports"). An export needs none of their features — one sheet, text and numbers, no
styles — so the sheet XML is produced here row by row and compressed into a ZIP written to an unseekable,
write-only sink (``zipfile`` then uses data descriptors); ``iter_xlsx`` yields the ZIP bytes as they are produced.
Memory stays flat whatever the number of rows: only the current block of rows and the compressor state are held.

The package holds the minimal OOXML parts Excel, LibreOffice, WPS and openpyxl accept: ``[Content_Types].xml``,
``_rels/.rels``, ``xl/workbook.xml``, ``xl/_rels/workbook.xml.rels``, a minimal ``xl/styles.xml`` and
``xl/worksheets/sheet1.xml``. Cell rules:

- ``str``: an inline string (``t="inlineStr"``), XML-escaped; characters XML cannot hold (C0 controls other than
  tab/newline/CR, lone surrogates, U+FFFE/U+FFFF) are written as Excel's ``_xHHHH_`` escapes, and text that already
  looks like such an escape gets its ``_`` escaped (``_x005F_``) so Excel shows it unchanged. Empty strings are
  left out (an empty cell).
- ``int``/``float``/``Decimal`` (not ``bool``): a number cell; NaN and infinities are written as text.
- ``None``: an empty cell; anything else (``bool``, dates): ``str(value)`` as text.

Formula neutralisation is the caller's business (``exports._safe``): no cell is ever written as a formula here.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

MAX_SHEET_TITLE = 31  # Excel's limit for a sheet name
_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# XML 1.0 cannot hold these even as character references; "_x" + 4 hex digits + "_" is Excel's own escape.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_NEEDS_ATTENTION = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff_]")
_ROWS_PER_WRITE = 200  # rows joined into one string before compressing: fewer calls, small buffer

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>")
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    "</Relationships>")
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>")
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    "</Relationships>")
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>")
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
_SHEET_TAIL = "</sheetData></worksheet>"


class _Sink:
    """Write-only, unseekable file-like object collecting what ``zipfile`` writes until it is drained."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        self.size = 0
        return data


def column_letter(index: int) -> str:
    """Excel column name of a 0-based column index: 0 → A, 25 → Z, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def sheet_title(title: str) -> str:
    """A sheet name Excel accepts: no ``[]:*?/\\``, not empty, at most 31 characters."""
    cleaned = _TITLE_FORBIDDEN.sub("_", title or "").strip("'")[:MAX_SHEET_TITLE]
    return cleaned or "Sheet1"


def _escape_text(value: str) -> str:
    if _NEEDS_ATTENTION.search(value):
        value = _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    return escape(value)


def _row_xml(number: int, row: Iterable[Any], columns: list[str]) -> str:
    parts = [f'<row r="{number}">']
    append = parts.append
    for col, value in enumerate(row):
        if value is None or value == "":
            continue
        if col >= len(columns):
            columns.extend(column_letter(i) for i in range(len(columns), col + 1))
        ref = f"{columns[col]}{number}"
        if isinstance(value, str):
            pass
        elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            if not isinstance(value, float | Decimal) or math.isfinite(value):
                append(f'<c r="{ref}"><v>{value}</v></c>')
                continue
            value = str(value)
        else:
            value = str(value)
        text = _escape_text(value)
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        append(f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
    append("</row>")
    return "".join(parts)


def iter_xlsx(header: list[str], rows: Iterable[Iterable[Any]], title: str = "Sheet1",
              chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    """Yield an XLSX file (header row, then ``rows``) as ZIP chunks of about ``chunk_size`` bytes.

    The generator's return value (``StopIteration.value``) is the number of data rows written.
    """
    sink = _Sink()
    columns = [column_letter(i) for i in range(max(len(header), 1))]
    count = 0
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/workbook.xml", _WORKBOOK.format(title=escape(sheet_title(title), {'"': "&quot;"})))
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        package.writestr("xl/styles.xml", _STYLES)
        yield sink.drain()  # the download starts before the first row is read
        with package.open("xl/worksheets/sheet1.xml", "w") as sheet:
            block = [_SHEET_HEAD, _row_xml(1, header, columns)]
            for count, row in enumerate(rows, start=1):
                block.append(_row_xml(count + 1, row, columns))
                if len(block) >= _ROWS_PER_WRITE:
                    sheet.write("".join(block).encode("utf-8"))
                    block.clear()
                    if sink.size >= chunk_size:
                        yield sink.drain()
            block.append(_SHEET_TAIL)
            sheet.write("".join(block).encode("utf-8"))
    yield sink.drain()
    return count


def write_xlsx_file(header: list[str], rows: Iterable[Iterable[Any]], file: Any, title: str = "Sheet1") -> int:
    """Write the workbook to an open binary ``file``; return the number of data rows."""
    chunks = iter_xlsx(header, rows, title)
    while True:
        try:
            file.write(next(chunks))
        except StopIteration as stop:
            return stop.value
