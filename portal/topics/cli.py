"""``flask topics …``: re-cluster projects, list their topics, export them to Excel."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from portal.extensions import db
from portal.models import Project
from portal.operations.errors import DomainError

cli = AppGroup("topics", help="Topics (议题): clustering of residents' comments.")


def _fail(message: str) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(1)


def _projects(slug: str | None) -> list[Project]:
    from portal.topics import operations as ops

    if slug:
        try:
            return [ops.get_project_by_slug(slug)]
        except DomainError as exc:
            _fail(exc.message)
    return list(db.session.execute(db.select(Project).order_by(Project.id)).scalars())


@cli.command("recluster")
@click.option("--project", "slug", help="project slug (default: every project)")
@click.option("--queue/--now", "use_queue", default=False, help="queue the job instead of running it here")
def recluster(slug: str | None, use_queue: bool) -> None:
    """Cluster the genuine comments of a project (or of all) again, keeping staff edits."""
    from portal.topics import operations as ops

    failed = 0
    for project in _projects(slug):
        try:
            run = ops.request_recluster(project, None)
        except DomainError as exc:
            click.echo(f"{project.slug}：{exc.message}", err=True)
            failed += 1
            continue
        db.session.commit()
        if use_queue:
            queued = ops.enqueue_run(run)
            click.echo(f"{project.slug}：" + (f"已排队（任务 {run.id}）" if queued else "无法加入任务队列"))
            failed += 0 if queued else 1
            continue
        run = ops.run_recluster(run.id)
        if run.state == "done":
            click.echo(f"{project.slug}：{run.topics} 个议题，{run.comments} 条有效意见，{run.unassigned} 条未归入"
                       f"（{run.model_name}）")
        else:
            # Too few comments is normal for a young project: reported, but only an error for one project.
            click.echo(f"{project.slug}：{run.error}", err=True)
            failed += 1 if slug else 0
    if failed:
        sys.exit(1)


@cli.command("list")
@click.option("--project", "slug", required=True, help="project slug")
def list_topics(slug: str) -> None:
    """Print the topics of a project, ranked by the number of residents."""
    from portal.topics import operations as ops

    project = _projects(slug)[0]
    data = ops.overview(project)
    for rank, entry in enumerate(data["topics"], start=1):
        topic = entry["topic"]
        click.echo(f"{rank:>3}. [{topic.id}] {topic.display_name}  {entry['residents']} 人  "
                   f"关键词：{'、'.join(topic.keywords or [])}")
    click.echo(f"有效意见 {data['genuine']} 条，未归入议题 {data['unassigned']} 条")


@cli.command("export")
@click.option("--project", "slug", required=True, help="project slug")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="the .xlsx file to write")
def export(slug: str, output: str) -> None:
    """Write the topics of a project with their comments to an Excel file."""
    from portal.topics import operations as ops

    project = _projects(slug)[0]
    with open(output, "wb") as handle:
        handle.write(ops.export_workbook(project))
    click.echo(f"已导出到 {output}")
