"""Tables of the topics area: clustered opinions (议题), comment membership, re-cluster runs, vector cache."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.core import Comment, Project, Stage, TimestampMixin, User
from portal.timeutil import utcnow

__all__ = ["Topic", "TopicAssignment", "TopicRun", "CommentEmbedding", "ASSIGNMENT_SOURCES", "RUN_STATES"]

# How a comment came to be in a topic: the full re-cluster, the incremental step after screening, a staff
# move/split (pinned: survives re-clusters), or following the root of its duplicate family.
ASSIGNMENT_SOURCES = ("cluster", "incremental", "manual", "family")
RUN_STATES = ("queued", "running", "done", "failed")


class Topic(TimestampMixin, db.Model):
    """A topic residents talk about in one project (e.g. 征地补偿标准), found by clustering or made by staff.

    ``label`` and ``keywords`` come from the latest clustering; ``name`` is the staff's own name and wins
    when set. A topic merged into another keeps its row (``merged_into_id``) and its centroid so that a
    later re-cluster that finds it again sends its comments to the topic it was merged into.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    # None: the topic spans the whole project (the re-cluster is project-wide); a stage id scopes it.
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id", ondelete="SET NULL"))
    label: Mapped[str] = mapped_column(String(200), default="")
    name: Mapped[str | None] = mapped_column(String(200))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    representative_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="SET NULL"))
    # L2-normalised float32 vector, ``dim`` floats; used to match topics across re-clusters and to
    # assign new comments without refitting.
    centroid: Mapped[bytes | None] = mapped_column(LargeBinary)
    model_name: Mapped[str | None] = mapped_column(String(120))
    # A new comment joins this topic when its cosine to the centroid reaches this (set by the clustering).
    assign_threshold: Mapped[float | None] = mapped_column(Float)
    # Residents (duplicate families counted with their size) and distinct comments, after the last change.
    size: Mapped[int] = mapped_column(Integer, default=0)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id", ondelete="SET NULL"), index=True)
    name_edited: Mapped[bool] = mapped_column(default=False)
    # Created by a staff split (not by clustering).
    manual: Mapped[bool] = mapped_column(default=False)
    # False once a re-cluster no longer finds the topic (kept when staff edited it, to be found again later).
    active: Mapped[bool] = mapped_column(default=True, index=True)

    project: Mapped[Project] = relationship()
    stage: Mapped[Stage | None] = relationship()
    representative: Mapped[Comment | None] = relationship()
    merged_into: Mapped[Topic | None] = relationship(remote_side=[id])

    @property
    def display_name(self) -> str:
        """The staff name, else the automatic label."""
        return self.name or self.label or "—"

    @property
    def staff_edited(self) -> bool:
        return bool(self.name_edited or self.manual or self.merged_into_id)


class TopicAssignment(db.Model):
    """The topic one comment belongs to (at most one). Comments without a row are unassigned (outliers)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), unique=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(12), default="cluster")
    similarity: Mapped[float | None] = mapped_column(Float)
    assigned_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    comment: Mapped[Comment] = relationship()
    topic: Mapped[Topic] = relationship()
    assigned_by: Mapped[User | None] = relationship()


class TopicRun(db.Model):
    """One full re-cluster of a project, queued by staff, the CLI or the demo loader; its state is shown."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    queued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    comments: Mapped[int | None] = mapped_column(Integer)
    topics: Mapped[int | None] = mapped_column(Integer)
    unassigned: Mapped[int | None] = mapped_column(Integer)
    model_name: Mapped[str | None] = mapped_column(String(120))
    error: Mapped[str | None] = mapped_column(Text)

    project: Mapped[Project] = relationship()
    requested_by: Mapped[User | None] = relationship()


class CommentEmbedding(db.Model):
    """A sentence vector by text hash and model name, so unchanged text is never embedded twice and a
    model change (another ``model``) re-embeds."""

    __table_args__ = (UniqueConstraint("text_hash", "model", name="uq_comment_embedding_text_hash_model"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(160))
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
