"""Tables of the respond area (issue 8): assignments to departments with deadlines (督办), their history,
in-app notifications, reply templates, published adoption reports, per-project deadlines and messages queued
for residents."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.core import Comment, Department, Project, Stage, User
from portal.timeutil import utcnow

__all__ = [
    "ASSIGNMENT_STATUS_LABELS",
    "EVENT_LABELS",
    "TARGET_LABELS",
    "AdoptionReport",
    "Assignment",
    "AssignmentEvent",
    "AssignmentStatus",
    "AssignmentTarget",
    "Notification",
    "ProjectDeadline",
    "ReplyTemplate",
    "ResidentMessage",
]


class AssignmentTarget(enum.StrEnum):
    """What is assigned: one comment, a campaign family (a representative and its duplicates) or a topic."""

    COMMENT = "comment"
    FAMILY = "family"
    TOPIC = "topic"


TARGET_LABELS = {
    AssignmentTarget.COMMENT: _l("单条意见"),
    AssignmentTarget.FAMILY: _l("联名/重复意见组"),
    AssignmentTarget.TOPIC: _l("议题"),
}


class AssignmentStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"


ASSIGNMENT_STATUS_LABELS = {AssignmentStatus.OPEN: _l("办理中"), AssignmentStatus.DONE: _l("已办结")}


class Assignment(db.Model):
    """A comment, a campaign family or a topic handed to a department with a due date (交办/督办).

    Reassignment changes ``department_id`` in place and appends an :class:`AssignmentEvent` with the
    mandatory reason, so the current department is always one column and the history is never lost.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(10), default=AssignmentTarget.COMMENT)
    # The comment (COMMENT), the family's representative (FAMILY), or the topic's representative (TOPIC, may be
    # None) — kept so a list can show a text without touching the topics tables.
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    # No foreign key: the topics tables belong to another area; the adapter resolves it.
    topic_id: Mapped[int | None] = mapped_column(Integer, index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(10), default=AssignmentStatus.OPEN, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    comment: Mapped[Comment | None] = relationship()
    project: Mapped[Project] = relationship()
    department: Mapped[Department] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])
    events: Mapped[list[AssignmentEvent]] = relationship(
        back_populates="assignment", order_by="AssignmentEvent.id", cascade="all, delete-orphan"
    )

    @property
    def target_label(self) -> str:
        return str(TARGET_LABELS.get(AssignmentTarget(self.target), self.target))

    @property
    def status_label(self) -> str:
        return str(ASSIGNMENT_STATUS_LABELS.get(AssignmentStatus(self.status), self.status))

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == AssignmentStatus.OPEN and self.due_on < today

    def days_left(self, today: dt.date) -> int:
        return (self.due_on - today).days


class AssignmentEvent(db.Model):
    """History of an assignment: assigned, reassigned (with reason), due date changed, done, reopened."""

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    to_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    assignment: Mapped[Assignment] = relationship(back_populates="events")
    from_department: Mapped[Department | None] = relationship(foreign_keys=[from_department_id])
    to_department: Mapped[Department | None] = relationship(foreign_keys=[to_department_id])
    user: Mapped[User | None] = relationship()

    @property
    def action_label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))


EVENT_LABELS = {"assigned": _l("交办"), "reassigned": _l("改派"), "done": _l("办结"), "reopened": _l("重新打开")}


class ProjectDeadline(db.Model):
    """A project's own response deadline in working days (overrides ``RESPOND_DEFAULT_WORKING_DAYS``)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), unique=True)
    working_days: Mapped[int] = mapped_column(Integer)

    project: Mapped[Project] = relationship()


class Notification(db.Model):
    """An in-app message to one staff member (reminders, assignments, replies to review)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(300), default="")
    # Same key, same user: not created twice (a reminder per assignment per day).
    key: Mapped[str] = mapped_column(String(80), default="", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class ReplyTemplate(db.Model):
    """A reusable reply text (答复模板); ``department_id`` None means shared by everyone."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    department: Mapped[Department | None] = relationship()


class AdoptionReport(db.Model):
    """A published 意见采纳情况报告: a frozen snapshot shown on the public project page."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    published: Mapped[bool] = mapped_column(default=True)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    project: Mapped[Project] = relationship()
    stage: Mapped[Stage | None] = relationship()


class ResidentMessage(db.Model):
    """A notice to a resident who left a contact (their reply is out), sent by the configured sender."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    to: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)  # queued, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    comment: Mapped[Comment] = relationship()
