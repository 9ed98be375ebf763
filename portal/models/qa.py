"""Tables of the qa area: staff FAQ entries, residents' questions (the log) and hand-over tickets."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, DateTime, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.core import Project, TimestampMixin, User
from portal.timeutil import utcnow

__all__ = ["TICKET_STATUS_LABELS", "FaqEntry", "QaQuestion", "QaTicket", "TicketStatus"]


class FaqEntry(TimestampMixin, db.Model):
    """A question-and-answer pair written by staff; searchable by the chatbot next to the shipped KB.

    ``sources`` is a list of ``{"source": "<law file>.md", "article": "第X条"}`` citations.
    """

    __tablename__ = "qa_faq_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(String(500))
    alternatives: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[str] = mapped_column(Text)
    sources: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship()


class QaQuestion(db.Model):
    """One question a resident asked (web page or API) and what the chatbot answered; the question log."""

    __tablename__ = "qa_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(10), default="web")  # web | api
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"), index=True)
    answered: Mapped[bool] = mapped_column(default=False, index=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    # refusal reason of nlp.qa (low_confidence, empty, not_chinese, figure, accusation) or "" when answered
    reason: Mapped[str] = mapped_column(String(30), default="")
    kind: Mapped[str] = mapped_column(String(10), default="refusal")  # faq | reply | law | refusal
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    topic: Mapped[str] = mapped_column(String(40), default="", index=True)  # keyword group for the charts
    helpful: Mapped[bool | None] = mapped_column(default=None)
    # Secret given to the asker only: feedback and hand-over need it (question ids are guessable).
    token: Mapped[str] = mapped_column(String(32))

    project: Mapped[Project | None] = relationship()
    ticket: Mapped[QaTicket | None] = relationship(back_populates="question", uselist=False)


class TicketStatus(enum.StrEnum):
    """Where a hand-over ticket stands."""

    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


TICKET_STATUS_LABELS = {
    TicketStatus.OPEN: _l("待答复"),
    TicketStatus.ANSWERED: _l("已答复"),
    TicketStatus.CLOSED: _l("已关闭"),
}


class QaTicket(TimestampMixin, db.Model):
    """A question passed to staff (unanswered or marked unhelpful); the resident follows it by its code."""

    __tablename__ = "qa_ticket"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("qa_question.id", ondelete="SET NULL"),
                                                    unique=True)
    text: Mapped[str] = mapped_column(Text)
    # Private: shown to staff only, never on the resident's ticket page.
    contact: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20), default=TicketStatus.OPEN, index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    faq_entry_id: Mapped[int | None] = mapped_column(ForeignKey("qa_faq_entry.id", ondelete="SET NULL"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"))

    question: Mapped[QaQuestion | None] = relationship(back_populates="ticket")
    answered_by: Mapped[User | None] = relationship()
    faq_entry: Mapped[FaqEntry | None] = relationship()
    project: Mapped[Project | None] = relationship()

    @property
    def status_label(self) -> str:
        return str(TICKET_STATUS_LABELS.get(TicketStatus(self.status), self.status))

