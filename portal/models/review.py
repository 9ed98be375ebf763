"""Tables of the review area (issue 5): what automatic screening decided, and duplicate fingerprints.

``ScreeningRecord`` keeps the automatic decision apart from the comment's current flags (which staff may
override), so that overrides can be exported as labelled data (automatic vs. staff decision) and the
duplicate detector can compare a new comment with earlier ones without re-reading their text.
``DedupBand`` holds the MinHash LSH band hashes of each comment: a new comment only looks at earlier
comments that share a band with it (see ``portal.review.dedup``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.timeutil import utcnow

__all__ = ["ScreeningRecord", "DedupBand"]


class ScreeningRecord(db.Model):
    """The latest automatic screening of one comment (before any staff override) and its dedup key."""

    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    # Normalised comparison form of the text (nlp.screening.dedup.dedup_key) and its SHA-1, for exact copies.
    dedup_key: Mapped[str | None] = mapped_column(Text)
    key_hash: Mapped[str | None] = mapped_column(String(40))
    spam: Mapped[bool] = mapped_column(default=False)
    abusive: Mapped[bool] = mapped_column(default=False)
    pii: Mapped[bool] = mapped_column(default=False)
    low_info: Mapped[bool] = mapped_column(default=False)
    value: Mapped[int] = mapped_column(Integer, default=0)
    duplicate_of_id: Mapped[int | None] = mapped_column(Integer)
    scores: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    screened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_screening_record_project_key", "project_id", "key_hash"),)


class DedupBand(db.Model):
    """One MinHash LSH band hash of a comment's dedup key; comments sharing a band are near-duplicate candidates."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    band: Mapped[str] = mapped_column(String(24))

    __table_args__ = (Index("ix_dedup_band_project_band", "project_id", "band"),)
