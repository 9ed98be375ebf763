"""Public JSON endpoints."""

from __future__ import annotations

from flask import current_app, jsonify, request

from portal.api import bp
from portal.extensions import db, limiter
from portal.models import Project, ProjectStatus
from portal.operations import comments as comment_ops
from portal.operations import pipeline
from portal.operations import projects as project_ops
from portal.operations.errors import ValidationError


def _comment_limit() -> str:
    return current_app.config["COMMENT_RATE_LIMIT"]


@bp.route("/projects")
def projects():
    rows = db.session.execute(
        db.select(Project).where(Project.status != ProjectStatus.DRAFT).order_by(Project.id)
    ).scalars()
    return jsonify([
        {
            "slug": p.slug, "name": p.name, "kind": p.kind, "region": p.region, "villages": p.villages,
            "stages": [{"id": s.id, "kind": s.kind, "opens_on": s.opens_on.isoformat(),
                        "closes_on": s.closes_on.isoformat(), "open": s.is_open()} for s in p.stages],
        }
        for p in rows
    ])


@bp.route("/projects/<slug>/comments", methods=["POST"])
@limiter.limit(_comment_limit)
def submit(slug: str):
    project = project_ops.get_project_by_slug(slug)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError("请求体必须是 JSON 对象。")
    try:
        stage_id = int(data.get("stage_id") or 0)
    except (TypeError, ValueError):
        raise ValidationError("stage_id 必须是整数。", field="stage_id") from None
    comment = comment_ops.submit_comment(
        project, stage_id, data.get("text") if isinstance(data.get("text"), str) else None,
        village=data.get("village") if isinstance(data.get("village"), str) else None,
    )
    db.session.commit()
    pipeline.enqueue_comment(comment.id)
    return jsonify({"receipt_code": comment_ops.format_receipt_code(comment.receipt_code),
                    "status": comment.status}), 201


@bp.route("/receipts/<code>")
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
def receipt(code: str):
    comment = comment_ops.find_by_receipt(code)
    return jsonify({
        "receipt_code": comment_ops.format_receipt_code(comment.receipt_code),
        "project": comment.project.name,
        "stage": comment.stage.label,
        "status": comment.status,
        "status_label": comment.status_label,
        "adoption": comment.adoption,
        "adoption_reason": comment.adoption_reason,
        "replies": [{"text": r.text, "published_at": r.published_at.isoformat()} for r in comment.published_replies],
    })
