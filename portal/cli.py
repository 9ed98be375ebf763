"""``flask`` commands: users, demo data, screening, the job queue."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

import click
from flask import Flask
from flask.cli import AppGroup

from portal.extensions import db
from portal.operations.errors import DomainError

users_cli = AppGroup("users", help="Staff accounts.")
demo_cli = AppGroup("demo", help="Demo data.")
queue_cli = AppGroup("queue", help="The background job queue.")
screening_cli = AppGroup("screening", help="Automatic comment screening.")

DEMO_ADMIN = ("admin", "tingjian-demo")
DEMO_PATH = os.path.join(os.path.dirname(__file__), "..", "data", "demo", "demo.json")


def _fail(message: str) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(1)


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "reviewer", "department"]), default="reviewer",
              show_default=True, help="admin 管理员, reviewer 审核员, department 部门工作人员")
@click.option("--department", help="department name (required for --role department)")
@click.option("--name", "display_name", default="", help="display name")
@click.password_option(help="password (at least 8 characters); prompted when omitted")
def users_create(username: str, role: str, department: str | None, display_name: str, password: str) -> None:
    """Create a staff account."""
    from portal.operations import users

    try:
        user = users.create_user(username, password, role, department, display_name)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        _fail(exc.message)
    click.echo(f"已创建用户 {user.username}（{user.role_label}）。")


@users_cli.command("list")
def users_list() -> None:
    """List staff accounts."""
    from portal.models import User

    for user in db.session.execute(db.select(User).order_by(User.id)).scalars():
        dept = user.department.name if user.department else "-"
        click.echo(f"{user.id}\t{user.username}\t{user.role}\t{dept}\t{'active' if user.active else 'disabled'}")


@demo_cli.command("load")
@click.option("--path", default=DEMO_PATH, show_default=True, type=click.Path(dir_okay=False))
@click.option("--no-screen", is_flag=True, help="skip running the screening pipeline on the demo comments")
def demo_load(path: str, no_screen: bool) -> None:
    """Load the demo projects, comments and admin (idempotent: existing projects are kept)."""
    from portal.operations import demo

    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        _fail(f"找不到演示数据文件 {path}")
    except json.JSONDecodeError as exc:
        _fail(f"演示数据文件不是合法的 JSON：第 {exc.lineno} 行 {exc.msg}")
    try:
        summary = demo.load(data, admin=DEMO_ADMIN, today=dt.date.today(), screen=not no_screen)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        _fail(exc.message)
    click.echo(summary)


@queue_cli.command("worker")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 32))
def queue_worker(workers: int) -> None:
    """Run the background worker (a separate process in production)."""
    from portal.queue import run_worker

    run_worker(workers)


@screening_cli.command("run")
@click.option("--all", "everything", is_flag=True, help="re-screen every comment, not only pending/failed ones")
@click.option("--queue/--now", "use_queue", default=False, help="queue the jobs instead of running them here")
def screening_run(everything: bool, use_queue: bool) -> None:
    """Screen comments that are pending or failed (or all with --all)."""
    from portal.models import Comment
    from portal.operations import pipeline

    query = db.select(Comment.id).order_by(Comment.id)
    if not everything:
        query = query.where(Comment.screening_state.in_(("pending", "failed")))
    ids = list(db.session.execute(query).scalars())
    failed = 0
    for comment_id in ids:
        if use_queue:
            pipeline.enqueue_comment(comment_id)
            continue
        try:
            pipeline.process_comment(comment_id)
        except Exception as exc:  # noqa: BLE001 - recorded on the comment; go on with the rest
            failed += 1
            click.echo(f"意见 {comment_id} 筛查失败：{exc}", err=True)
    click.echo(f"{'已排队' if use_queue else '已筛查'} {len(ids) - failed} 条意见" + (f"，{failed} 条失败" if failed else ""))
    if failed:
        sys.exit(1)


def register(app: Flask) -> None:
    for group in (users_cli, demo_cli, queue_cli, screening_cli):
        app.cli.add_command(group)
