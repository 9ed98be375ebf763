"""Tables of the participation area (issue 9): surveys, meetings and hearings, hearing requests,
public representatives, offline imports. Publicity pages need no tables of their own."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.core import Project, Stage, User
from portal.timeutil import local_today, utcnow

# ---- surveys (问卷调查) ----------------------------------------------------------------------------------

QUESTION_KINDS = {
    "single": _l("单选"),
    "multiple": _l("多选"),
    "rating": _l("打分（量表）"),
    "ranking": _l("排序"),
    "text": _l("文字回答"),
}
CHOICE_KINDS = ("single", "multiple", "ranking")


class Survey(db.Model):
    """A questionnaire for one project stage, open between two dates (site time zone)."""

    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    opens_on: Mapped[dt.date] = mapped_column(Date)
    closes_on: Mapped[dt.date] = mapped_column(Date)
    # Soft limit: one response per device cookie (residents have no accounts).
    one_per_device: Mapped[bool] = mapped_column(default=True)
    published: Mapped[bool] = mapped_column(default=False)
    results_public: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    project: Mapped[Project] = relationship()
    stage: Mapped[Stage] = relationship()
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey", order_by="SurveyQuestion.position", cascade="all, delete-orphan"
    )

    def phase(self, today: dt.date | None = None) -> str:
        """'draft', 'upcoming', 'open' or 'closed'."""
        today = today or local_today()
        if not self.published:
            return "draft"
        if today < self.opens_on:
            return "upcoming"
        return "open" if today <= self.closes_on else "closed"

    def is_open(self, today: dt.date | None = None) -> bool:
        return self.phase(today) == "open"


class SurveyQuestion(db.Model):
    """One question; ``show_if_*`` makes it appear only when an earlier choice question got one of some answers."""

    __tablename__ = "survey_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))
    prompt: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(default=False)
    scale_max: Mapped[int] = mapped_column(Integer, default=5)
    show_if_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_question.id", ondelete="SET NULL"))
    show_if_options: Mapped[list[str]] = mapped_column(JSON, default=list)

    survey: Mapped[Survey] = relationship(back_populates="questions")
    show_if_question: Mapped[SurveyQuestion | None] = relationship(remote_side=[id])

    @property
    def kind_label(self) -> str:
        return str(QUESTION_KINDS.get(self.kind, self.kind))

    @property
    def field_name(self) -> str:
        return f"q{self.id}"


class SurveyResponse(db.Model):
    """One resident's answers: ``answers`` maps question id (as text) to the answer."""

    __tablename__ = "survey_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    receipt_code: Mapped[str] = mapped_column(String(16), unique=True)
    village: Mapped[str | None] = mapped_column(String(80))
    device_key: Mapped[str | None] = mapped_column(String(64), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Free-text answers stored as comments (channel 问卷) so screening and topics count them.
    comment_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    survey: Mapped[Survey] = relationship()


# ---- meetings and hearings (座谈会, 听证会) ---------------------------------------------------------------

MEETING_KINDS = ("座谈会", "听证会")


class Meeting(db.Model):
    """A 座谈会 or 听证会 that residents register for."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="座谈会")
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str] = mapped_column(String(200))
    agenda: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column(Integer)
    registration_deadline: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    published: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    project: Mapped[Project] = relationship()
    stage: Mapped[Stage] = relationship()
    registrations: Mapped[list[MeetingRegistration]] = relationship(
        back_populates="meeting", order_by="MeetingRegistration.id", cascade="all, delete-orphan"
    )
    transcripts: Mapped[list[Transcript]] = relationship(
        back_populates="meeting", order_by="Transcript.id", cascade="all, delete-orphan"
    )

    @property
    def seats_left(self) -> int:
        return max(self.capacity - len(self.registrations), 0)


class MeetingRegistration(db.Model):
    """A resident's registration; one per phone number and meeting."""

    __tablename__ = "meeting_registration"
    __table_args__ = (UniqueConstraint("meeting_id", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))  # private: staff only
    phone: Mapped[str] = mapped_column(String(40))  # private: staff only
    village: Mapped[str | None] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text, default="")
    receipt_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="registrations")


class Transcript(db.Model):
    """Uploaded minutes of a meeting, split into statements that became comments."""

    __tablename__ = "meeting_transcript"
    __table_args__ = (UniqueConstraint("meeting_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(64))
    comment_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="transcripts")
    uploaded_by: Mapped[User | None] = relationship()


HEARING_BASES = {
    "land_47": _l("《土地管理法》第四十七条：征地补偿安置方案听证"),
    "licensing_47": _l("《行政许可法》第四十七条：涉及重大利益关系的行政许可听证"),
}
HEARING_STATUS = {"pending": _l("待决定"), "granted": _l("同意举行听证"), "refused": _l("不予听证")}


class HearingRequest(db.Model):
    """A resident's application for a hearing (听证申请) and the staff decision."""

    __tablename__ = "hearing_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    legal_basis: Mapped[str] = mapped_column(String(20))
    applicant_name: Mapped[str] = mapped_column(String(80))  # private
    phone: Mapped[str] = mapped_column(String(40))  # private
    village: Mapped[str | None] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text)
    receipt_code: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    project: Mapped[Project] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    decided_by: Mapped[User | None] = relationship()

    @property
    def basis_label(self) -> str:
        return str(HEARING_BASES.get(self.legal_basis, self.legal_basis))

    @property
    def status_label(self) -> str:
        return str(HEARING_STATUS.get(self.status, self.status))


# ---- public representatives (公众代表) ------------------------------------------------------------------

GATE_LABELS = {"planning": _l("规划审批"), "implementation": _l("实施启动"), "acceptance": _l("竣工验收")}
POSITION_LABELS = {"agree": _l("同意"), "conditional": _l("有条件同意"), "object": _l("反对")}


class Representative(db.Model):
    """A public representative invited into one stage of a project. The name is for staff only."""

    __tablename__ = "public_representative"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    village: Mapped[str | None] = mapped_column(String(80))
    group_represented: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    project: Mapped[Project] = relationship()
    stage: Mapped[Stage] = relationship()
    signoffs: Mapped[list[RepresentativeSignoff]] = relationship(
        back_populates="representative", order_by="RepresentativeSignoff.id", cascade="all, delete-orphan"
    )


class RepresentativeSignoff(db.Model):
    """A representative's sign-off or objection at the stage gate of their stage."""

    __tablename__ = "representative_signoff"

    id: Mapped[int] = mapped_column(primary_key=True)
    representative_id: Mapped[int] = mapped_column(
        ForeignKey("public_representative.id", ondelete="CASCADE"), index=True)
    position: Mapped[str] = mapped_column(String(12))
    statement: Mapped[str] = mapped_column(Text, default="")
    # What the public sees: the statement with personal data masked by nlp screening.
    public_statement: Mapped[str] = mapped_column(Text, default="")
    signed_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    representative: Mapped[Representative] = relationship(back_populates="signoffs")

    @property
    def position_label(self) -> str:
        return str(POSITION_LABELS.get(self.position, self.position))


# ---- offline inputs (纸质意见表、热线记录批量导入) ------------------------------------------------------------


class OfflineImport(db.Model):
    """One uploaded XLSX/CSV of paper forms or hotline records, with its row-by-row report."""

    __tablename__ = "offline_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    # [{"row": 2, "status": "imported"|"duplicate"|"error", "message": "...", "comment_id": 5}]
    report: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    project: Mapped[Project] = relationship()
    created_by: Mapped[User | None] = relationship()


class ImportedRow(db.Model):
    """Fingerprint of an imported row, so importing the same file again creates no duplicates."""

    __tablename__ = "offline_import_row"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("offline_import.id", ondelete="CASCADE"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="SET NULL"))


__all__ = [
    "CHOICE_KINDS",
    "GATE_LABELS",
    "HEARING_BASES",
    "HEARING_STATUS",
    "MEETING_KINDS",
    "POSITION_LABELS",
    "QUESTION_KINDS",
    "HearingRequest",
    "ImportedRow",
    "Meeting",
    "MeetingRegistration",
    "OfflineImport",
    "Representative",
    "RepresentativeSignoff",
    "Survey",
    "SurveyQuestion",
    "SurveyResponse",
    "Transcript",
]
