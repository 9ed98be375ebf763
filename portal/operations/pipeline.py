"""What happens to a comment after it is stored: automatic screening, then publication of clean opinions.

The comment is always committed before anything here runs. Failures are recorded on the comment
(``screening_state = "failed"`` with the error) so staff see them, and the job queue retries.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from portal.extensions import db
from portal.models import Comment
from portal.timeutil import utcnow

log = logging.getLogger(__name__)


def enqueue_comment(comment_id: int) -> bool:
    """Queue background processing of a stored comment. Never raises: a comment that could not be queued
    stays ``pending`` and is picked up by the periodic sweep or ``flask screening run``."""
    from portal import tasks

    try:
        tasks.process_comment(comment_id)
        return True
    except Exception:  # noqa: BLE001 - the comment is safe in the database whatever the queue does
        log.exception("could not queue comment %s", comment_id)
        db.session.rollback()
        return False


def _candidates(comment: Comment) -> list[Comment]:
    """Earlier comments of the same project that a new one may duplicate (most recent first, bounded)."""
    limit = current_app.config.get("DUPLICATE_WINDOW", 3000)
    rows = db.session.execute(
        db.select(Comment)
        .where(Comment.project_id == comment.project_id, Comment.id < comment.id, Comment.is_spam.is_(False))
        .order_by(Comment.id.desc())
        .limit(limit)
    ).scalars().all()
    return list(reversed(rows))


def _root(comment: Comment) -> Comment:
    """The representative of a duplicate family (follow duplicate_of links, guarding against cycles)."""
    seen = set()
    while comment.duplicate_of is not None and comment.id not in seen:
        seen.add(comment.id)
        comment = comment.duplicate_of
    return comment


def screen_comment(comment: Comment) -> Any:
    """Run nlp screening on ``comment`` together with its candidates, return its Screening."""
    import nlp

    earlier = _candidates(comment)
    items = [{"id": c.id, "text": c.text} for c in earlier] + [{"id": comment.id, "text": comment.text}]
    return nlp.screen(items)[-1]


def apply_screening(comment: Comment, result: Any) -> None:
    """Copy a Screening onto the comment; staff decisions (``review``) are kept as they are."""
    comment.is_spam = bool(result.spam)
    comment.is_abusive = bool(result.abusive)
    comment.has_pii = bool(result.pii)
    comment.is_low_info = bool(result.low_info)
    comment.value_score = int(result.value)
    comment.screening_reasons = list(result.reasons)
    comment.redacted_text = result.redacted
    duplicate = db.session.get(Comment, result.duplicate_of) if result.duplicate_of is not None else None
    comment.duplicate_of_id = _root(duplicate).id if duplicate is not None else None
    comment.screening_state = "done"
    comment.screening_error = None
    comment.screened_at = utcnow()
    if comment.review is None and current_app.config.get("AUTO_PUBLISH_CLEAN", True):
        comment.published = is_clean(comment)


def is_clean(comment: Comment) -> bool:
    """A genuine, non-duplicate opinion that may be shown publicly without a reviewer."""
    return not (comment.is_spam or comment.is_abusive or comment.is_low_info or comment.duplicate_of_id)


def process_comment(comment_id: int) -> None:
    """Screen one stored comment and commit; on failure record the error, commit that, and re-raise."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        log.warning("comment %s vanished before processing", comment_id)
        return
    try:
        comment.screening_attempts = (comment.screening_attempts or 0) + 1
        apply_screening(comment, screen_comment(comment))
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        comment = db.session.get(Comment, comment_id)
        if comment is not None:
            comment.screening_attempts = (comment.screening_attempts or 0) + 1
            comment.screening_state = "failed"
            comment.screening_error = f"{type(exc).__name__}: {exc}"[:2000]
            db.session.commit()
        raise
