"""Q&A operations: asking (logged), feedback, hand-over tickets, staff FAQ entries, the index and the charts.

The retrieval itself lives in :mod:`nlp.qa`; this module feeds it the staff FAQ entries and published replies
as ``extra`` entries, keeps one :class:`~nlp.qa.answer.Answerer` per process and swaps in a new one when
the staff entries change (the rebuild runs as a background job, never in a resident's request).
Operations add/flush, never commit.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
import shutil
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app

from portal.extensions import db
from portal.models import (
    Comment,
    FaqEntry,
    Project,
    QaQuestion,
    QaTicket,
    Reply,
    ReplyState,
    TicketStatus,
    User,
)
from portal.operations import audit
from portal.operations.comments import clean_text, generate_receipt_code, parse_receipt_code
from portal.operations.errors import Conflict, DomainError, NotFound, ValidationError
from portal.timeutil import to_local, utcnow

log = logging.getLogger(__name__)

FAQ_QUESTION_MAX = 500
FAQ_ANSWER_MAX = 10000
TICKET_ANSWER_MAX = 10000
CONTACT_MAX = 120
OTHER_TOPIC = "其他"


class QaUnavailable(DomainError):
    """The knowledge base or its index cannot be loaded right now."""

    status = 503


# -- the knowledge base and its index ----------------------------------------------------------------


def kb_dir() -> Path:
    """The knowledge-base folder: ``QA_KB_DIR`` or the shipped ``data/kb``."""
    from nlp.qa.kb import DEFAULT_KB_DIR

    return Path(current_app.config.get("QA_KB_DIR") or DEFAULT_KB_DIR)


def index_root() -> Path:
    """Where built indexes are saved: ``QA_INDEX_DIR`` or ``<instance>/qa_index``."""
    return Path(current_app.config.get("QA_INDEX_DIR") or Path(current_app.instance_path) / "qa_index")


def staff_entries() -> list[dict[str, Any]]:
    """Active staff FAQ entries and published replies to published comments, as ``nlp.qa`` extra entries."""
    entries: list[dict[str, Any]] = []
    faqs = db.session.execute(db.select(FaqEntry).where(FaqEntry.active.is_(True)).order_by(FaqEntry.id)).scalars()
    for f in faqs:
        entries.append({
            "id": f"staff-{f.id}", "kind": "faq", "source": "staff-faq", "question": f.question,
            "alternatives": list(f.alternatives or []), "answer": f.answer,
            "sources": [s for s in (f.sources or []) if isinstance(s, dict) and s.get("source")],
        })
    if current_app.config.get("QA_INCLUDE_REPLIES", True):
        rows = db.session.execute(
            db.select(Reply, Comment, Project)
            .join(Comment, Reply.comment_id == Comment.id)
            .join(Project, Comment.project_id == Project.id)
            .where(Reply.state == ReplyState.PUBLISHED, Reply.published_at.is_not(None),
                   Comment.published.is_(True), Comment.redacted_text.is_not(None))
            .order_by(Reply.id)
        ).all()
        for reply, comment, project in rows:
            if not (comment.redacted_text or "").strip() or not reply.text.strip():
                continue
            entries.append({
                "id": f"reply-{reply.id}", "kind": "reply", "source": "reply",
                "question": comment.redacted_text, "answer": reply.text,
                "title": f"{project.name}：工作人员答复",
                "url": f"/projects/{project.slug}/comments",
            })
    return entries


def entries_signature() -> str:
    """A cheap fingerprint of what :func:`staff_entries` returns (counts and latest change times)."""
    faq = db.session.execute(
        db.select(db.func.count(FaqEntry.id), db.func.max(FaqEntry.updated_at)).where(FaqEntry.active.is_(True))
    ).one()
    parts = [f"faq:{faq[0]}:{faq[1]}"]
    if current_app.config.get("QA_INCLUDE_REPLIES", True):
        rep = db.session.execute(
            db.select(db.func.count(Reply.id), db.func.max(Reply.updated_at), db.func.max(Comment.updated_at))
            .join(Comment, Reply.comment_id == Comment.id)
            .where(Reply.state == ReplyState.PUBLISHED, Reply.published_at.is_not(None),
                   Comment.published.is_(True), Comment.redacted_text.is_not(None))
        ).one()
        parts.append(f"reply:{rep[0]}:{rep[1]}:{rep[2]}")
    return "|".join(parts)


@dataclass
class _Loaded:
    answerer: Any
    signature: str
    checked_at: float
    pending: str | None = None  # signature a background rebuild was requested for


_loaded: dict[str, _Loaded] = {}
_lock = threading.Lock()


def _cache_key() -> str:
    return f"{kb_dir().resolve()}|{index_root().resolve()}"


def _load_kb(entries: list[dict[str, Any]]):
    from nlp.qa.kb import KBError, KnowledgeBase

    try:
        return KnowledgeBase.load(kb_dir(), entries)
    except (KBError, FileNotFoundError, OSError) as exc:
        log.error("QA knowledge base cannot be loaded: %s", exc)
        raise QaUnavailable("问答知识库暂时无法加载，请稍后再试，或直接给工作人员留言。") from exc


def _saved_answerer(entries: list[dict[str, Any]]):
    """An answerer from the index already saved for these entries, or None when it must be built first."""
    from nlp.qa.answer import Answerer
    from nlp.qa.index import QAIndex, index_key

    kb = _load_kb(entries)
    probe = QAIndex()
    folder = index_root() / index_key(kb, probe._get_embedder().name)
    if not (folder / "meta.json").is_file():
        return None
    try:
        return Answerer(QAIndex.load(folder, kb, probe.embedder))
    except (ValueError, OSError, KeyError, json.JSONDecodeError):
        return None


def rebuild_index() -> dict[str, Any]:
    """Build (or load, when already saved) the index for the KB plus current staff entries and use it now.

    This is what ``flask kb reindex`` and the background job run; returns a small report.
    """
    from nlp.qa.answer import Answerer
    from nlp.qa.index import load_or_build

    started = time.perf_counter()
    signature = entries_signature()
    entries = staff_entries()
    kb = _load_kb(entries)
    try:
        index = load_or_build(kb, index_root())
    except (OSError, ValueError) as exc:
        log.exception("QA index build failed")
        raise QaUnavailable("问答索引构建失败，请查看日志。") from exc
    with _lock:
        _loaded[_cache_key()] = _Loaded(Answerer(index), signature, time.monotonic())
    return {"documents": len(kb), "staff_entries": len(entries), "seconds": round(time.perf_counter() - started, 2)}


def schedule_reindex() -> None:
    """Ask for a background rebuild (after staff changed FAQ entries); call after the request's commit."""
    from portal.qa.tasks import rebuild_qa_index

    with _lock:
        state = _loaded.get(_cache_key())
        if state is not None:
            state.checked_at = 0.0  # the next request looks at the signature again
    try:
        rebuild_qa_index()
    except Exception:  # noqa: BLE001  (a queue outage must not lose the staff member's saved change)
        log.exception("could not queue the QA index rebuild")


def get_answerer():
    """The process-wide answerer for the configured KB plus staff entries.

    At most every ``QA_RELOAD_CHECK_SECONDS`` the staff entries' signature is compared with the loaded one;
    when it changed, an index already saved by the worker is loaded (fast), otherwise a background rebuild is
    queued and the current answerer keeps serving. Only the very first use builds in the caller.
    """
    key = _cache_key()
    now = time.monotonic()
    with _lock:
        state = _loaded.get(key)
    if state is not None and now - state.checked_at < current_app.config.get("QA_RELOAD_CHECK_SECONDS", 30):
        return state.answerer
    signature = entries_signature()
    if state is not None and signature == state.signature:
        state.checked_at = now
        return state.answerer
    entries = staff_entries()
    fresh = _saved_answerer(entries)
    if fresh is not None:
        with _lock:
            _loaded[key] = _Loaded(fresh, signature, now)
        return fresh
    if state is None:
        rebuild_index()  # first start without a saved index (run `flask kb reindex` at deploy time)
        return _loaded[key].answerer
    if state.pending != signature:
        state.pending = signature
        schedule_reindex()
    with _lock:
        current = _loaded.get(key, state)
    current.checked_at = now
    return current.answerer


def current_kb():
    """The knowledge base of the loaded answerer, else the KB folder parsed alone (no index is built)."""
    with _lock:
        state = _loaded.get(_cache_key())
    if state is not None:
        return state.answerer.kb
    return _load_kb([])


# -- residents: asking, feedback, hand-over -----------------------------------------------------------


def topic_of(text: str) -> str:
    """The chart topic of a question: the first ``QA_TOPIC_KEYWORDS`` group with a keyword in it."""
    from nlp.qa.lang import normalize

    norm = normalize(text)
    for topic, words in current_app.config.get("QA_TOPIC_KEYWORDS", {}).items():
        if any(w in norm for w in words):
            return topic[:40]
    return OTHER_TOPIC


def _citation_dict(c) -> dict[str, Any]:
    return {"source": c.source, "article": c.article, "score": round(float(c.score), 4), "kind": c.kind,
            "title": c.title, "url": c.url}


def ask(text: Any, project_id: Any = None, channel: str = "web") -> QaQuestion:
    """Answer a resident's question and log it; returns the flushed :class:`QaQuestion`.

    Raises ValidationError for a missing, non-text or too long question or an unknown project.
    """
    if text is not None and not isinstance(text, str):
        raise ValidationError("问题必须是文字。", field="question")
    question = clean_text(text)
    if not question:
        raise ValidationError("请输入您想咨询的问题，例如“征地补偿标准是怎么定的？”。", field="question")
    limit = current_app.config.get("QA_MAX_QUESTION_CHARS", 1000)
    if len(question) > limit:
        raise ValidationError(f"问题太长了（{len(question)} 字），请精简到 {limit} 字以内再提问。", field="question")
    project = None
    if project_id not in (None, ""):
        try:
            project = db.session.get(Project, int(project_id))
        except (TypeError, ValueError):
            project = None
        if project is None:
            raise ValidationError("所选项目不存在。", field="project")
    result = get_answerer().answer(question)
    row = QaQuestion(
        text=question, channel=channel[:10], project=project, answered=result.answered, answer=result.answer,
        reason=(result.reason or "")[:30], kind=(result.kind or "refusal")[:10],
        confidence=float(result.confidence), citations=[_citation_dict(c) for c in result.citations],
        topic=topic_of(question), token=secrets.token_hex(16),
    )
    db.session.add(row)
    db.session.flush()
    return row


def get_question(question_id: int, token: str | None) -> QaQuestion:
    """The asked question, for its asker only (the token given with the answer)."""
    row = db.session.get(QaQuestion, question_id)
    if row is None or not isinstance(token, str) or not secrets.compare_digest(row.token, token):
        raise NotFound("找不到这个问题，或链接已失效。")
    return row


def _clean_contact(raw: Any) -> str | None:
    if raw is not None and not isinstance(raw, str):
        raise ValidationError("联系方式必须是文字。", field="contact")
    contact = clean_text(raw).replace("\n", " ")
    if len(contact) > CONTACT_MAX:
        raise ValidationError(f"联系方式太长了，请控制在 {CONTACT_MAX} 字以内。", field="contact")
    return contact or None


def _new_ticket_code() -> str:
    while True:
        code = generate_receipt_code()
        if db.session.execute(db.select(QaTicket.id).filter_by(code=code)).first() is None:
            return code


def hand_over(question: QaQuestion, contact: Any = None) -> QaTicket:
    """Pass a question to staff as a ticket (once; a second call only adds the contact details)."""
    contact_text = _clean_contact(contact)
    ticket = question.ticket
    if ticket is None:
        ticket = QaTicket(code=_new_ticket_code(), question=question, text=question.text,
                          project_id=question.project_id, contact=contact_text)
        db.session.add(ticket)
    elif contact_text:
        ticket.contact = contact_text
    db.session.flush()
    return ticket


def give_feedback(question: QaQuestion, helpful: Any) -> QaTicket | None:
    """Record "was this helpful?"; an unhelpful answer becomes a ticket for staff (returned)."""
    if isinstance(helpful, str):
        helpful = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}.get(helpful.lower())
    if not isinstance(helpful, bool):
        raise ValidationError("请选择“有帮助”或“没有帮助”。", field="helpful")
    question.helpful = helpful
    if not helpful:
        return hand_over(question)
    return None


def find_ticket(raw_code: Any) -> QaTicket:
    """The ticket with this code (typed by a resident), or a clear error."""
    code = parse_receipt_code(raw_code if isinstance(raw_code, str) else None)
    ticket = db.session.execute(db.select(QaTicket).filter_by(code=code)).scalar_one_or_none()
    if ticket is None:
        raise NotFound("没有找到这个问题编号，请核对后再试。", field="code")
    return ticket


# -- staff: tickets ----------------------------------------------------------------------------------


def tickets_query(status: str | None = None):
    """Tickets for the staff list: open ones first, newest first."""
    query = db.select(QaTicket)
    if status in tuple(TicketStatus):
        query = query.where(QaTicket.status == status)
    order = db.case((QaTicket.status == TicketStatus.OPEN, 0), else_=1)
    return query.order_by(order, QaTicket.created_at.desc(), QaTicket.id.desc())


QUESTION_FILTERS = ("unanswered", "unhelpful", "answered", "all")


def questions_query(kind: str | None = None, project_id: int | None = None):
    """The question log for staff, newest first; ``kind`` is one of :data:`QUESTION_FILTERS`."""
    query = db.select(QaQuestion)
    if kind == "unanswered":
        query = query.where(QaQuestion.answered.is_(False))
    elif kind == "unhelpful":
        query = query.where(QaQuestion.helpful.is_(False))
    elif kind == "answered":
        query = query.where(QaQuestion.answered.is_(True))
    if project_id:
        query = query.where(QaQuestion.project_id == project_id)
    return query.order_by(QaQuestion.asked_at.desc(), QaQuestion.id.desc())


def ticket_for_question(question_id: int, user: User) -> QaTicket:
    """Staff open a ticket for a logged question the resident did not hand over (to answer it and add it
    to the FAQ); the resident has no code for it, so it is not shown to anyone else."""
    question = db.session.get(QaQuestion, question_id)
    if question is None:
        raise NotFound("找不到这个提问记录。")
    existed = question.ticket is not None
    ticket = hand_over(question)
    if not existed:
        audit.record(user, "qa.ticket_open", ticket, None, {"question_id": question.id})
    return ticket


def get_ticket(ticket_id: int) -> QaTicket:
    ticket = db.session.get(QaTicket, ticket_id)
    if ticket is None:
        raise NotFound("找不到这个问题工单。")
    return ticket


def answer_ticket(ticket: QaTicket, text: Any, user: User) -> QaTicket:
    """Staff answer a ticket; the resident sees the answer with the ticket code."""
    answer = clean_text(text if isinstance(text, str) else None)
    if not answer:
        raise ValidationError("请填写答复内容。", field="answer")
    if len(answer) > TICKET_ANSWER_MAX:
        raise ValidationError(f"答复太长了，请控制在 {TICKET_ANSWER_MAX} 字以内。", field="answer")
    before = audit.snapshot(ticket, ("status", "answer"))
    ticket.answer = answer
    ticket.status = TicketStatus.ANSWERED
    ticket.answered_by = user
    ticket.answered_at = utcnow()
    audit.record(user, "qa.ticket_answer", ticket, before, audit.snapshot(ticket, ("status", "answer")))
    db.session.flush()
    return ticket


def close_ticket(ticket: QaTicket, user: User) -> QaTicket:
    """Close a ticket without an answer (spam, duplicate, no question)."""
    before = audit.snapshot(ticket, ("status",))
    ticket.status = TicketStatus.CLOSED
    audit.record(user, "qa.ticket_close", ticket, before, {"status": ticket.status})
    db.session.flush()
    return ticket


def promote_ticket(ticket: QaTicket, user: User) -> FaqEntry:
    """Turn an answered ticket into a staff FAQ entry with one click (sources can be added by editing it)."""
    if ticket.status != TicketStatus.ANSWERED or not ticket.answer:
        raise Conflict("请先答复这个问题，再把答复加入常见问题。")
    if ticket.faq_entry_id is not None:
        raise Conflict("这个答复已经加入常见问题了。")
    entry = FaqEntry(question=ticket.text[:FAQ_QUESTION_MAX], alternatives=[], answer=ticket.answer, sources=[],
                     active=True, created_by=user)
    db.session.add(entry)
    db.session.flush()
    ticket.faq_entry = entry
    audit.record(user, "qa.ticket_promote", ticket, None, {"faq_entry_id": entry.id})
    db.session.flush()
    return entry


# -- staff: FAQ entries --------------------------------------------------------------------------------

_SOURCE_LINE = re.compile(r"^(?P<law>[^\s#：:，,]+?)(?:\.md)?[\s#：:，,]+(?P<article>第[一二三四五六七八九十百零]+条)$")


def law_label(source: str) -> str:
    """``地方_浙江省土地管理条例_2021-09-30.md`` → ``浙江省土地管理条例`` (a KB law file's short name)."""
    name = re.sub(r"_\d{4}-\d{2}-\d{2}$", "", source.removesuffix(".md"))
    return name.removeprefix("地方_")


def law_files(kb) -> list[str]:
    """The law file names of a knowledge base, in order."""
    return sorted({d.source for d in kb.documents if d.kind == "law"})


def parse_sources(text: Any, kb) -> list[dict[str, str]]:
    """Parse the sources box: one ``<law name or file> 第X条`` per line, checked against the KB."""
    if text is None:
        return []
    if not isinstance(text, str):
        raise ValidationError("依据格式不对。", field="sources")
    files = law_files(kb)
    out: list[dict[str, str]] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = clean_text(raw).replace("《", "").replace("》", " ").strip()
        if not line:
            continue
        m = _SOURCE_LINE.match(re.sub(r"\s+", " ", line))
        if not m:
            raise ValidationError(f"第 {n} 行依据格式不对，应为“法规名称 第X条”，例如“土地管理法 第四十七条”。",
                                  field="sources")
        law = m.group("law").removeprefix("中华人民共和国")
        matches = [f for f in files if law in (f, f.removesuffix(".md"), law_label(f))]
        if not matches:
            matches = [f for f in files if law_label(f).endswith(law)]
        if len(matches) != 1:
            raise ValidationError(f"第 {n} 行：知识库里没有（或有多部）名为“{law}”的法规。", field="sources")
        if kb.article(matches[0], m.group("article")) is None:
            raise ValidationError(f"第 {n} 行：{matches[0]} 没有{m.group('article')}。", field="sources")
        item = {"source": matches[0], "article": m.group("article")}
        if item not in out:
            out.append(item)
    return out


def format_sources(sources: list[dict[str, str]] | None) -> str:
    """The sources box text for an entry (inverse of :func:`parse_sources`)."""
    return "\n".join(f"{law_label(s.get('source', ''))} {s.get('article', '')}".strip() for s in sources or [])


def save_faq(entry: FaqEntry | None, user: User, question: Any, alternatives: Any, answer: Any,
             sources: Any = None, active: bool = True) -> FaqEntry:
    """Create (``entry`` None) or update a staff FAQ entry; call :func:`schedule_reindex` after the commit."""
    q = clean_text(question if isinstance(question, str) else None).replace("\n", " ")
    a = clean_text(answer if isinstance(answer, str) else None)
    if not q:
        raise ValidationError("请填写问题。", field="question")
    if len(q) > FAQ_QUESTION_MAX:
        raise ValidationError(f"问题太长了，请控制在 {FAQ_QUESTION_MAX} 字以内。", field="question")
    if not a:
        raise ValidationError("请填写答案。", field="answer")
    if len(a) > FAQ_ANSWER_MAX:
        raise ValidationError(f"答案太长了，请控制在 {FAQ_ANSWER_MAX} 字以内。", field="answer")
    alts_raw = alternatives if isinstance(alternatives, str) else "\n".join(alternatives or [])
    alts = list(dict.fromkeys(x.strip() for x in clean_text(alts_raw).splitlines() if x.strip()))
    if any(len(x) > FAQ_QUESTION_MAX for x in alts):
        raise ValidationError(f"每种问法请控制在 {FAQ_QUESTION_MAX} 字以内。", field="alternatives")
    kb = current_kb()
    parsed = parse_sources(sources, kb) if isinstance(sources, str) else list(sources or [])
    for item in parsed:
        if kb.article(item["source"], item["article"]) is None:
            raise ValidationError(f"依据不存在：{item['source']} {item['article']}。", field="sources")
    fields = ("question", "alternatives", "answer", "sources", "active")
    before = audit.snapshot(entry, fields) if entry is not None else None
    if entry is None:
        entry = FaqEntry(created_by=user)
        db.session.add(entry)
    entry.question, entry.alternatives, entry.answer, entry.sources, entry.active = q, alts, a, parsed, bool(active)
    entry.updated_at = utcnow()
    db.session.flush()
    audit.record(user, "qa.faq_create" if before is None else "qa.faq_update", entry, before,
                 audit.snapshot(entry, fields))
    return entry


def get_faq(entry_id: int) -> FaqEntry:
    entry = db.session.get(FaqEntry, entry_id)
    if entry is None:
        raise NotFound("找不到这个常见问题。")
    return entry


def delete_faq(entry: FaqEntry, user: User) -> None:
    """Delete a staff FAQ entry (tickets promoted into it keep their answer)."""
    for ticket in db.session.execute(db.select(QaTicket).filter_by(faq_entry_id=entry.id)).scalars():
        ticket.faq_entry_id = None
    audit.record(user, "qa.faq_delete", entry, audit.snapshot(entry, ("question", "answer")), None)
    db.session.delete(entry)
    db.session.flush()


# -- import (flask kb import) --------------------------------------------------------------------------


def import_path(path: str | Path, user: User | None = None) -> dict[str, int]:
    """Import law ``.md`` files (copied into the KB's ``laws/``) or FAQ entries from JSON/XLSX (as staff FAQ).

    A folder imports every ``.md``, ``.json`` and ``.xlsx`` in it. Returns counts; raises ValidationError with
    the file and reason for anything malformed (nothing of that file is imported).
    """
    path = Path(path)
    if not path.exists():
        raise ValidationError(f"找不到文件或文件夹：{path}")
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".md", ".json", ".xlsx")) if path.is_dir() \
        else [path]
    counts = {"laws": 0, "articles": 0, "faq": 0}
    for file in files:
        suffix = file.suffix.lower()
        if suffix == ".md":
            if file.name.lower().startswith("readme"):
                continue
            counts["articles"] += _import_law(file)
            counts["laws"] += 1
        elif suffix in (".json", ".xlsx"):
            rows = _read_faq_json(file) if suffix == ".json" else _read_faq_xlsx(file)
            for row in rows:
                save_faq(None, user, row.get("question"), row.get("alternatives") or [], row.get("answer"),
                         _sources_of(row, file))
                counts["faq"] += 1
        else:
            raise ValidationError(f"{file.name}：只支持 .md（法规）、.json 或 .xlsx（常见问题）。")
    return counts


def _import_law(file: Path) -> int:
    from nlp.qa.kb import split_law

    text = file.read_text(encoding="utf-8")
    articles = split_law(text, file.name)
    if not articles:
        raise ValidationError(f"{file.name}：没有找到“第X条”开头的条文，不像法规文件。")
    target = kb_dir() / "laws"
    target.mkdir(parents=True, exist_ok=True)
    if file.resolve() != (target / file.name).resolve():
        shutil.copyfile(file, target / file.name)
    return len(articles)


def _sources_of(row: dict[str, Any], file: Path) -> Any:
    sources = row.get("sources")
    if isinstance(sources, str):
        return sources
    if sources in (None, ""):
        return []
    if isinstance(sources, list) and all(isinstance(s, dict) and s.get("source") for s in sources):
        return [{"source": str(s["source"]), "article": str(s.get("article") or "")} for s in sources]
    raise ValidationError(f"{file.name}：sources 应为 [{{\"source\", \"article\"}}] 或“法规名称 第X条”文字。")


def _read_faq_json(file: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{file.name}：不是有效的 JSON（{exc}）。") from exc
    if isinstance(data, dict):
        data = data.get("entries")
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ValidationError(f"{file.name}：应为常见问题对象的列表。")
    return data


def _read_faq_xlsx(file: Path) -> list[dict[str, Any]]:
    """Rows of the first sheet; header row with 问题/question, 其他问法/alternatives, 答案/answer, 依据/sources."""
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(file, read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # noqa: BLE001  (openpyxl raises many kinds for a damaged file)
        raise ValidationError(f"{file.name}：无法读取 Excel 文件（{exc}）。") from exc
    names = {"问题": "question", "question": "question", "其他问法": "alternatives", "alternatives": "alternatives",
             "答案": "answer", "answer": "answer", "依据": "sources", "sources": "sources"}
    rows = sheet.iter_rows(values_only=True)
    header = [names.get(str(c or "").strip().lower(), names.get(str(c or "").strip())) for c in next(rows, [])]
    if "question" not in header or "answer" not in header:
        raise ValidationError(f"{file.name}：第一行须有“问题”和“答案”两列。")
    out = []
    for values in rows:
        row = {k: (str(v).strip() if v is not None else "") for k, v in zip(header, values, strict=False) if k}
        if not row.get("question") and not row.get("answer"):
            continue
        row["alternatives"] = [x.strip() for x in re.split(r"[\n；;]", row.get("alternatives", "")) if x.strip()]
        out.append(row)
    return out


# -- staff charts ---------------------------------------------------------------------------------------


def stats(days: int | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """Numbers behind the staff charts over the last ``days`` days (site time zone)."""
    days = days or current_app.config.get("QA_STATS_DAYS", 60)
    since = utcnow() - dt.timedelta(days=days)
    rows = db.session.execute(
        db.select(QaQuestion.asked_at, QaQuestion.topic, QaQuestion.answered, QaQuestion.citations,
                  QaQuestion.project_id, QaQuestion.helpful)
        .where(QaQuestion.asked_at >= since)
        .order_by(QaQuestion.asked_at)
    ).all()
    by_day_topic: dict[str, Counter] = defaultdict(Counter)
    answered_by_day: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    topics: Counter = Counter()
    cited: Counter = Counter()
    per_project: Counter = Counter()
    helpful = Counter()
    for asked_at, topic, answered, citations, project_id, was_helpful in rows:
        local = to_local(asked_at if asked_at.tzinfo else asked_at.replace(tzinfo=dt.UTC))
        day = local.date().isoformat()
        topic = topic or OTHER_TOPIC
        by_day_topic[day][topic] += 1
        topics[topic] += 1
        answered_by_day[day][0 if answered else 1] += 1
        per_project[project_id] += 1
        if was_helpful is not None:
            helpful["yes" if was_helpful else "no"] += 1
        if answered:
            for c in (citations or [])[:1]:
                if c.get("article"):
                    cited[f"《{law_label(c.get('source', ''))}》{c['article']}"] += 1
    dates = sorted(by_day_topic)
    topic_names = [t for t, _ in topics.most_common()]
    names = {p.id: p.name for p in db.session.execute(db.select(Project)).scalars()}
    total = len(rows)
    answered_total = sum(v[0] for v in answered_by_day.values())
    return {
        "total": total,
        "answered": answered_total,
        "unanswered": total - answered_total,
        "answered_rate": round(answered_total / total, 3) if total else 0.0,
        "helpful": {"yes": helpful["yes"], "no": helpful["no"]},
        "open_tickets": db.session.execute(
            db.select(db.func.count(QaTicket.id)).where(QaTicket.status == TicketStatus.OPEN)).scalar_one(),
        "dates": dates,
        "topics": [{"name": t, "count": topics[t], "series": [by_day_topic[d][t] for d in dates]}
                   for t in topic_names],
        "answered_series": [answered_by_day[d][0] for d in dates],
        "unanswered_series": [answered_by_day[d][1] for d in dates],
        "top_articles": [{"name": k, "count": v} for k, v in cited.most_common(10)],
        "per_project": [{"name": names.get(pid, "（未指定项目）") if pid else "（未指定项目）", "count": n}
                        for pid, n in per_project.most_common()],
    }
