"""What happens to a comment after it is stored: automatic screening, then publication of clean opinions.

The comment is always committed before anything here runs. Failures are recorded on the comment
(``screening_state = "failed"`` with the error) so staff see them, and the job queue retries.

Screening runs the nlp detectors on the one new comment; duplicates and campaigns are found incrementally
against earlier comments of the project (``portal.review.dedup``), so the cost does not grow with the
number of comments. Staff decisions win: the comment's ``review`` and every field a reviewer overrode
(``ScreeningOverride``) are re-applied after each automatic screening.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from typing import Any

from flask import current_app

from portal.extensions import db
from portal.models import Comment, ScreeningOverride, ScreeningRecord
from portal.timeutil import utcnow

log = logging.getLogger(__name__)

# Override fields (ScreeningOverride.field) and the comment attribute each one sets.
OVERRIDE_ATTRIBUTES = {
    "spam": "is_spam",
    "abusive": "is_abusive",
    "pii": "has_pii",
    "low_info": "is_low_info",
    "value": "value_score",
    "duplicate": "duplicate_of_id",
    "review": "review",
}
DETECTOR_NAMES = ("spam", "abuse", "pii", "dedup", "low_info", "value")


def enqueue_comment(comment_id: int) -> bool:
    """Queue background processing of a stored comment. Never raises: a comment that could not be queued
    stays ``pending`` and is picked up by the periodic sweep or ``flask screening run``."""
    from portal import tasks

    try:
        # Retries and their delay come from configuration (QUEUE_RETRIES, QUEUE_RETRY_DELAY seconds).
        tasks.process_comment(comment_id, retries=current_app.config.get("QUEUE_RETRIES", 3),
                              retry_delay=current_app.config.get("QUEUE_RETRY_DELAY", 10))
        return True
    except Exception:  # noqa: BLE001 - the comment is safe in the database whatever the queue does
        log.exception("could not queue comment %s", comment_id)
        db.session.rollback()
        return False


# ---- the screener, built from configuration ------------------------------------------------------------

_screeners: dict[str, Any] = {}
_screeners_lock = threading.Lock()


class ScreeningConfigError(ValueError):
    """``SCREENING_DETECTORS`` names a detector or parameter that does not exist."""


def detector_settings() -> dict[str, dict[str, Any]]:
    """``SCREENING_DETECTORS`` checked: known detector names, each with a dict of keyword arguments."""
    raw = current_app.config.get("SCREENING_DETECTORS") or {}
    if not isinstance(raw, dict):
        raise ScreeningConfigError("配置 SCREENING_DETECTORS 必须是字典（检测器名 → 参数）。")
    unknown = sorted(set(raw) - set(DETECTOR_NAMES))
    if unknown:
        raise ScreeningConfigError(
            f"配置 SCREENING_DETECTORS 含未知检测器：{'、'.join(unknown)}（可用：{'、'.join(DETECTOR_NAMES)}）。")
    settings = {}
    for name in DETECTOR_NAMES:
        params = raw.get(name) or {}
        if not isinstance(params, dict):
            raise ScreeningConfigError(f"配置 SCREENING_DETECTORS[{name!r}] 必须是参数字典。")
        settings[name] = params
    return settings


def get_screener() -> Any:
    """The ``nlp.screening.Screener`` for the configured thresholds, built and loaded once per process."""
    settings = detector_settings()
    cache_key = json.dumps(settings, sort_keys=True, default=str)
    with _screeners_lock:
        screener = _screeners.get(cache_key)
        if screener is None:
            screener = _build_screener(settings).load()
            _screeners[cache_key] = screener
    return screener


def _build_screener(settings: dict[str, dict[str, Any]]) -> Any:
    from nlp.screening import Screener
    from nlp.screening.abuse import AbuseDetector
    from nlp.screening.dedup import DuplicateFinder
    from nlp.screening.lowinfo import LowInfoDetector
    from nlp.screening.pii import PiiDetector
    from nlp.screening.spam import SpamDetector
    from nlp.screening.value import ValueScorer

    classes = {"spam": SpamDetector, "abuse": AbuseDetector, "pii": PiiDetector, "dedup": DuplicateFinder,
               "low_info": LowInfoDetector, "value": ValueScorer}
    detectors = {}
    for name, cls in classes.items():
        try:
            detectors[name] = cls(**settings[name])
        except TypeError as exc:
            raise ScreeningConfigError(f"配置 SCREENING_DETECTORS[{name!r}] 的参数无效：{exc}") from exc
    return Screener(**detectors)


# ---- screening one comment -----------------------------------------------------------------------------


def screen_comment(comment: Comment) -> Any:
    """Run the nlp detectors on ``comment`` alone (duplicates are found by ``portal.review.dedup``)."""
    return get_screener().screen([{"id": comment.id, "text": comment.text}])[0]


def apply_screening(comment: Comment, result: Any) -> None:
    """Copy a Screening onto the comment, find its duplicate family, then re-apply staff decisions."""
    from portal.review import dedup

    screener = get_screener()
    record = db.session.get(ScreeningRecord, comment.id)
    if record is None:
        record = ScreeningRecord(comment_id=comment.id, project_id=comment.project_id)
        db.session.add(record)
    fp = None if result.low_info else dedup.fingerprint(comment.text, screener.dedup_)
    representative = None
    if fp is not None:
        limit = current_app.config.get("DUPLICATE_CANDIDATE_LIMIT", 500)
        representative = dedup.find_representative(comment, fp, screener.dedup_, limit)
    dedup.store_fingerprint(comment, fp, record)

    reasons = [r for r in result.reasons if not r.startswith("代表 ")]
    if representative is not None:
        reasons.insert(0, f"与意见 #{representative.id} 重复或高度相似（同一诉求）")
    record.spam, record.abusive, record.pii = bool(result.spam), bool(result.abusive), bool(result.pii)
    record.low_info, record.value = bool(result.low_info), int(result.value)
    record.duplicate_of_id = representative.id if representative is not None else None
    record.scores = dict(result.scores or {})
    record.screened_at = utcnow()

    comment.is_spam = record.spam
    comment.is_abusive = record.abusive
    comment.has_pii = record.pii
    comment.is_low_info = record.low_info
    comment.value_score = record.value
    comment.screening_reasons = reasons
    comment.redacted_text = result.redacted
    comment.duplicate_of_id = record.duplicate_of_id
    comment.screening_state = "done"
    comment.screening_error = None
    comment.screened_at = record.screened_at
    apply_overrides(comment)
    comment.published = decide_publication(comment)


def latest_overrides(comment_id: int) -> dict[str, str | None]:
    """The last staff decision per field for one comment."""
    rows = db.session.execute(
        db.select(ScreeningOverride.field, ScreeningOverride.new_value)
        .where(ScreeningOverride.comment_id == comment_id)
        .order_by(ScreeningOverride.at, ScreeningOverride.id)
    ).all()
    return dict(rows)


def apply_overrides(comment: Comment) -> None:
    """Set every overridden field to the staff decision (staff decisions survive a re-screen)."""
    for field, value in latest_overrides(comment.id).items():
        attribute = OVERRIDE_ATTRIBUTES.get(field)
        if attribute is not None:
            setattr(comment, attribute, parse_override_value(field, value))


def parse_override_value(field: str, raw: str | None) -> Any:
    """The Python value of a stored override (stored as short strings for the labelled export)."""
    if field in ("spam", "abusive", "pii", "low_info"):
        return raw == "true"
    if field == "value":
        return int(raw) if raw is not None and raw.isdigit() else None
    if field == "duplicate":
        return int(raw) if raw is not None and raw.isdigit() else None
    return None if raw in (None, "", "none") else raw


def format_override_value(field: str, value: Any) -> str:
    """The stored string form of a field value (``true``/``false``, ``0``–``2``, a comment id, ``none``)."""
    if field in ("spam", "abusive", "pii", "low_info"):
        return "true" if value else "false"
    return "none" if value is None else str(value)


def is_clean(comment: Comment) -> bool:
    """A genuine, non-duplicate opinion that may be shown publicly without a reviewer."""
    return not (comment.is_spam or comment.is_abusive or comment.is_low_info or comment.duplicate_of_id)


def decide_publication(comment: Comment) -> bool:
    """Whether the comment is on the public list: the reviewer's decision, else the automatic rule."""
    if comment.review == "approved":
        return comment.redacted_text is not None
    if comment.review == "rejected":
        return False
    if comment.screening_state == "done" and current_app.config.get("AUTO_PUBLISH_CLEAN", True):
        return is_clean(comment)
    return bool(comment.published) and comment.redacted_text is not None


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
    # Topics (issue 6): put the screened comment into the nearest existing topic, on the queue; never raises.
    from portal.topics.tasks import enqueue_assignment

    enqueue_assignment(comment_id)


# ---- campaigns and the queue ---------------------------------------------------------------------------


def family_sizes(representative_ids: list[int]) -> dict[int, int]:
    """How many residents stand behind each representative: itself plus its non-rejected, non-spam members."""
    if not representative_ids:
        return {}
    rows = db.session.execute(
        db.select(Comment.duplicate_of_id, db.func.count(Comment.id))
        .where(Comment.duplicate_of_id.in_(representative_ids), Comment.is_spam.is_(False),
               db.or_(Comment.review.is_(None), Comment.review != "rejected"))
        .group_by(Comment.duplicate_of_id)
    ).all()
    sizes = {rid: 1 for rid in representative_ids}
    for rid, count in rows:
        sizes[rid] += count
    return sizes


def stuck_comment_ids(now: dt.datetime | None = None) -> list[int]:
    """Comments still ``pending`` longer than ``SCREENING_STUCK_MINUTES`` after they were stored or queued."""
    minutes = current_app.config.get("SCREENING_STUCK_MINUTES", 5)
    cutoff = (now or utcnow()) - dt.timedelta(minutes=minutes)
    return list(db.session.execute(
        db.select(Comment.id)
        .where(Comment.screening_state == "pending", Comment.updated_at < cutoff)
        .order_by(Comment.id)
        .limit(1000)
    ).scalars())


def requeue_stuck(now: dt.datetime | None = None) -> int:
    """Queue again every comment stuck in ``pending`` (the periodic sweep); returns how many."""
    ids = stuck_comment_ids(now)
    if not ids:
        return 0
    # Touch them first so that the next sweep waits another interval instead of queueing them twice.
    db.session.execute(db.update(Comment).where(Comment.id.in_(ids)).values(updated_at=utcnow()))
    db.session.commit()
    for comment_id in ids:
        enqueue_comment(comment_id)
    log.info("re-queued %d comments stuck in pending", len(ids))
    return len(ids)
