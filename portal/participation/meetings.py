"""Meetings and hearings (座谈会, 听证会): announcements, registration, hearing requests, and minutes that
are split into statements and sent through the comment pipeline."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import io
import re
import unicodedata
from typing import IO, Any

from flask import current_app

from portal.extensions import db
from portal.models import (
    HEARING_BASES,
    MEETING_KINDS,
    HearingRequest,
    Meeting,
    MeetingRegistration,
    Project,
    Stage,
    Transcript,
    User,
)
from portal.operations import audit
from portal.operations import comments as comment_ops
from portal.operations.errors import Conflict, NotFound, ValidationError
from portal.participation.common import (
    add_with_receipt,
    aware,
    decode_text,
    get_row,
    local_to_utc,
    read_upload,
    upload_extension,
)
from portal.timeutil import local_today, to_local, utcnow

MEETING_FIELDS = ("kind", "title", "stage_id", "starts_at", "place", "agenda", "capacity",
                  "registration_deadline", "published")
_PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{5,18}[0-9]$")


def _phone(raw: str | None, field: str = "phone") -> str:
    """A phone number normalised for comparison (full-width digits, spaces and hyphens removed)."""
    phone = unicodedata.normalize("NFKC", comment_ops.clean_text(raw))
    if not phone:
        raise ValidationError("请填写联系电话，便于工作人员通知会议安排。", field=field)
    if not _PHONE_RE.match(phone):
        raise ValidationError("联系电话格式不对，请填写手机号或座机号（只含数字和短横线）。", field=field)
    return re.sub(r"[\s\-]", "", phone)


def _name(raw: str | None, field: str = "name") -> str:
    name = comment_ops.clean_text(raw)
    if not name:
        raise ValidationError("请填写姓名。", field=field)
    if len(name) > 80:
        raise ValidationError("姓名最多 80 个字。", field=field)
    return name


def _village(project: Project, raw: str | None) -> str | None:
    village = comment_ops.clean_text(raw) or None
    if village and (len(village) > 80 or (project.villages and village not in project.villages)):
        raise ValidationError("请选择本项目涉及的村，或留空。", field="village")
    return village


def get_meeting(meeting_id: int) -> Meeting:
    meeting = get_row(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("找不到这场会议。")
    return meeting


def get_public_meeting(meeting_id: int) -> Meeting:
    meeting = get_meeting(meeting_id)
    if not meeting.published or meeting.project.status == "draft":
        raise NotFound("找不到这场会议。")
    return meeting


def save_meeting(project: Project, values: dict[str, Any], user: User, meeting: Meeting | None = None) -> Meeting:
    """Announce or update a meeting. Times are typed in local time and stored in UTC."""
    kind = values.get("kind")
    if kind not in MEETING_KINDS:
        raise ValidationError("会议类型无效。", field="kind")
    title = comment_ops.clean_text(values.get("title"))
    if not title:
        raise ValidationError("请填写会议名称。", field="title")
    stage = get_row(Stage, values.get("stage_id"))
    if stage is None or stage.project_id != project.id:
        raise ValidationError("请选择本项目的一个阶段。", field="stage_id")
    place = comment_ops.clean_text(values.get("place"))
    if not place:
        raise ValidationError("请填写会议地点。", field="place")
    starts_at, deadline = values.get("starts_at"), values.get("registration_deadline")
    if not isinstance(starts_at, dt.datetime):
        raise ValidationError("请填写会议时间。", field="starts_at")
    if not isinstance(deadline, dt.datetime):
        raise ValidationError("请填写报名截止时间。", field="registration_deadline")
    starts_at, deadline = local_to_utc(starts_at), local_to_utc(deadline)
    if deadline > starts_at:
        raise ValidationError("报名截止时间不能晚于会议开始时间。", field="registration_deadline")
    capacity = values.get("capacity")
    limit = current_app.config["PARTICIPATION_MEETING_MAX_CAPACITY"]
    if not isinstance(capacity, int) or not 1 <= capacity <= limit:
        raise ValidationError(f"名额应为 1 到 {limit} 之间的整数。", field="capacity")
    if meeting is not None and capacity < len(meeting.registrations):
        raise ValidationError(f"已有 {len(meeting.registrations)} 人报名，名额不能少于这个数。", field="capacity")
    before = audit.snapshot(meeting, MEETING_FIELDS) if meeting else None
    if meeting is None:
        meeting = Meeting(project_id=project.id, created_by_id=user.id)
        db.session.add(meeting)
    meeting.kind, meeting.title, meeting.stage_id, meeting.place = kind, title[:200], stage.id, place[:200]
    meeting.starts_at, meeting.registration_deadline, meeting.capacity = starts_at, deadline, capacity
    meeting.agenda = comment_ops.clean_text(values.get("agenda"))[:10000]
    meeting.published = bool(values.get("published", True))
    db.session.flush()
    audit.record(user, "meeting.save" if before else "meeting.create", meeting, before,
                 audit.snapshot(meeting, MEETING_FIELDS))
    return meeting


def registration_open(meeting: Meeting, now: dt.datetime | None = None) -> bool:
    now = now or utcnow()
    return now <= aware(meeting.registration_deadline)


def register(meeting: Meeting, values: dict[str, Any]) -> MeetingRegistration:
    """Register a resident; refused after the deadline, when full, or when the phone already registered."""
    # Lock the meeting row (PostgreSQL) so two last-seat registrations cannot both succeed.
    db.session.execute(db.select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    if not registration_open(meeting):
        raise Conflict("报名已经截止，不能再报名。如有意见，仍可在网上提交或拨打咨询电话。")
    name = _name(values.get("name"))
    phone = _phone(values.get("phone"))
    village = _village(meeting.project, values.get("village"))
    taken = db.session.execute(
        db.select(MeetingRegistration.id).where(MeetingRegistration.meeting_id == meeting.id,
                                                MeetingRegistration.phone == phone)
    ).first()
    if taken:
        raise Conflict("这个电话号码已经报过名了，不用重复报名。如需查询，请使用报名时得到的回执码。", field="phone")
    count = db.session.execute(
        db.select(db.func.count(MeetingRegistration.id)).where(MeetingRegistration.meeting_id == meeting.id)
    ).scalar_one()
    if count >= meeting.capacity:
        raise Conflict(f"名额已满（共 {meeting.capacity} 个名额），不能再报名。您仍可在网上提交意见。")
    registration = MeetingRegistration(meeting_id=meeting.id, name=name, phone=phone, village=village,
                                       note=comment_ops.clean_text(values.get("note"))[:500])
    return add_with_receipt(registration)


def find_registration(code: str) -> MeetingRegistration | None:
    return db.session.execute(db.select(MeetingRegistration).filter_by(receipt_code=code)).scalar_one_or_none()


def registration_table(meeting: Meeting) -> tuple[list[str], list[list[Any]]]:
    header = ["序号", "姓名", "联系电话", "村", "备注", "回执码", "报名时间"]
    rows = []
    for index, r in enumerate(meeting.registrations, start=1):
        local = to_local(aware(r.created_at))
        rows.append([index, r.name, r.phone, r.village or "", r.note, comment_ops.format_receipt_code(r.receipt_code),
                     local.strftime("%Y-%m-%d %H:%M") if local else ""])
    return header, rows


# ---- hearing requests (听证申请) ------------------------------------------------------------------------------


def submit_hearing_request(project: Project, values: dict[str, Any]) -> HearingRequest:
    """A resident's hearing application; the legal basis must be one that gives the right to a hearing."""
    basis = values.get("legal_basis")
    if basis not in HEARING_BASES:
        raise ValidationError("请选择申请听证的法律依据。", field="legal_basis")
    reason = comment_ops.clean_text(values.get("reason"))
    if len(reason) < 5:
        raise ValidationError("请写明申请听证的事项和理由（至少 5 个字）。", field="reason")
    if len(reason) > current_app.config["COMMENT_MAX_LENGTH"]:
        raise ValidationError(f"理由最多 {current_app.config['COMMENT_MAX_LENGTH']} 字。", field="reason")
    request = HearingRequest(
        project_id=project.id, legal_basis=basis, applicant_name=_name(values.get("applicant_name"),
                                                                       "applicant_name"),
        phone=_phone(values.get("phone")), village=_village(project, values.get("village")), reason=reason,
    )
    return add_with_receipt(request)


def get_hearing_request(request_id: int) -> HearingRequest:
    request = get_row(HearingRequest, request_id)
    if request is None:
        raise NotFound("找不到这份听证申请。")
    return request


def find_hearing_request(code: str) -> HearingRequest | None:
    return db.session.execute(db.select(HearingRequest).filter_by(receipt_code=code)).scalar_one_or_none()


def decide_hearing_request(request: HearingRequest, values: dict[str, Any], user: User) -> HearingRequest:
    """Record the decision (举行/不予听证), its date and a note; refusing always needs a reason."""
    status = values.get("status")
    if status not in ("granted", "refused"):
        raise ValidationError("请选择决定：同意举行听证或不予听证。", field="status")
    decided_on = values.get("decided_on") or local_today()
    if not isinstance(decided_on, dt.date):
        raise ValidationError("决定日期格式不对。", field="decided_on")
    if decided_on > local_today():
        raise ValidationError("决定日期不能晚于今天。", field="decided_on")
    note = comment_ops.clean_text(values.get("decision_note"))
    if status == "refused" and not note:
        raise ValidationError("不予听证时必须写明理由，申请人有权知道。", field="decision_note")
    meeting_id = values.get("meeting_id")
    meeting = None
    if meeting_id not in (None, "", 0, "0"):
        meeting = get_row(Meeting, meeting_id)
        if meeting is None or meeting.project_id != request.project_id or meeting.kind != "听证会":
            raise ValidationError("请选择本项目的一场听证会。", field="meeting_id")
    before = audit.snapshot(request, ("status", "decided_on", "decision_note", "meeting_id"))
    request.status, request.decided_on, request.decision_note = status, decided_on, note[:5000] or None
    request.meeting_id = meeting.id if meeting else None
    request.decided_by_id = user.id
    db.session.flush()
    audit.record(user, "hearing_request.decide", request, before,
                 audit.snapshot(request, ("status", "decided_on", "decision_note", "meeting_id")))
    return request


# ---- minutes and transcripts -------------------------------------------------------------------------------

# "张三：……", "村民李四:……", "王五（下坪村）：……" — a short label before a colon starts a statement.
_SPEAKER_RE = re.compile(r"^\s*([^\s：:，,。；;]{1,16}?(?:[（(][^）)]{0,20}[）)])?)\s*[：:]\s*(.*)$")


def pdf_supported() -> bool:
    """Whether a pure-Python PDF text extractor (pypdf) is installed."""
    return importlib.util.find_spec("pypdf") is not None


def transcript_extensions() -> tuple[str, ...]:
    allowed = current_app.config["PARTICIPATION_TRANSCRIPT_EXTENSIONS"]
    return tuple(e for e in allowed if e != "pdf" or pdf_supported())


def extract_text(data: bytes, extension: str) -> list[str]:
    """Paragraphs of a DOCX, TXT or (with pypdf) PDF file."""
    if extension == "txt":
        return decode_text(data).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if extension == "docx":
        import docx

        try:
            document = docx.Document(io.BytesIO(data))
        except Exception:  # noqa: BLE001 - python-docx raises many kinds of errors on damaged files
            raise ValidationError("无法读取这个 Word 文件，请确认是 .docx 格式（不是 .doc）且没有损坏。",
                                  field="file") from None
        paragraphs = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                paragraphs.append("：".join(c.text.strip() for c in row.cells[:2] if c.text.strip()))
        return paragraphs
    if extension == "pdf":
        if not data.startswith(b"%PDF-"):
            raise ValidationError("文件内容不是 PDF，请确认文件没有损坏。", field="file")
        import pypdf  # type: ignore[import-not-found]

        try:
            reader = pypdf.PdfReader(io.BytesIO(data))
            text = "\n".join(page.extract_text() or "" for page in reader.pages)
            return _unify_radicals(text).split("\n")
        except Exception:  # noqa: BLE001
            raise ValidationError("无法从这个 PDF 中提取文字（可能是扫描件），请上传 Word 或文本格式的纪要。",
                                  field="file") from None
    raise ValidationError("不支持这种文件类型。", field="file")  # pragma: no cover


# PDF fonts often map common characters to look-alike Kangxi radicals (⼈ U+2F08 for 人); NFKC of just those
# blocks restores the ideographs without touching the full-width punctuation that NFKC would also change.
_RADICALS_RE = re.compile("[\u2e80-\u2ef3\u2f00-\u2fd5]")


def _unify_radicals(text: str) -> str:
    return _RADICALS_RE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def split_statements(paragraphs: list[str], skip_labels: tuple[str, ...] = ()) -> tuple[list[tuple[str | None, str]],
                                                                                       int]:
    """Group lines into (speaker, statement) pairs.

    A line "张三：……" starts a statement by 张三; following lines without a speaker continue it. Without any
    speaker lines, each paragraph is one statement. Lines by the chair or clerk and header fields
    (``skip_labels``: 主持人, 时间, 地点 …) are skipped; the count of skipped statements is returned too.
    """
    statements: list[list[Any]] = []
    skipped = 0
    current: list[Any] | None = None
    has_speakers = any(_SPEAKER_RE.match(p or "") for p in paragraphs)
    for raw in paragraphs:
        line = comment_ops.clean_text(raw)
        if not line:
            if not has_speakers:
                current = None
            continue
        match = _SPEAKER_RE.match(line) if has_speakers else None
        if match:
            label = match.group(1)
            base = re.sub(r"[（(].*$", "", label)
            if label in skip_labels or base in skip_labels:
                skipped += 1
                current = None
                continue
            current = [base, match.group(2).strip()]
            statements.append(current)
        elif current is not None:
            current[1] = (current[1] + "\n" + line).strip()
        elif has_speakers:
            skipped += 1  # a title or heading before the first speaker
        else:
            current = [None, line]
            statements.append(current)
    result = [(speaker, text) for speaker, text in statements if text]
    skipped += len(statements) - len(result)
    return result, skipped


def _chunks(text: str, limit: int) -> list[str]:
    """A long statement split at sentence ends so each part fits in a comment."""
    if len(text) <= limit:
        return [text]
    parts, current = [], ""
    for sentence in re.split(r"(?<=[。！？!?；;\n])", text):
        while len(sentence) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(sentence[:limit])
            sentence = sentence[limit:]
        if len(current) + len(sentence) > limit:
            parts.append(current)
            current = ""
        current += sentence
    if current.strip():
        parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def import_transcript(meeting: Meeting, stream: IO[bytes], filename: str | None, user: User) -> Transcript:
    """Store the statements of uploaded minutes as comments (channel = the meeting kind), entered by ``user``.

    The same file uploaded twice for a meeting is refused, so statements are never counted twice.
    The caller commits and then queues the new comments for screening.
    """
    allowed = transcript_extensions()
    if (filename or "").lower().endswith(".pdf") and "pdf" not in allowed:
        raise ValidationError("本系统暂不能读取 PDF（未安装纯 Python 的 PDF 文字提取组件 pypdf），"
                              "请把纪要另存为 Word（.docx）或文本（.txt）后上传。", field="file")
    extension = upload_extension(filename, allowed)
    data = read_upload(stream)
    digest = hashlib.sha256(data).hexdigest()
    if any(t.content_hash == digest for t in meeting.transcripts):
        raise Conflict("这份纪要已经上传过了，发言已计入意见，不会重复导入。", field="file")
    paragraphs = extract_text(data, extension)
    statements, skipped = split_statements(paragraphs, tuple(current_app.config["PARTICIPATION_TRANSCRIPT_SKIP_LABELS"]))
    if not statements:
        raise ValidationError("文件中没有识别到任何发言。纪要应写成“姓名：发言内容”的形式，或每段一条意见。",
                              field="file")
    limit = current_app.config["COMMENT_MAX_LENGTH"]
    comment_ids = []
    for speaker, text in statements:
        for part in _chunks(text, limit):
            comment = comment_ops.submit_comment(
                meeting.project, meeting.stage_id, part, author_name=speaker, channel=meeting.kind,
                entered_by=user,
            )
            comment_ids.append(comment.id)
    transcript = Transcript(meeting_id=meeting.id, original_name=(filename or "")[:255], content_hash=digest,
                            comment_ids=comment_ids, skipped=skipped, uploaded_by_id=user.id)
    db.session.add(transcript)
    db.session.flush()
    audit.record(user, "meeting.transcript", meeting, None,
                 {"file": transcript.original_name, "statements": len(comment_ids), "skipped": skipped})
    return transcript
