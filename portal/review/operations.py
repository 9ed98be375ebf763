"""The review queue: listing screened comments, staff overrides (single, bulk, whole campaign), re-screening
failures, and the overrides as labelled data. Changes state with add/flush; the caller commits."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, selectinload

from portal.extensions import db
from portal.models import Comment, Project, ScreeningOverride, ScreeningRecord, Stage, User
from portal.operations import audit, pipeline
from portal.operations.errors import NotFound, ValidationError
from portal.timeutil import utcnow


@dataclass(frozen=True)
class Action:
    """A reviewer's decision: the override fields it sets, or ``rescreen``."""

    name: str
    label: Any
    changes: tuple[tuple[str, Any], ...] = ()


ACTIONS: dict[str, Action] = {a.name: a for a in (
    Action("approve", _l("通过（公开）"), (("review", "approved"),)),
    Action("reject", _l("不予公开"), (("review", "rejected"),)),
    Action("not_spam", _l("不是广告"), (("spam", False),)),
    Action("spam", _l("是广告"), (("spam", True),)),
    Action("not_abusive", _l("不是辱骂"), (("abusive", False),)),
    Action("abusive", _l("是辱骂"), (("abusive", True),)),
    Action("substantive", _l("有实质内容"), (("low_info", False),)),
    Action("low_info", _l("无实质内容"), (("low_info", True),)),
    Action("not_duplicate", _l("不是重复"), (("duplicate", None),)),
    Action("value_2", _l("价值 2：具体有建设性"), (("value", 2),)),
    Action("value_1", _l("价值 1：一般意见"), (("value", 1),)),
    Action("value_0", _l("价值 0：无可操作内容"), (("value", 0),)),
    Action("rescreen", _l("重新筛查")),
)}

FLAG_FILTERS: dict[str, Any] = {
    "spam": _l("广告"),
    "abusive": _l("辱骂"),
    "pii": _l("含个人信息"),
    "low_info": _l("无实质内容"),
    "campaign": _l("重复 / 联名（按组）"),
    "value_2": _l("价值 2"),
    "value_1": _l("价值 1"),
    "value_0": _l("价值 0"),
    "failed": _l("筛查失败"),
    "pending": _l("待筛查"),
    "unreviewed": _l("未人工审核"),
    "reviewed": _l("已人工审核"),
}

FIELD_LABELS = {
    "spam": _l("广告"), "abusive": _l("辱骂"), "pii": _l("个人信息"), "low_info": _l("无实质内容"),
    "value": _l("价值"), "duplicate": _l("重复"), "review": _l("审核结论"),
}
REVIEW_LABELS = {"approved": _l("已通过"), "rejected": _l("不予公开")}
VALUE_LABELS = {0: _l("无可操作内容"), 1: _l("一般意见"), 2: _l("具体有建设性")}


def get_action(name: str | None) -> Action:
    """The action called ``name``, or a ValidationError naming the valid ones."""
    action = ACTIONS.get(name or "")
    if action is None:
        raise ValidationError(f"未知的操作：{name or '（空）'}。", field="action")
    return action


# ---- the queue -------------------------------------------------------------------------------------------


def queue_query(flag: str | None = None, project_id: int | None = None, stage_kind: str | None = None,
                family_id: int | None = None, search: str | None = None):
    """The review queue as a select: members of a duplicate family are folded into their representative
    (shown once with a count) unless ``family_id`` asks for one family in full."""
    query = (db.select(Comment).join(Project, Project.id == Comment.project_id)
             .options(selectinload(Comment.project), selectinload(Comment.stage)))
    if family_id is not None:
        return query.where(db.or_(Comment.id == family_id, Comment.duplicate_of_id == family_id)).order_by(Comment.id)
    query = query.where(Comment.duplicate_of_id.is_(None))
    if project_id is not None:
        query = query.where(Comment.project_id == project_id)
    if stage_kind:
        query = query.join(Stage, Stage.id == Comment.stage_id).where(Stage.kind == stage_kind)
    if search:
        # % and _ typed by staff are literal characters, not wildcards.
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(db.or_(Comment.text.ilike(f"%{escaped}%", escape="\\"),
                                   Comment.receipt_code.ilike(f"%{escaped.replace('-', '')}%", escape="\\")))
    done = Comment.screening_state == "done"
    conditions = {
        "spam": db.and_(done, Comment.is_spam.is_(True)),
        "abusive": db.and_(done, Comment.is_abusive.is_(True)),
        "pii": db.and_(done, Comment.has_pii.is_(True)),
        "low_info": db.and_(done, Comment.is_low_info.is_(True)),
        "value_2": db.and_(done, Comment.value_score == 2),
        "value_1": db.and_(done, Comment.value_score == 1),
        "value_0": db.and_(done, Comment.value_score == 0),
        "failed": Comment.screening_state == "failed",
        "pending": Comment.screening_state == "pending",
        # Any human decision (a flag corrected, approved, rejected) counts as reviewed.
        "unreviewed": Comment.reviewed_by_id.is_(None),
        "reviewed": Comment.reviewed_by_id.is_not(None),
    }
    if flag == "campaign":
        member = aliased(Comment)
        query = query.where(db.select(member.id).where(member.duplicate_of_id == Comment.id).exists())
    elif flag in conditions:
        query = query.where(conditions[flag])
    return query.order_by(Comment.id.desc())


def fold_public_families(query):
    """Restrict a select of published comments so that a campaign shows once: a member of a duplicate family
    is hidden while its representative is published (the representative carries the count)."""
    representative = aliased(Comment)
    return query.outerjoin(representative, representative.id == Comment.duplicate_of_id).where(
        db.or_(representative.id.is_(None), representative.published.is_(False)))


def screening_counts() -> dict[str, int]:
    """Counts for the badges: failed, pending, unreviewed flagged comments, and the job-queue backlog."""
    from portal.queue import pending_count

    def count(*where) -> int:
        return db.session.execute(db.select(db.func.count(Comment.id)).where(*where)).scalar_one()

    flagged = db.or_(Comment.is_spam.is_(True), Comment.is_abusive.is_(True), Comment.is_low_info.is_(True))
    return {
        "failed": count(Comment.screening_state == "failed"),
        "pending": count(Comment.screening_state == "pending"),
        "flagged": count(Comment.screening_state == "done", Comment.reviewed_by_id.is_(None), flagged,
                         Comment.duplicate_of_id.is_(None)),
        "backlog": pending_count(),
    }


def last_overrides(comment_ids: list[int]) -> dict[int, list[ScreeningOverride]]:
    """The overrides of the listed comments, oldest first, for the queue page."""
    if not comment_ids:
        return {}
    rows = db.session.execute(
        db.select(ScreeningOverride).where(ScreeningOverride.comment_id.in_(comment_ids))
        .options(selectinload(ScreeningOverride.user))
        .order_by(ScreeningOverride.at, ScreeningOverride.id)
    ).scalars()
    out: dict[int, list[ScreeningOverride]] = {}
    for row in rows:
        out.setdefault(row.comment_id, []).append(row)
    return out


# ---- overrides -------------------------------------------------------------------------------------------


def get_comments(ids: Iterable[int]) -> list[Comment]:
    """The comments with these ids, in id order; NotFound naming the ids that do not exist."""
    wanted = sorted(set(ids))
    if not wanted:
        raise ValidationError("请至少选择一条意见。", field="ids")
    limit = current_app.config.get("REVIEW_BULK_LIMIT", 500)
    if len(wanted) > limit:
        raise ValidationError(f"一次最多处理 {limit} 条意见，请分批操作。", field="ids")
    found = list(db.session.execute(db.select(Comment).where(Comment.id.in_(wanted)).order_by(Comment.id)).scalars())
    missing = sorted(set(wanted) - {c.id for c in found})
    if missing:
        raise NotFound(f"找不到这些意见：{'、'.join(f'#{i}' for i in missing[:20])}。", field="ids")
    return found


def get_family(representative_id: int) -> list[Comment]:
    """A campaign: the representative and all its members. NotFound when there is no such comment."""
    head = db.session.get(Comment, representative_id)
    if head is None:
        raise NotFound(f"找不到意见 #{representative_id}。")
    if head.duplicate_of_id is not None:
        head = db.session.get(Comment, head.duplicate_of_id) or head
    members = db.session.execute(
        db.select(Comment).where(Comment.duplicate_of_id == head.id).order_by(Comment.id)
    ).scalars().all()
    return [head, *members]


def override(comment: Comment, action: Action, user: User, note: str | None = None) -> list[ScreeningOverride]:
    """Apply a reviewer's decision to one comment: each changed field is recorded as a ScreeningOverride and
    in the audit trail; publication follows. Returns the new overrides (empty when nothing changed)."""
    if action.name == "rescreen":
        raise ValidationError("“重新筛查”不是人工判断，请使用重新筛查按钮。", field="action")
    note = (note or "").strip() or None
    created = []
    for field, new in action.changes:
        attribute = pipeline.OVERRIDE_ATTRIBUTES[field]
        old = getattr(comment, attribute)
        old_text = pipeline.format_override_value(field, old)
        new_text = pipeline.format_override_value(field, new)
        if old_text == new_text:
            continue
        setattr(comment, attribute, new)
        row = ScreeningOverride(comment_id=comment.id, user_id=user.id, at=utcnow(), field=field,
                                old_value=old_text, new_value=new_text, note=note)
        db.session.add(row)
        created.append(row)
        audit.record(user, "screening.override", comment, {field: old_text},
                     {field: new_text, "action": action.name, "note": note})
    if created:
        before = comment.published
        comment.reviewed_by_id = user.id
        comment.reviewed_at = utcnow()
        comment.published = pipeline.decide_publication(comment)
        if before != comment.published:
            audit.record(user, "comment.publish" if comment.published else "comment.unpublish", comment,
                         {"published": before}, {"published": comment.published, "via": action.name})
    db.session.flush()
    return created


def apply_action(comments: list[Comment], action: Action, user: User, note: str | None = None) -> int:
    """Apply ``action`` to every comment; returns how many changed. ``rescreen`` marks them pending
    (the caller queues them after commit with :func:`queue_rescreen`)."""
    if action.name == "rescreen":
        return len(mark_for_rescreen(comments, user))
    return sum(1 for c in comments if override(c, action, user, note))


def mark_for_rescreen(comments: list[Comment], user: User) -> list[int]:
    """Set the comments back to ``pending`` (staff decisions are kept and re-applied); returns their ids."""
    for comment in comments:
        audit.record(user, "screening.rescreen", comment, {"screening_state": comment.screening_state},
                     {"screening_state": "pending"})
        comment.screening_state = "pending"
        comment.updated_at = utcnow()
    db.session.flush()
    return [c.id for c in comments]


def failed_comments(limit: int | None = None) -> list[Comment]:
    """The comments whose screening failed (all of them, or the first ``limit``)."""
    query = db.select(Comment).where(Comment.screening_state == "failed").order_by(Comment.id)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.execute(query).scalars())


def queue_rescreen(ids: list[int]) -> int:
    """Queue screening of ``ids`` (after the commit that marked them pending); returns how many were queued."""
    return sum(1 for comment_id in ids if pipeline.enqueue_comment(comment_id))


# ---- labelled data ---------------------------------------------------------------------------------------

EXPORT_COLUMNS = ("comment_id", "project", "text", "redacted_text", "field", "automatic", "staff", "previous",
                  "note", "user", "at")


def _automatic(field: str, record: ScreeningRecord | None, fallback: str | None) -> str | None:
    if record is None:
        return fallback
    if field == "review":
        clean = not (record.spam or record.abusive or record.low_info or record.duplicate_of_id)
        return "approved" if clean else "held"
    value = {"spam": record.spam, "abusive": record.abusive, "pii": record.pii, "low_info": record.low_info,
             "value": record.value, "duplicate": record.duplicate_of_id}.get(field)
    return pipeline.format_override_value(field, value)


def labelled_rows(project_id: int | None = None) -> Iterator[dict[str, Any]]:
    """One dict per override, oldest first: the comment text, the automatic and the staff decision, who, when."""
    query = (
        db.select(ScreeningOverride, Comment, ScreeningRecord, User, Project.name)
        .join(Comment, Comment.id == ScreeningOverride.comment_id)
        .join(Project, Project.id == Comment.project_id)
        .outerjoin(ScreeningRecord, ScreeningRecord.comment_id == Comment.id)
        .outerjoin(User, User.id == ScreeningOverride.user_id)
        .order_by(ScreeningOverride.at, ScreeningOverride.id)
    )
    if project_id is not None:
        query = query.where(Comment.project_id == project_id)
    for row, comment, record, user, project_name in db.session.execute(query).yield_per(500):
        yield {
            "comment_id": comment.id,
            "project": project_name,
            "text": comment.text,
            "redacted_text": comment.redacted_text,
            "field": row.field,
            "automatic": _automatic(row.field, record, row.old_value),
            "staff": row.new_value,
            "previous": row.old_value,
            "note": row.note,
            "user": user.username if user else None,
            "at": row.at.isoformat() if row.at else None,
        }


def export_jsonl(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """JSON lines, one override per line (UTF-8, Chinese kept readable)."""
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"


def export_csv(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """CSV with a header and a BOM so that Excel opens the Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
    buffer.write("\ufeff")
    writer.writeheader()
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow({k: _csv_safe(v) for k, v in row.items()})
        yield buffer.getvalue()


def _csv_safe(value: Any) -> Any:
    # A cell starting with = + - @ would run as a formula in Excel (CSV injection); prefix a quote.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
