"""Loading the demo data set (``data/demo/demo.json``, original fictional writing)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from portal.extensions import db
from portal.models import STAGE_BY_CHINESE, Adoption, Comment, Project, Role, User
from portal.operations import comments as comment_ops
from portal.operations import pipeline
from portal.operations import projects as project_ops
from portal.operations import users as user_ops
from portal.operations.errors import ValidationError

log = logging.getLogger(__name__)
ADOPTION_BY_CHINESE = {"采纳": Adoption.ADOPTED, "部分采纳": Adoption.PARTIAL, "不采纳": Adoption.REJECTED}


def load(data: dict[str, Any], admin: tuple[str, str], today: dt.date, screen: bool = True) -> str:
    """Create what is missing from ``data``; projects already present (by slug) are left untouched."""
    if not isinstance(data, dict) or not isinstance(data.get("projects"), list):
        raise ValidationError("演示数据缺少 projects 列表。")
    user = db.session.execute(db.select(User).filter_by(username=admin[0])).scalar_one_or_none()
    if user is None:
        user = user_ops.create_user(admin[0], admin[1], Role.ADMIN, display_name="演示管理员")
    for name in data.get("departments", []):
        user_ops.get_or_create_department(name)
    created, skipped, comment_ids = 0, 0, []
    for item in data["projects"]:
        if db.session.execute(db.select(Project).filter_by(slug=item["slug"])).scalar_one_or_none():
            skipped += 1
            continue
        comment_ids += _load_project(item, user, today)
        created += 1
    db.session.flush()
    if screen and comment_ids:
        db.session.commit()
        for comment_id in comment_ids:
            try:
                pipeline.process_comment(comment_id)
            except Exception:  # noqa: BLE001 - recorded on the comment, visible to staff
                log.exception("demo comment %s could not be screened", comment_id)
    return (f"演示数据：新建 {created} 个项目（{skipped} 个已存在，未改动），{len(comment_ids)} 条意见。"
            f"演示管理员：{admin[0]} / {admin[1]}")


def _load_project(item: dict[str, Any], user: User, today: dt.date) -> list[int]:
    values = {key: item.get(key) for key in ("slug", "name", "kind", "region", "villages", "summary", "body",
                                             "department")}
    project = project_ops.save_project(values, None)
    stages = {}
    for stage_item in item.get("stages", []):
        stage = project_ops.save_stage(project, {
            "kind": STAGE_BY_CHINESE[stage_item["kind"]],
            "opens_on": today + dt.timedelta(days=stage_item["opens_offset_days"]),
            "closes_on": today + dt.timedelta(days=stage_item["closes_offset_days"]),
            "description": stage_item.get("description", ""),
        }, None)
        stages[stage_item["kind"]] = stage
    for notice_item in item.get("notices", []):
        stage = stages.get(notice_item.get("stage"))
        project_ops.save_notice(project, {
            "kind": notice_item.get("kind", "公示"),
            "title": notice_item["title"],
            "body": notice_item.get("body", ""),
            "starts_on": today + dt.timedelta(days=notice_item["start_offset_days"]),
            "ends_on": today + dt.timedelta(days=notice_item["end_offset_days"]),
            "short_period_reason": notice_item.get("short_period_reason"),
            "published": True,
            "stage_id": stage.id if stage else None,
        }, None)
    ids = []
    now = dt.datetime.now(dt.UTC)
    for comment_item in item.get("comments", []):
        stage = stages[comment_item["stage"]]
        comment = comment_ops.submit_comment(
            project, stage.id, comment_item["text"], village=comment_item.get("village"),
            author_name=comment_item.get("name"), phone=comment_item.get("phone"),
            channel=comment_item.get("channel", "网站"), enforce_open=False,
        )
        comment.created_at = now - dt.timedelta(days=comment_item.get("days_ago", 0), minutes=len(ids))
        reply = comment_item.get("reply")
        if reply:
            comment_ops.add_reply(comment, reply["text"], user, ADOPTION_BY_CHINESE.get(reply.get("adoption")),
                                  reply.get("reason") or None)
        ids.append(comment.id)
    return ids


def count_comments() -> int:
    return db.session.execute(db.select(db.func.count(Comment.id))).scalar_one()
