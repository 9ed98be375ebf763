"""``flask respond ...``: departments, demo routing, reminders, resident messages, reports and exports."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from portal.extensions import db
from portal.operations.errors import DomainError

cli = AppGroup("respond", help="Departments, deadlines (督办), replies, reports and exports.")


def _fail(message: str) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(1)


@cli.command("seed-departments")
def seed_departments() -> None:
    """Create the standard departments (RESPOND_STANDARD_DEPARTMENTS) that are missing."""
    from portal.respond import operations as ops

    created = ops.seed_departments()
    db.session.commit()
    click.echo(f"新建 {created} 个部门，共 {len(ops.departments(False))} 个。")


@cli.command("seed-demo")
@click.option("--password", default="tingjian-demo", show_default=True, help="password of the demo accounts")
def seed_demo(password: str) -> None:
    """Demo routing: standard departments, a reviewer and one staff account per department, and the busiest
    comments of each project assigned along the routing suggestions (run after ``flask demo load``)."""
    from portal.models import Comment, Project, Role, User
    from portal.operations import users as user_ops
    from portal.respond import operations as ops

    ops.seed_departments()
    admin = db.session.execute(db.select(User).where(User.role == Role.ADMIN).order_by(User.id)).scalars().first()
    if admin is None:
        _fail("请先创建管理员或加载演示数据（flask demo load）。")
    accounts = 0
    if db.session.execute(db.select(User).filter_by(username="reviewer")).scalar_one_or_none() is None:
        user_ops.create_user("reviewer", password, Role.REVIEWER, display_name="演示审核员")
        accounts += 1
    for n, department in enumerate(ops.departments(), 1):
        name = f"dept{n}"
        if db.session.execute(db.select(User).filter_by(username=name)).scalar_one_or_none() is None:
            user_ops.create_user(name, password, Role.DEPARTMENT, department.name,
                                 display_name=f"{department.name}工作人员")
            accounts += 1
    assigned = 0
    for project in db.session.execute(db.select(Project)).scalars():
        comments = db.session.execute(db.select(Comment).where(
            Comment.project_id == project.id, Comment.duplicate_of_id.is_(None)).order_by(Comment.id).limit(12)
        ).scalars()
        for comment in comments:
            suggestion = ops.suggest_departments([comment])
            if not suggestion or ops.open_assignment_for("comment", comment.id, None):
                continue
            try:
                with db.session.begin_nested():
                    ops.assign("comment", department_id=suggestion[0]["department"].id, user=admin,
                               comment_id=comment.id, note="演示交办")
                assigned += 1
            except DomainError:
                continue
    db.session.commit()
    click.echo(f"演示：新建 {accounts} 个账号（密码 {password}），交办 {assigned} 条意见。")


@cli.command("remind")
def remind() -> None:
    """Send today's reminders now (also run hourly by the queue worker)."""
    from portal.respond import operations as ops

    counts = ops.send_reminders()
    db.session.commit()
    click.echo(f"提醒：{counts['items']} 项即将到期或超期，{counts['notifications']} 条站内通知，"
               f"{counts['emails']} 封邮件。")


@cli.command("send-messages")
def send_messages() -> None:
    """Send resident messages that are still queued (or failed, up to 5 attempts)."""
    from portal.respond import operations as ops

    counts = ops.deliver_messages()
    db.session.commit()
    click.echo(f"已发送 {counts['sent']} 条，失败 {counts['failed']} 条。")


@cli.command("export")
@click.argument("kind", type=click.Choice(["comments", "replies"]))
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--project", "project_id", type=int, help="only this project id")
def export(kind: str, path: str, project_id: int | None) -> None:
    """Export comments or replies to PATH (.csv or .xlsx), streaming."""
    from portal.respond import exports

    header, rows = exports.rows_for(kind, project_id)
    if path.endswith(".xlsx"):
        count = exports.write_xlsx(header, rows, path, kind)
    elif path.endswith(".csv"):
        count = 0
        with open(path, "wb") as file:
            for chunk in exports.stream_csv(header, rows):
                file.write(chunk)
        with open(path, encoding="utf-8-sig") as file:
            count = sum(1 for _ in file) - 1
    else:
        _fail("文件名须以 .csv 或 .xlsx 结尾。")
    click.echo(f"已导出到 {path}（{count} 行）。")


@cli.command("report")
@click.argument("project_id", type=int)
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--stage", "stage_id", type=int, help="only this stage id")
def report(project_id: int, path: str, stage_id: int | None) -> None:
    """Write the adoption report (意见采纳情况报告) of a project to PATH (.docx or .xlsx)."""
    from portal.respond import reports

    try:
        project = reports.get_project(project_id)
        content = reports.build_report(project, reports.get_stage(project, stage_id))
    except DomainError as exc:
        _fail(exc.message)
    if path.endswith(".docx"):
        data = reports.report_docx(content)
    elif path.endswith(".xlsx"):
        data = reports.report_xlsx(content)
    else:
        _fail("文件名须以 .docx 或 .xlsx 结尾。")
    with open(path, "wb") as file:
        file.write(data)
    click.echo(f"已写入 {path}：{content['title']}，{content['total']} 条意见。")
