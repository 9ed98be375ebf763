"""The streaming XLSX writer (portal/respond/xlsx.py), read back with openpyxl and the standard library."""

from __future__ import annotations

import io
import math
import tracemalloc
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

from openpyxl import load_workbook

from portal.respond import exports, xlsx

HEADER = ["编号", "意见原文", "电话", "分数"]
PARTS = {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
         "xl/worksheets/sheet1.xml"}


def _rows(n: int):
    for i in range(1, n + 1):
        yield [i, f"第{i}条意见：机耕路太窄，收割机进不去。" * 3, "13800001234", i / 4]


def _build(header, rows, title="导出") -> bytes:
    return b"".join(exports.stream_xlsx(header, rows, title=title, chunk_size=1024))


def _values(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data)).active.values)


def test_package_has_the_minimal_parts_all_well_formed():
    data = _build(HEADER, _rows(3))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert set(package.namelist()) == PARTS
        assert package.testzip() is None
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in package.infolist())
        for name in PARTS:
            ElementTree.fromstring(package.read(name))  # raises on malformed XML
        sheet = package.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert 't="inlineStr"' in sheet and "<f>" not in sheet


def test_header_first_and_last_rows_numbers_and_text():
    values = _values(_build(HEADER, _rows(1000)))
    assert list(values[0]) == HEADER and len(values) == 1001
    assert values[1] == (1, "第1条意见：机耕路太窄，收割机进不去。" * 3, "13800001234", 0.25)
    assert values[-1][0] == 1000 and isinstance(values[-1][0], int) and values[-1][3] == 250
    assert values[-1][2] == "13800001234" and isinstance(values[-1][2], str)  # number-like text stays text


def test_formulas_are_neutralised_and_never_written_as_formulas():
    rows = [["=1+1", "+86 138", "-5", "@SUM(A1)", "\tx", '=HYPERLINK("http://evil","点我")']]
    workbook = load_workbook(io.BytesIO(_build(list("abcdef"), iter(rows))))
    cells = list(workbook.active.iter_rows(min_row=2))[0]
    assert [c.value for c in cells] == ["'=1+1", "'+86 138", "'-5", "'@SUM(A1)", "'\tx",
                                        "'=HYPERLINK(\"http://evil\",\"点我\")"]
    assert all(c.data_type == "s" for c in cells)
    assert not workbook.active._hyperlinks


def test_control_characters_markup_and_escape_lookalikes():
    rows = [["坏\x01字\x1f符", "<b>&amp;</b> \"引号\" '单'", "已有_x0041_样子", "行一\n行二", "  两端空格 ", "😀生僻𠀀",
             "\ufffe\ud800"]]
    data = _build(list("abcdefg"), iter(rows))
    cells = _values(data)[1]
    # openpyxl shows Excel's _xHHHH_ escapes as they are (Excel turns them back into the characters).
    assert cells[0] == "坏_x0001_字_x001F_符"
    assert cells[1] == "<b>&amp;</b> \"引号\" '单'"
    assert cells[2] == "已有_x005F_x0041_样子"  # Excel shows "已有_x0041_样子", not "已有A样子"
    assert cells[3] == "行一\n行二" and cells[4] == "  两端空格 " and cells[5] == "😀生僻𠀀"
    assert cells[6] == "_xFFFE__xD800_"


def test_empty_none_bool_and_odd_numbers():
    rows = [[None, "", True, Decimal("12.50"), math.nan, math.inf, -3, 1e-7]]
    cells = _values(_build(list("abcdefgh"), iter(rows)))[1]
    assert cells == (None, None, "True", 12.5, "nan", "inf", -3, 1e-7)


def test_many_columns_get_proper_letters():
    header = [f"c{i}" for i in range(30)]
    workbook = load_workbook(io.BytesIO(_build(header, iter([list(range(30)), list(range(35))]))))
    sheet = workbook.active
    assert sheet["Z2"].value == 25 and sheet["AA2"].value == 26 and sheet["AD1"].value == "c29"
    assert sheet["AI3"].value == 34  # a row longer than the header
    assert [xlsx.column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def test_empty_export_has_the_header_only_and_title_is_cleaned():
    data = _build(HEADER, iter([]), title="意见[2026]/第一批:*?" + "长" * 40)
    workbook = load_workbook(io.BytesIO(data))
    assert list(workbook.active.values) == [tuple(HEADER)]
    (name,) = workbook.sheetnames
    assert name.startswith("意见_2026__第一批___") and len(name) == 31
    assert load_workbook(io.BytesIO(_build(HEADER, iter([]), title="'"))).sheetnames == ["Sheet1"]
    assert load_workbook(io.BytesIO(_build(HEADER, iter([]), title='A&B<"x">'))).sheetnames == ['A&B<"x">']


def test_download_starts_before_the_rows_are_read_and_arrives_in_chunks():
    consumed = []

    def rows():
        for row in _rows(5000):
            consumed.append(row[0])
            yield row

    chunks = exports.stream_xlsx(HEADER, rows(), chunk_size=16 * 1024)
    first = next(chunks)
    assert first.startswith(b"PK\x03\x04") and consumed == []
    rest = list(chunks)
    assert len(rest) > 3 and consumed[-1] == 5000
    assert len(_values(first + b"".join(rest))) == 5001


def test_write_xlsx_returns_the_row_count_and_writes_to_an_unseekable_file(tmp_path):
    path = tmp_path / "out.xlsx"
    assert exports.write_xlsx(HEADER, _rows(250), str(path), "comments") == 250
    assert len(list(load_workbook(path).active.values)) == 251

    class WriteOnly:
        def __init__(self):
            self.data = bytearray()

        def write(self, chunk):
            self.data += chunk

    sink = WriteOnly()
    assert xlsx.write_xlsx_file(HEADER, _rows(7), sink, "x") == 7
    assert len(_values(bytes(sink.data))) == 8


def _peak(rows: int) -> int:
    tracemalloc.start()
    try:
        for _ in exports.stream_xlsx(HEADER, _rows(rows)):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_rows():
    small, large = _peak(2_000), _peak(20_000)
    # Ten times the rows (about 2.6 MB of sheet XML more) must not cost more memory: the block of rows and the
    # compressor are all that is held.
    assert large < small * 1.25 + 64 * 1024, (small, large)
    assert large < 2 * 1024 * 1024


def test_a_download_abandoned_half_way_closes_cleanly():
    """A browser that disconnects closes the generator: no error, and the rows source is closed too."""
    closed = []

    def rows():
        try:
            yield from _rows(10_000)
        finally:
            closed.append(True)

    chunks = exports.stream_xlsx(HEADER, rows(), chunk_size=4096)
    next(chunks), next(chunks)
    chunks.close()
    assert closed == [True]
