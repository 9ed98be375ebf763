"""Database tables. Behaviour that changes state lives in ``portal.operations``, not here."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import db
from portal.timeutil import local_today, utcnow


class Role(enum.StrEnum):
    """Staff roles: 管理员, 审核员, 部门工作人员."""

    ADMIN = "admin"
    REVIEWER = "reviewer"
    DEPARTMENT = "department"


ROLE_LABELS = {Role.ADMIN: _l("管理员"), Role.REVIEWER: _l("审核员"), Role.DEPARTMENT: _l("部门工作人员")}
# The coordinating roles (screening, publishing, routing, editing); department staff work on their own items.
COORDINATOR_ROLES = (Role.ADMIN, Role.REVIEWER)

PROJECT_KINDS = ("全域土地综合整治", "村庄规划", "高标准农田建设", "国土空间总体规划", "土地复垦", "其他")


class ProjectStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"


PROJECT_STATUS_LABELS = {
    ProjectStatus.DRAFT: _l("草稿"),
    ProjectStatus.ACTIVE: _l("进行中"),
    ProjectStatus.CLOSED: _l("已结束"),
}


class StageKind(enum.StrEnum):
    """规划 planning, 实施 implementation, 验收 acceptance."""

    PLANNING = "planning"
    IMPLEMENTATION = "implementation"
    ACCEPTANCE = "acceptance"


STAGE_LABELS = {
    StageKind.PLANNING: _l("规划"),
    StageKind.IMPLEMENTATION: _l("实施"),
    StageKind.ACCEPTANCE: _l("验收"),
}
STAGE_BY_CHINESE = {"规划": StageKind.PLANNING, "实施": StageKind.IMPLEMENTATION, "验收": StageKind.ACCEPTANCE}

NOTICE_KINDS = ("公示", "公告")
CHANNELS = ("网站", "纸质意见表", "座谈会", "听证会", "电话", "其他", "问卷")
DOCUMENT_TYPES = ("规划文本", "规划图", "公示材料", "会议纪要", "其他")


class CommentStatus(enum.StrEnum):
    """已收到 → 处理中 → 已答复."""

    RECEIVED = "received"
    PROCESSING = "processing"
    ANSWERED = "answered"


COMMENT_STATUS_LABELS = {
    CommentStatus.RECEIVED: _l("已收到"),
    CommentStatus.PROCESSING: _l("处理中"),
    CommentStatus.ANSWERED: _l("已答复"),
}


class Adoption(enum.StrEnum):
    """采纳 / 部分采纳 / 不采纳."""

    ADOPTED = "adopted"
    PARTIAL = "partial"
    REJECTED = "rejected"


ADOPTION_LABELS = {
    Adoption.ADOPTED: _l("采纳"),
    Adoption.PARTIAL: _l("部分采纳"),
    Adoption.REJECTED: _l("不采纳"),
}


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Department(db.Model):
    """A department that handles opinions (自然资源, 农业农村, 生态环境, 住建, 交通 …)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    # respond (issue 8): what the department handles and how to reach it (reminder e-mails go to ``email``).
    description: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(120), default="")

    def __str__(self) -> str:
        return self.name


class User(UserMixin, TimestampMixin, db.Model):
    """A staff account. Residents never have accounts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(80), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20), default=Role.REVIEWER)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    active: Mapped[bool] = mapped_column(default=True)

    department: Mapped[Department | None] = relationship()

    @property
    def is_active(self) -> bool:  # used by Flask-Login
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def has_role(self, *roles: str) -> bool:
        return self.role == Role.ADMIN or self.role in roles

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS.get(Role(self.role), self.role))


class Project(TimestampMixin, db.Model):
    """A planning or land-consolidation project that consults the public."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    region: Mapped[str] = mapped_column(String(120), default="")
    villages: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    department: Mapped[str] = mapped_column(String(80), default="")
    status: Mapped[str] = mapped_column(String(20), default=ProjectStatus.ACTIVE)

    stages: Mapped[list[Stage]] = relationship(
        back_populates="project", order_by="Stage.position", cascade="all, delete-orphan"
    )
    notices: Mapped[list[Notice]] = relationship(
        back_populates="project", order_by="Notice.starts_on.desc()", cascade="all, delete-orphan"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="project", order_by="Document.id", cascade="all, delete-orphan"
    )

    @property
    def status_label(self) -> str:
        return str(PROJECT_STATUS_LABELS.get(ProjectStatus(self.status), self.status))

    def open_stages(self, today: dt.date | None = None) -> list[Stage]:
        return [s for s in self.stages if s.is_open(today)]

    def current_notices(self, today: dt.date | None = None) -> list[Notice]:
        return [n for n in self.notices if n.published and n.is_running(today)]


class Stage(db.Model):
    """One consultation stage of a project with the dates it takes comments."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    opens_on: Mapped[dt.date] = mapped_column(Date)
    closes_on: Mapped[dt.date] = mapped_column(Date)

    project: Mapped[Project] = relationship(back_populates="stages")

    @property
    def label(self) -> str:
        return str(STAGE_LABELS.get(StageKind(self.kind), self.kind))

    def is_open(self, today: dt.date | None = None) -> bool:
        today = today or local_today()
        return self.opens_on <= today <= self.closes_on

    def phase(self, today: dt.date | None = None) -> str:
        """'upcoming', 'open' or 'closed' relative to today."""
        today = today or local_today()
        if today < self.opens_on:
            return "upcoming"
        return "open" if today <= self.closes_on else "closed"

    def days_left(self, today: dt.date | None = None) -> int:
        today = today or local_today()
        return max((self.closes_on - today).days, 0)


class Notice(TimestampMixin, db.Model):
    """A 公示/公告 with its statutory period."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(10), default="公示")
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    # Recorded when staff publish a 公示 shorter than the statutory minimum.
    short_period_reason: Mapped[str | None] = mapped_column(Text)
    published: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    project: Mapped[Project] = relationship(back_populates="notices")
    stage: Mapped[Stage | None] = relationship()
    documents: Mapped[list[Document]] = relationship(back_populates="notice")

    @property
    def period_days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def is_running(self, today: dt.date | None = None) -> bool:
        today = today or local_today()
        return self.starts_on <= today <= self.ends_on

    def days_left(self, today: dt.date | None = None) -> int:
        """Days left including today (a notice ending today has 1 day left)."""
        today = today or local_today()
        if today > self.ends_on:
            return 0
        return (self.ends_on - max(today, self.starts_on)).days + 1


class Document(db.Model):
    """An uploaded file (PDF, image, DOCX, XLSX) attached to a project and optionally to a notice."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    doc_type: Mapped[str] = mapped_column(String(20), default="其他")
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    mimetype: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    project: Mapped[Project] = relationship(back_populates="documents")
    notice: Mapped[Notice | None] = relationship(back_populates="documents")

    @property
    def extension(self) -> str:
        return self.stored_name.rsplit(".", 1)[-1]


class Comment(TimestampMixin, db.Model):
    """A resident's opinion. The original text is kept; the public only ever sees ``public_text``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    village: Mapped[str | None] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    # Private: never rendered on public pages.
    author_name: Mapped[str | None] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20), default="网站")
    receipt_code: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=CommentStatus.RECEIVED, index=True)
    adoption: Mapped[str | None] = mapped_column(String(20))
    adoption_reason: Mapped[str | None] = mapped_column(Text)
    # Personal data masked by screening; the only form of the text the public ever sees.
    redacted_text: Mapped[str | None] = mapped_column(Text)
    # Shown on the public list only when staff (or clean screening) publish it.
    published: Mapped[bool] = mapped_column(default=False, index=True)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Automatic screening (nlp.screening): state, flags, reasons and the staff decision that may override it.
    screening_state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    screening_attempts: Mapped[int] = mapped_column(Integer, default=0)
    screening_error: Mapped[str | None] = mapped_column(Text)
    screened_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    is_spam: Mapped[bool] = mapped_column(default=False)
    is_abusive: Mapped[bool] = mapped_column(default=False)
    has_pii: Mapped[bool] = mapped_column(default=False)
    is_low_info: Mapped[bool] = mapped_column(default=False)
    value_score: Mapped[int | None] = mapped_column(Integer)
    screening_reasons: Mapped[list[str] | None] = mapped_column(JSON)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="SET NULL"), index=True)
    review: Mapped[str | None] = mapped_column(String(10))  # None (automatic), "approved" or "rejected"
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    submitter_key: Mapped[str | None] = mapped_column(String(64))

    project: Mapped[Project] = relationship()
    stage: Mapped[Stage] = relationship()
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    duplicate_of: Mapped[Comment | None] = relationship(remote_side=[id])
    replies: Mapped[list[Reply]] = relationship(
        back_populates="comment", order_by="Reply.created_at", cascade="all, delete-orphan"
    )

    @property
    def status_label(self) -> str:
        return str(COMMENT_STATUS_LABELS.get(CommentStatus(self.status), self.status))

    @property
    def adoption_label(self) -> str:
        return str(ADOPTION_LABELS[Adoption(self.adoption)]) if self.adoption else ""

    @property
    def public_text(self) -> str | None:
        """The text residents may see: screening's redacted text, or None until screening ran."""
        return self.redacted_text

    @property
    def published_replies(self) -> list[Reply]:
        return [r for r in self.replies if r.published_at is not None]


class ScreeningOverride(db.Model):
    """A staff correction of an automatic screening decision, kept as labelled data."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    field: Mapped[str] = mapped_column(String(20))
    old_value: Mapped[str | None] = mapped_column(String(20))
    new_value: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)

    comment: Mapped[Comment] = relationship()
    user: Mapped[User | None] = relationship()


class ReplyState(enum.StrEnum):
    """草稿 → 待审核 → 已发布; a reviewer may return a reply (退回修改) with a note."""

    DRAFT = "draft"
    PENDING = "pending"
    PUBLISHED = "published"
    RETURNED = "returned"


REPLY_STATE_LABELS = {
    ReplyState.DRAFT: _l("草稿"),
    ReplyState.PENDING: _l("待审核"),
    ReplyState.PUBLISHED: _l("已发布"),
    ReplyState.RETURNED: _l("已退回"),
}


class Reply(TimestampMixin, db.Model):
    """Staff text attached to a comment, published with it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # respond (issue 8): the review flow. The proposed adoption decision travels with the reply and is applied
    # to the comment when a reviewer publishes it; replies written together (a topic or a campaign family)
    # share a ``batch_id`` and are reviewed as one.
    state: Mapped[str] = mapped_column(String(20), default=ReplyState.PUBLISHED, index=True)
    adoption: Mapped[str | None] = mapped_column(String(20))
    adoption_reason: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[str | None] = mapped_column(String(32), index=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    review_note: Mapped[str | None] = mapped_column(Text)

    comment: Mapped[Comment] = relationship(back_populates="replies")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    @property
    def state_label(self) -> str:
        return str(REPLY_STATE_LABELS.get(ReplyState(self.state), self.state))


class AuditEvent(db.Model):
    """Append-only record of a staff action: who, when, what, before and after."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    user: Mapped[User | None] = relationship()
