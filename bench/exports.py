"""Benchmark of the streaming exports (``portal.respond.exports``): time and peak memory for 200,000 comments.

    .venv/bin/python bench/exports.py              # build the data set once (cached), then measure
    .venv/bin/python bench/exports.py --rebuild    # regenerate the data set
    .venv/bin/python bench/exports.py --only xlsx xlsx-xlsxwriter   # only these XLSX writers

The data set (generated, not real: 200,000 comments of 60–200 characters in two projects — 20,000 and
180,000 — and one published reply for every fourth comment) is kept in ``bench/.cache/exports.sqlite``.
Each measurement runs in a fresh subprocess: it creates the app, notes its resident memory (VmRSS), exports
while sampling VmRSS every 5,000 rows, and reports wall time, CPU time (the sandbox's 2 cores are shared, so
wall time varies with the load; rows per CPU-second does not), and the largest RSS growth seen during the
export. Constant memory means the growth for 200,000 rows is about the same as for 20,000. Output files are
written to a temporary directory and deleted. XLSX is measured with three writers: the streaming writer the
app uses (``exports.write_xlsx`` → ``portal.respond.xlsx``), and as baselines the previous XlsxWriter
``constant_memory`` writer (``write_xlsx_xlsxwriter``) and the openpyxl write-only writer (``write_xlsx_openpyxl``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "bench" / ".cache"
DB_PATH = CACHE / "exports.sqlite"
SIZES = (20_000, 180_000)  # comments of project 1 and project 2
PHRASES = ("机耕路太窄，收割机进不去", "征地补偿标准偏低", "希望增加排水沟渠", "安置房位置离耕地太远",
           "村里的祖坟能不能不迁", "灌溉水渠年久失修", "道路硬化要修到组里", "宅基地确权有误",
           "建议保留村口的老樟树", "污水直排河道需要治理")


def _app():
    from portal import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{DB_PATH}",
                       "QUEUE_IMMEDIATE": True, "QUEUE_PATH": str(CACHE / "queue.sqlite")})


def build() -> None:
    """Generate the comments and replies with bulk inserts (seeded, reproducible)."""
    import datetime as dt

    from portal.extensions import db
    from portal.models import Comment, Project, Reply, Stage, User
    from portal.operations.comments import RECEIPT_ALPHABET

    CACHE.mkdir(parents=True, exist_ok=True)
    if DB_PATH.exists():
        DB_PATH.unlink()
    rng = random.Random(8)
    app = _app()
    with app.app_context():
        db.create_all()
        user = User(username="bench", password_hash="x", role="admin", display_name="基准")
        db.session.add(user)
        projects = []
        for n in range(2):
            project = Project(slug=f"bench-{n}", name=f"基准项目{n + 1}", kind="村庄规划", villages=["石桥村"])
            db.session.add(project)
            db.session.flush()
            stage = Stage(project_id=project.id, kind="planning", opens_on=dt.date(2026, 1, 1),
                          closes_on=dt.date(2026, 12, 31))
            db.session.add(stage)
            db.session.flush()
            projects.append((project.id, stage.id))
        db.session.commit()
        start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
        codes: set[str] = set()
        next_id = 1
        for (project_id, stage_id), size in zip(projects, SIZES, strict=True):
            for offset in range(0, size, 10_000):
                comments, replies = [], []
                for _ in range(min(10_000, size - offset)):
                    code = "".join(rng.choices(RECEIPT_ALPHABET, k=8))
                    while code in codes:
                        code = "".join(rng.choices(RECEIPT_ALPHABET, k=8))
                    codes.add(code)
                    text = "，".join(rng.choices(PHRASES, k=rng.randint(3, 10))) + "。"
                    created = start + dt.timedelta(minutes=next_id)
                    answered = next_id % 4 == 0
                    comments.append({"id": next_id, "project_id": project_id, "stage_id": stage_id, "text": text,
                                     "redacted_text": text, "receipt_code": code, "channel": "网站",
                                     "status": "answered" if answered else "received", "village": "石桥村",
                                     "author_name": "张三", "phone": "13800001234", "created_at": created,
                                     "updated_at": created, "screening_state": "done",
                                     "adoption": "adopted" if answered else None,
                                     "adoption_reason": "符合规划" if answered else None})
                    if answered:
                        replies.append({"comment_id": next_id, "text": "经研究，已纳入规划。" * 3,
                                        "author_id": user.id, "published_at": created, "state": "published",
                                        "adoption": "adopted", "adoption_reason": "符合规划",
                                        "created_at": created, "updated_at": created})
                    next_id += 1
                db.session.execute(db.insert(Comment), comments)
                db.session.execute(db.insert(Reply), replies)
                db.session.commit()
    print(f"built {sum(SIZES)} comments in {DB_PATH}", file=sys.stderr)


def measure_one(kind: str, fmt: str, project_id: int | None) -> dict:
    """Run one export in this process (called in a subprocess) and return its figures."""
    app = _app()
    with app.app_context():
        from portal.respond import exports

        base = _rss_kb()
        header, rows = exports.rows_for(kind, project_id)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "out." + fmt.split("-")[0])
            began, cpu_began = time.perf_counter(), _cpu()
            if fmt == "csv":
                count = 0
                with open(path, "wb") as file:
                    for chunk in exports.stream_csv(header, _counting(rows)):
                        file.write(chunk)
                count = _counting.n
            elif fmt == "xlsx-openpyxl":
                count = write_xlsx_openpyxl(header, _counting(rows), path, kind)
            elif fmt == "xlsx-xlsxwriter":
                count = write_xlsx_xlsxwriter(header, _counting(rows), path, kind)
            else:
                count = exports.write_xlsx(header, _counting(rows), path, kind)
            seconds, cpu = time.perf_counter() - began, _cpu() - cpu_began
            size = os.path.getsize(path)
    return {"kind": kind, "format": fmt, "rows": count, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "rows_per_second": round(count / seconds), "rows_per_cpu_second": round(count / cpu),
            "rss_before_mb": round(base / 1024, 1), "rss_growth_mb": round((_counting.peak - base) / 1024, 1),
            "file_mb": round(size / 1024 / 1024, 1)}


def write_xlsx_openpyxl(header, rows, path: str, title: str) -> int:
    """The previous XLSX writer (openpyxl write-only mode, lxml), kept here as the baseline for XlsxWriter."""
    from openpyxl import Workbook

    from portal.respond.exports import _safe

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_safe(v) for v in row])
        count += 1
    workbook.save(path)
    return count


def write_xlsx_xlsxwriter(header, rows, path: str, title: str) -> int:
    """The previous XLSX writer (XlsxWriter ``constant_memory``, temporary file), kept as a baseline."""
    import xlsxwriter

    from portal.respond.exports import _safe

    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_urls": False, "strings_to_numbers": False})
    try:
        sheet = workbook.add_worksheet(title[:31])
        sheet.write_row(0, 0, header)
        write_string, write_number = sheet.write_string, sheet.write_number
        count = 0
        for count, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if isinstance(value, str):
                    if value:
                        write_string(count, col, _safe(value))
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    write_number(count, col, value)
                elif value is not None:
                    write_string(count, col, _safe(str(value)))
    finally:
        workbook.close()
    return count


def _rss_kb() -> int:
    """Current resident set size in KiB (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _counting(rows):
    """Pass rows through, counting them and sampling the RSS every 5,000 rows."""
    _counting.n, _counting.peak = 0, _rss_kb()
    for row in rows:
        _counting.n += 1
        if _counting.n % 5000 == 0:
            _counting.peak = max(_counting.peak, _rss_kb())
        yield row
    _counting.peak = max(_counting.peak, _rss_kb())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--only", nargs="+", choices=("csv", "xlsx", "xlsx-xlsxwriter", "xlsx-openpyxl"),
                        help="measure only these formats (xlsx = the streaming writer the app uses)")
    parser.add_argument("--one", nargs=3, metavar=("KIND", "FORMAT", "PROJECT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        kind, fmt, project = args.one
        print(json.dumps(measure_one(kind, fmt, int(project) or None)))
        return
    if args.rebuild or not DB_PATH.exists():
        began = time.perf_counter()
        build()
        print(f"data set built in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    results = []
    runs = [("comments", "csv", 1), ("comments", "csv", 0), ("comments", "xlsx", 1), ("comments", "xlsx", 0),
            ("comments", "xlsx-xlsxwriter", 1), ("comments", "xlsx-xlsxwriter", 0),
            ("comments", "xlsx-openpyxl", 1), ("comments", "xlsx-openpyxl", 0), ("replies", "csv", 0),
            ("replies", "xlsx", 0), ("replies", "xlsx-xlsxwriter", 0), ("replies", "xlsx-openpyxl", 0)]
    if args.only:
        runs = [run for run in runs if run[1] in args.only]
    for kind, fmt, project in runs:
        out = subprocess.run([sys.executable, __file__, "--one", kind, fmt, str(project)], capture_output=True,
                             text=True, check=True, cwd=ROOT)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(result)
        print(json.dumps(result), file=sys.stderr)
    print("| export | rows | wall s | rows/s (wall) | CPU s | rows/CPU-s | RSS growth (MB) | file (MB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        writer = {"csv": "CSV", "xlsx": "XLSX (streaming)", "xlsx-xlsxwriter": "XLSX (XlsxWriter)",
                  "xlsx-openpyxl": "XLSX (openpyxl)"}[r["format"]]
        print(f"| {r['kind']} {writer} | {r['rows']:,} | {r['seconds']} | {r['rows_per_second']:,} "
              f"| {r['cpu_seconds']} | {r['rows_per_cpu_second']:,} | {r['rss_growth_mb']} | {r['file_mb']} |")


if __name__ == "__main__":
    main()
