"""``flask kb ...``: the chatbot's knowledge base — import laws or FAQ entries, rebuild the index."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from portal.extensions import db
from portal.operations.errors import DomainError

cli = AppGroup("kb", help="Knowledge base of the resident Q&A chatbot.")


@cli.command("import")
@click.argument("path", type=click.Path(exists=True))
@click.option("--no-reindex", is_flag=True, help="do not rebuild the index afterwards")
def import_cmd(path: str, no_reindex: bool) -> None:
    """Import law .md files (into the KB's laws/ folder) or FAQ entries (.json/.xlsx, as staff FAQ)."""
    from portal.qa import operations

    try:
        counts = operations.import_path(path)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        click.echo(f"错误：{exc.message}", err=True)
        sys.exit(1)
    click.echo(f"已导入：法规 {counts['laws']} 部（{counts['articles']} 条），常见问题 {counts['faq']} 条。")
    if not no_reindex:
        _reindex()


@cli.command("reindex")
def reindex_cmd() -> None:
    """Build (or reload, when unchanged) the index of the KB plus staff FAQ entries and published replies."""
    _reindex()


def _reindex() -> None:
    from portal.qa import operations

    try:
        report = operations.rebuild_index()
    except DomainError as exc:
        click.echo(f"错误：{exc.message}", err=True)
        sys.exit(1)
    click.echo(f"索引已就绪：{report['documents']} 篇文档（其中工作人员条目 {report['staff_entries']} 条），"
               f"用时 {report['seconds']} 秒，保存在 {operations.index_root()}。")
