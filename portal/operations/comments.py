"""Comments: submission with receipt codes, lookup, status changes and replies."""

from __future__ import annotations

import re
import secrets
import unicodedata

from flask import current_app
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import (
    CHANNELS,
    Adoption,
    Comment,
    CommentStatus,
    Project,
    Reply,
    ReplyState,
    Role,
    Stage,
    User,
)
from portal.operations import audit
from portal.operations.errors import Conflict, NotFound, ValidationError
from portal.timeutil import utcnow

# No 0/O, 1/I/L: a code read aloud over the phone or copied from paper stays unambiguous.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 8  # 31^8 ≈ 8.5e11 codes: not guessable at the lookup rate limit
_PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{5,18}[0-9]$")


def generate_receipt_code() -> str:
    """A random receipt code (stored without the display hyphen)."""
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def format_receipt_code(code: str) -> str:
    """``ABCD2345`` → ``ABCD-2345`` for display."""
    return f"{code[:4]}-{code[4:]}" if len(code) == RECEIPT_LENGTH else code


def parse_receipt_code(raw: str | None) -> str:
    """Normalise what a resident typed (spaces, hyphens, full-width, lower case) or raise ValidationError."""
    text = unicodedata.normalize("NFKC", raw or "").upper()
    code = re.sub(r"[\s\-_—–·.]", "", text)
    if not code:
        raise ValidationError("请输入回执码。", field="code")
    if len(code) != RECEIPT_LENGTH or any(ch not in RECEIPT_ALPHABET for ch in code):
        raise ValidationError(
            "回执码格式不对：回执码是 8 位字母和数字（不含 0、1、I、L、O），例如 ABCD-2345。", field="code"
        )
    return code


def clean_text(raw: str | None) -> str:
    """Remove control characters (keeping line breaks and tabs) and surrounding whitespace."""
    text = (raw or "").replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return text.strip()


def validate_comment_text(raw: str | None) -> str:
    """The cleaned comment text, or ValidationError when it is empty or too long."""
    text = clean_text(raw)
    if not text:
        raise ValidationError("意见内容不能为空，请写下您的意见。", field="text")
    limit = current_app.config["COMMENT_MAX_LENGTH"]
    if len(text) > limit:
        raise ValidationError(f"意见内容太长了（{len(text)} 字），请控制在 {limit} 字以内。", field="text")
    return text


def _validate_phone(raw: str | None) -> str | None:
    phone = unicodedata.normalize("NFKC", clean_text(raw))
    if not phone:
        return None
    if not _PHONE_RE.match(phone):
        raise ValidationError("联系电话格式不对，请填写手机号或座机号（只含数字和短横线）。", field="phone")
    return phone


def submit_comment(
    project: Project,
    stage_id: int,
    text: str | None,
    *,
    village: str | None = None,
    author_name: str | None = None,
    phone: str | None = None,
    channel: str = "网站",
    entered_by: User | None = None,
    submitter_key: str | None = None,
    enforce_open: bool = True,
) -> Comment:
    """Validate and store a comment with a fresh receipt code; returns it flushed (not committed).

    Residents may comment only while the stage is open. Staff entering an offline comment (paper form,
    phone, meeting) on a resident's behalf may record it after the stage closed, since it was given in time.
    """
    stage = db.session.get(Stage, stage_id) if stage_id else None
    if stage is None or stage.project_id != project.id:
        raise NotFound("找不到该项目的这个阶段。", field="stage_id")
    if enforce_open and entered_by is None and not stage.is_open():
        raise Conflict(f"“{stage.label}”阶段的意见征集已经结束或尚未开始，目前不能提交意见。", field="stage_id")
    body = validate_comment_text(text)
    village = clean_text(village) or None
    if village and project.villages and village not in project.villages:
        raise ValidationError("请选择本项目涉及的村，或留空。", field="village")
    if channel not in CHANNELS:
        raise ValidationError("意见渠道无效。", field="channel")
    name = clean_text(author_name)[:80] or None
    comment = Comment(
        project_id=project.id,
        stage_id=stage.id,
        village=village,
        text=body,
        author_name=name,
        phone=_validate_phone(phone),
        channel=channel,
        entered_by_id=entered_by.id if entered_by else None,
        submitter_key=submitter_key,
    )
    for _ in range(5):
        comment.receipt_code = generate_receipt_code()
        try:
            with db.session.begin_nested():
                db.session.add(comment)
                db.session.flush()
            break
        except IntegrityError:  # pragma: no cover - a collision is astronomically rare
            continue
    else:  # pragma: no cover
        raise Conflict("系统繁忙，请稍后再试。")
    if entered_by is not None:
        audit.record(entered_by, "comment.enter_offline", comment, after={"channel": channel})
    return comment


def find_by_receipt(raw_code: str | None) -> Comment:
    """The comment with this receipt code, or ValidationError/NotFound with a clear message."""
    code = parse_receipt_code(raw_code)
    comment = db.session.execute(db.select(Comment).filter_by(receipt_code=code)).scalar_one_or_none()
    if comment is None:
        raise NotFound("没有找到这个回执码对应的意见，请核对后再试。", field="code")
    return comment


def get_comment(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound("找不到这条意见。")
    return comment


def set_status(
    comment: Comment,
    status: str,
    user: User,
    adoption: str | None = None,
    reason: str | None = None,
) -> Comment:
    """Change a comment's status; an adoption decision always carries a reason."""
    try:
        status = CommentStatus(status)
    except ValueError:
        raise ValidationError("状态无效。", field="status") from None
    adoption = adoption or None
    reason = clean_text(reason) or None
    if adoption is not None:
        try:
            adoption = Adoption(adoption)
        except ValueError:
            raise ValidationError("采纳情况无效。", field="adoption") from None
        if not reason:
            raise ValidationError("填写采纳情况时必须说明理由。", field="adoption_reason")
    before = audit.snapshot(comment, ("status", "adoption", "adoption_reason"))
    comment.status = status
    if adoption is not None:
        comment.adoption = adoption
        comment.adoption_reason = reason
    audit.record(user, "comment.status", comment, before, audit.snapshot(comment, tuple(before)))
    db.session.flush()
    return comment


def add_reply(
    comment: Comment,
    text: str | None,
    user: User,
    adoption: str | None = None,
    reason: str | None = None,
    publish: bool | None = None,
    *,
    batch_id: str | None = None,
    state: str | None = None,
) -> Reply:
    """Attach a staff reply; a published reply marks the comment 已答复.

    ``publish=None`` decides by role: reviewers and admins publish directly, department staff's replies wait
    for a reviewer (待审核; see ``publish_reply``). An unpublished reply keeps its proposed adoption decision,
    which is applied to the comment only when the reply is published. ``state`` may ask for a plain draft.
    """
    body = clean_text(text)
    if not body:
        raise ValidationError("答复内容不能为空。", field="text")
    if len(body) > 10000:
        raise ValidationError("答复内容太长（最多 10000 字）。", field="text")
    adoption, reason = _validate_adoption(adoption, reason)
    if publish is None:
        publish = user.has_role(Role.REVIEWER)
    if publish:
        state = ReplyState.PUBLISHED
    elif state not in (ReplyState.DRAFT, ReplyState.PENDING):
        state = ReplyState.PENDING
    reply = Reply(comment_id=comment.id, text=body, author_id=user.id, published_at=utcnow() if publish else None,
                  state=state, adoption=adoption, adoption_reason=reason, batch_id=batch_id)
    db.session.add(reply)
    if publish:
        reply.reviewed_by_id, reply.reviewed_at = user.id, reply.published_at
        set_status(comment, CommentStatus.ANSWERED, user, adoption, reason)
    elif comment.status == CommentStatus.RECEIVED:
        set_status(comment, CommentStatus.PROCESSING, user)
    audit.record(user, "comment.reply", comment,
                 after={"reply": body[:200], "published": bool(publish), "state": str(state), "adoption": adoption})
    db.session.flush()
    return reply


def _validate_adoption(adoption: str | None, reason: str | None) -> tuple[str | None, str | None]:
    """A valid adoption decision with its reason (a decision always carries one), or (None, reason)."""
    adoption = adoption or None
    reason = clean_text(reason) or None
    if adoption is None:
        return None, reason
    try:
        adoption = Adoption(adoption)
    except ValueError:
        raise ValidationError("采纳情况无效。", field="adoption") from None
    if not reason:
        raise ValidationError("填写采纳情况时必须说明理由。", field="adoption_reason")
    return adoption, reason


def publish_reply(reply: Reply, user: User) -> Reply:
    """A reviewer approves a reply waiting for review: it becomes public and its adoption decision applies."""
    if reply.published_at is not None:
        raise Conflict("这条答复已经发布过了。")
    adoption, reason = _validate_adoption(reply.adoption, reply.adoption_reason)
    before = {"state": reply.state}
    reply.published_at = utcnow()
    reply.state = ReplyState.PUBLISHED
    reply.reviewed_by_id, reply.reviewed_at = user.id, reply.published_at
    set_status(reply.comment, CommentStatus.ANSWERED, user, adoption, reason)
    audit.record(user, "reply.publish", reply, before, {"state": reply.state, "comment_id": reply.comment_id})
    db.session.flush()
    return reply


def set_published(comment: Comment, published: bool, user: User) -> Comment:
    """Show or hide a comment on the public list (only its redacted text is ever shown)."""
    before = {"published": comment.published}
    comment.published = published
    audit.record(user, "comment.publish" if published else "comment.unpublish", comment, before, {"published": published})
    db.session.flush()
    return comment


def comments_query(
    *,
    project_id: int | None = None,
    stage_kind: str | None = None,
    status: str | None = None,
    channel: str | None = None,
    date_from=None,
    date_to=None,
    search: str | None = None,
):
    """A SELECT of comments matching the staff filters, newest first."""
    import datetime as dt

    from portal.timeutil import site_zone

    query = db.select(Comment).order_by(Comment.created_at.desc(), Comment.id.desc())
    if project_id:
        query = query.where(Comment.project_id == project_id)
    if stage_kind:
        query = query.join(Stage, Comment.stage_id == Stage.id).where(Stage.kind == stage_kind)
    if status:
        query = query.where(Comment.status == status)
    if channel:
        query = query.where(Comment.channel == channel)
    zone = site_zone()
    if date_from:
        query = query.where(Comment.created_at >= dt.datetime.combine(date_from, dt.time(), zone))
    if date_to:
        query = query.where(Comment.created_at < dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), zone))
    if search:
        like = f"%{search.strip()}%"
        query = query.where(
            db.or_(Comment.text.ilike(like), Comment.receipt_code == search.strip().upper().replace("-", ""))
        )
    return query

