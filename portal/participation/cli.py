"""``flask participation …``: offline imports, survey exports and minutes from the command line
(for county offices that collect paper forms in bulk or script their reports)."""

from __future__ import annotations

import os
import sys

import click
from flask.cli import AppGroup

from portal.extensions import db
from portal.operations.errors import DomainError

cli = AppGroup("participation", help="Surveys, meetings, offline imports (issue 9).")


def _fail(message: str) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(1)


def _user(username: str):
    from portal.models import User

    user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none()
    if user is None:
        _fail(f"找不到工作人员账号 {username}。")
    return user


def _enqueue(comment_ids: list[int]) -> None:
    from portal.operations import pipeline

    for comment_id in comment_ids:
        pipeline.enqueue_comment(comment_id)


@cli.command("import")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "username", required=True, help="staff account recorded as the one who entered the rows")
def import_command(slug: str, path: str, username: str) -> None:
    """Import paper forms / hotline records (XLSX or CSV, template columns) into project SLUG."""
    from portal.models import Project
    from portal.participation import imports

    project = db.session.execute(db.select(Project).filter_by(slug=slug)).scalar_one_or_none()
    if project is None:
        _fail(f"找不到项目 {slug}。")
    try:
        with open(path, "rb") as stream:
            batch = imports.import_file(project, stream, os.path.basename(path), _user(username))
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        _fail(exc.message)
    _enqueue([e["comment_id"] for e in batch.report if e.get("comment_id")])
    click.echo(f"共 {batch.total_rows} 行：导入 {batch.imported}，重复 {batch.duplicates}，有误 {batch.errors}。")
    for entry in batch.report:
        if entry["status"] == "error":
            click.echo(f"  第 {entry['row']} 行：{entry['message']}")
    if batch.errors:
        sys.exit(2)


@cli.command("export-survey")
@click.argument("survey_id", type=int)
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_survey(survey_id: int, path: str) -> None:
    """Write all responses of a survey to PATH (.xlsx or .csv)."""
    from portal.participation import surveys
    from portal.participation.common import csv_bytes, xlsx_bytes

    try:
        survey = surveys.get_survey(survey_id)
    except DomainError as exc:
        _fail(exc.message)
    header, rows = surveys.export_table(survey)
    data = xlsx_bytes("问卷答卷", header, rows) if path.lower().endswith(".xlsx") else csv_bytes(header, rows)
    with open(path, "wb") as out:
        out.write(data)
    click.echo(f"已导出 {len(rows)} 份答卷到 {path}。")


@cli.command("transcript")
@click.argument("meeting_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "username", required=True)
def transcript_command(meeting_id: int, path: str, username: str) -> None:
    """Split the minutes at PATH (DOCX/TXT) into statements of meeting MEETING_ID."""
    from portal.participation import meetings

    try:
        meeting = meetings.get_meeting(meeting_id)
        with open(path, "rb") as stream:
            transcript = meetings.import_transcript(meeting, stream, os.path.basename(path), _user(username))
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        _fail(exc.message)
    _enqueue(transcript.comment_ids)
    click.echo(f"已导入 {len(transcript.comment_ids)} 条发言，跳过 {transcript.skipped} 段。")
