"""Routing and supervision (交办/督办), replies to comments, families and topics, review, reminders.

Operations change state (add/flush, never commit) and raise domain errors with Chinese messages; the views,
the CLI and the Huey tasks call them.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import smtplib
from collections.abc import Iterable
from email.message import EmailMessage
from typing import Any

from flask import current_app
from sqlalchemy import event

from portal.extensions import db
from portal.models import (
    COORDINATOR_ROLES,
    Assignment,
    AssignmentEvent,
    AssignmentStatus,
    AssignmentTarget,
    AuditEvent,
    Comment,
    CommentStatus,
    Department,
    Notification,
    ProjectDeadline,
    Reply,
    ReplyState,
    ReplyTemplate,
    ResidentMessage,
    Role,
    Topic,
    TopicAssignment,
    User,
)
from portal.operations import audit
from portal.operations import comments as comment_ops
from portal.operations.errors import Conflict, NotFound, PermissionDenied, ValidationError
from portal.timeutil import local_today, utcnow

log = logging.getLogger(__name__)
COORDINATORS = COORDINATOR_ROLES


# ---- the audit trail is append-only from the app ----------------------------------------------------------

@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _audit_is_append_only(mapper, connection, target) -> None:  # noqa: ANN001 - SQLAlchemy event signature
    raise PermissionDenied("审计记录只能追加，不能修改或删除。")


# ---- departments -------------------------------------------------------------------------------------------

def departments(active_only: bool = True) -> list[Department]:
    query = db.select(Department).order_by(Department.id)
    if active_only:
        query = query.where(Department.active.is_(True))
    return list(db.session.execute(query).scalars())


def get_department(department_id: int | str | None) -> Department:
    """The active department with this id, or NotFound (a missing department cannot be assigned)."""
    try:
        department = db.session.get(Department, int(department_id)) if department_id not in (None, "") else None
    except (TypeError, ValueError):
        department = None
    if department is None or not department.active:
        raise NotFound("找不到这个部门（可能已停用），请重新选择。", field="department_id")
    return department


def save_department(values: dict[str, Any], department: Department | None, user: User) -> Department:
    """Create or edit a department (name unique, required)."""
    name = comment_ops.clean_text(values.get("name"))
    if not name or len(name) > 80:
        raise ValidationError("部门名称不能为空，最多 80 个字。", field="name")
    other = db.session.execute(db.select(Department).filter_by(name=name)).scalar_one_or_none()
    if other is not None and other is not department:
        raise ValidationError(f"部门“{name}”已存在。", field="name")
    email = comment_ops.clean_text(values.get("email"))
    if email and ("@" not in email or len(email) > 120):
        raise ValidationError("电子邮箱格式不对。", field="email")
    fields = ("name", "description", "contact", "email", "active")
    before = audit.snapshot(department, fields) if department else None
    if department is None:
        department = Department(name=name)
        db.session.add(department)
    department.name = name
    department.description = comment_ops.clean_text(values.get("description"))
    department.contact = comment_ops.clean_text(values.get("contact"))[:120]
    department.email = email
    department.active = bool(values.get("active", True))
    db.session.flush()
    audit.record(user, "department.save", department, before, audit.snapshot(department, fields))
    return department


def add_department_staff(department: Department, values: dict[str, Any], user: User) -> User:
    """Create a department staff account (部门工作人员) of ``department``."""
    from portal.operations import users as user_ops

    if not user.has_role(Role.ADMIN):
        raise PermissionDenied("只有管理员可以添加工作人员。")
    staff = user_ops.create_user(values.get("username") or "", values.get("password") or "", Role.DEPARTMENT,
                                 department.name, comment_ops.clean_text(values.get("display_name"))[:80])
    audit.record(user, "user.create", staff, None, {"username": staff.username, "role": str(staff.role),
                                                   "department": department.name})
    return staff


def seed_departments(names: Iterable[str] | None = None) -> int:
    """Create the standard departments that are missing; returns how many were created."""
    created = 0
    for name in names or current_app.config["RESPOND_STANDARD_DEPARTMENTS"]:
        if db.session.execute(db.select(Department).filter_by(name=name)).scalar_one_or_none() is None:
            db.session.add(Department(name=name))
            created += 1
    db.session.flush()
    return created


# ---- working days and due dates ----------------------------------------------------------------------------

def holidays() -> set[dt.date]:
    result = set()
    for raw in current_app.config.get("RESPOND_HOLIDAYS", ()):
        try:
            result.add(dt.date.fromisoformat(raw))
        except ValueError:
            log.warning("RESPOND_HOLIDAYS: not an ISO date: %r", raw)
    return result


def add_working_days(start: dt.date, days: int, skip: set[dt.date] | None = None) -> dt.date:
    """The date ``days`` working days after ``start`` (Saturdays, Sundays and ``skip`` do not count)."""
    skip = holidays() if skip is None else skip
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in skip:
            left -= 1
    return day


def working_days_for(project_id: int) -> int:
    row = db.session.execute(db.select(ProjectDeadline).filter_by(project_id=project_id)).scalar_one_or_none()
    return row.working_days if row else current_app.config["RESPOND_DEFAULT_WORKING_DAYS"]


def set_project_deadline(project_id: int, working_days: int | str | None, user: User) -> ProjectDeadline:
    """Set a project's own response deadline in working days (1..RESPOND_MAX_WORKING_DAYS)."""
    limit = current_app.config["RESPOND_MAX_WORKING_DAYS"]
    try:
        days = int(working_days)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError("办理时限必须是整数（工作日）。", field="working_days") from None
    if not 1 <= days <= limit:
        raise ValidationError(f"办理时限应在 1 到 {limit} 个工作日之间。", field="working_days")
    row = db.session.execute(db.select(ProjectDeadline).filter_by(project_id=project_id)).scalar_one_or_none()
    before = {"working_days": row.working_days} if row else None
    if row is None:
        row = ProjectDeadline(project_id=project_id, working_days=days)
        db.session.add(row)
    row.working_days = days
    db.session.flush()
    audit.record(user, "project.deadline", row, before, {"working_days": days, "project_id": project_id})
    return row


def default_due_on(project_id: int, today: dt.date | None = None) -> dt.date:
    return add_working_days(today or local_today(), working_days_for(project_id))


def _validate_due(due_on: dt.date | None, project_id: int, today: dt.date) -> dt.date:
    if due_on is None:
        return default_due_on(project_id, today)
    if due_on < today:
        raise ValidationError("办理期限不能早于今天。", field="due_on")
    if due_on > add_working_days(today, current_app.config["RESPOND_MAX_WORKING_DAYS"]):
        limit = current_app.config["RESPOND_MAX_WORKING_DAYS"]
        raise ValidationError(f"办理期限太远了，请设在 {limit} 个工作日以内。", field="due_on")
    return due_on


# ---- what an assignment covers -----------------------------------------------------------------------------

def family_root(comment: Comment) -> Comment:
    """The representative of a campaign family (follows ``duplicate_of`` up, guarding against cycles)."""
    seen = set()
    while comment.duplicate_of is not None and comment.id not in seen:
        seen.add(comment.id)
        comment = comment.duplicate_of
    return comment


def family_members(root: Comment) -> list[Comment]:
    """The representative and every comment that is (transitively) its duplicate."""
    members, frontier = [root], [root.id]
    seen = {root.id}
    while frontier:
        children = list(db.session.execute(
            db.select(Comment).where(Comment.duplicate_of_id.in_(frontier)).order_by(Comment.id)).scalars())
        frontier = [c.id for c in children if c.id not in seen]
        seen.update(frontier)
        members += [c for c in children if c.id in frontier]
    return members


def get_topic(topic_id: int | str | None) -> Topic:
    from portal.topics import operations as topic_ops

    try:
        topic = db.session.get(Topic, int(topic_id)) if topic_id not in (None, "") else None
    except (TypeError, ValueError):
        topic = None
    if topic is None:
        raise NotFound("找不到这个议题。", field="topic_id")
    return topic_ops.final_topic(topic)


def topic_members(topic: Topic) -> list[Comment]:
    from portal.topics import operations as topic_ops

    return list(db.session.execute(topic_ops.topic_comments_query(topic)).scalars())


def target_members(target: str, *, comment: Comment | None = None, topic: Topic | None = None) -> list[Comment]:
    """The comments a comment, family or topic target stands for."""
    if target == AssignmentTarget.COMMENT and comment is not None:
        return [comment]
    if target == AssignmentTarget.FAMILY and comment is not None:
        return family_members(family_root(comment))
    if target == AssignmentTarget.TOPIC and topic is not None:
        return topic_members(topic)
    raise ValidationError("请指定要处理的意见、意见组或议题。", field="target")


def assignment_members(assignment: Assignment) -> list[Comment]:
    if assignment.target == AssignmentTarget.TOPIC:
        topic = db.session.get(Topic, assignment.topic_id) if assignment.topic_id else None
        return topic_members(topic) if topic else []
    if assignment.comment is None:
        return []
    return target_members(assignment.target, comment=assignment.comment)


def department_comment_ids(department_id: int) -> set[int]:
    """Every comment a department holds through its assignments (single comments, families and topics)."""
    ids: set[int] = set()
    for assignment in db.session.execute(db.select(Assignment).filter_by(department_id=department_id)).scalars():
        ids.update(c.id for c in assignment_members(assignment))
    return ids


def _describe(target: str, comment: Comment | None, topic: Topic | None) -> str:
    if target == AssignmentTarget.TOPIC and topic is not None:
        return f"议题：{topic.display_name}"[:200]
    text = (comment.redacted_text or comment.text or "") if comment else ""
    prefix = "意见组：" if target == AssignmentTarget.FAMILY else ""
    return (prefix + text.replace("\n", " "))[:60]


# ---- routing suggestions -----------------------------------------------------------------------------------

def suggest_departments(comments: list[Comment], topic: Topic | None = None, limit: int = 3) -> list[dict[str, Any]]:
    """Departments whose routing keywords occur in the comments' text or the topic's keywords, best first.

    Earlier assignments of the same topic count too. Staff confirm the suggestion; nothing is routed alone.
    """
    by_name = {d.name: d for d in departments()}
    text = " ".join((c.redacted_text or c.text or "") for c in comments[:50])
    if topic is not None:
        text += " " + " ".join(topic.keywords or []) + " " + topic.display_name
    scores: dict[str, dict[str, Any]] = {}
    for name, words in current_app.config["RESPOND_ROUTING_KEYWORDS"].items():
        if name not in by_name:
            continue
        hits = [w for w in words if w and w in text]
        if hits:
            scores[name] = {"department": by_name[name], "score": sum(text.count(w) for w in hits),
                            "keywords": hits}
    if topic is not None:
        earlier = db.session.execute(db.select(Assignment.department_id).where(
            Assignment.topic_id == topic.id)).scalars()
        for department_id in earlier:
            department = db.session.get(Department, department_id)
            if department and department.active:
                entry = scores.setdefault(department.name, {"department": department, "score": 0, "keywords": []})
                entry["score"] += 5
                entry.setdefault("earlier", True)
    return sorted(scores.values(), key=lambda e: (-e["score"], e["department"].id))[:limit]


# ---- assignments -------------------------------------------------------------------------------------------

def get_assignment(assignment_id: int, user: User) -> Assignment:
    """The assignment, if ``user`` may see it (department staff: only their department's — else NotFound)."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or not can_see(user, assignment):
        raise NotFound("找不到这项交办任务。")
    return assignment


def can_see(user: User, assignment: Assignment) -> bool:
    if user.has_role(*COORDINATORS):
        return True
    return user.department_id is not None and assignment.department_id == user.department_id


def open_assignment_for(target: str, comment_id: int | None, topic_id: int | None) -> Assignment | None:
    query = db.select(Assignment).where(Assignment.target == target, Assignment.status == AssignmentStatus.OPEN)
    query = query.where(Assignment.topic_id == topic_id) if target == AssignmentTarget.TOPIC else \
        query.where(Assignment.comment_id == comment_id)
    return db.session.execute(query.limit(1)).scalar_one_or_none()


def assign(
    target: str,
    *,
    department_id: int | str | None,
    user: User,
    comment_id: int | str | None = None,
    topic_id: int | str | None = None,
    due_on: dt.date | None = None,
    note: str | None = None,
    today: dt.date | None = None,
) -> Assignment:
    """Hand a comment, its campaign family or a topic to a department (交办) with a due date.

    The due date defaults to the project's working-day deadline; it may not lie in the past. An item that is
    already open with a department is reassigned, not assigned twice.
    """
    if not user.has_role(*COORDINATORS):
        raise PermissionDenied("只有管理员和审核员可以交办。")
    today = today or local_today()
    try:
        target = AssignmentTarget(target)
    except ValueError:
        raise ValidationError("交办对象无效。", field="target") from None
    comment = topic = None
    if target == AssignmentTarget.TOPIC:
        topic = get_topic(topic_id)
        project_id = topic.project_id
    else:
        try:
            comment = comment_ops.get_comment(int(comment_id))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise NotFound("找不到这条意见。", field="comment_id") from None
        if target == AssignmentTarget.FAMILY:
            comment = family_root(comment)
        project_id = comment.project_id
    department = get_department(department_id)
    due = _validate_due(due_on, project_id, today)
    if open_assignment_for(target, comment.id if comment else None, topic.id if topic else None):
        raise Conflict("这项内容已经交办给部门、正在办理中；如需换部门请使用“改派”。")
    assignment = Assignment(
        target=target, comment_id=comment.id if comment else topic.representative_id,  # type: ignore[union-attr]
        topic_id=topic.id if topic else None, project_id=project_id, department_id=department.id, due_on=due,
        note=comment_ops.clean_text(note)[:2000], title=_describe(target, comment, topic), created_by_id=user.id,
    )
    db.session.add(assignment)
    db.session.flush()
    assignment.events.append(AssignmentEvent(action="assigned", to_department_id=department.id, due_on=due,
                                             reason=assignment.note, user_id=user.id))
    for member in assignment_members(assignment):
        if member.status == CommentStatus.RECEIVED:
            member.status = CommentStatus.PROCESSING
    audit.record(user, "assignment.create", assignment, None,
                 {"target": str(target), "department": department.name, "due_on": due,
                  "comment_id": assignment.comment_id, "topic_id": assignment.topic_id})
    notify_department(department, "assigned", f"新交办：{assignment.title}（{due.isoformat()} 前办结）",
                      f"/staff/respond/assignments/{assignment.id}", f"assigned:{assignment.id}:{department.id}")
    db.session.flush()
    return assignment


def reassign(assignment: Assignment, department_id: int | str | None, reason: str | None, user: User,
             due_on: dt.date | None = None, today: dt.date | None = None) -> Assignment:
    """Move an open assignment to another department; the reason is mandatory and kept in the history."""
    if not user.has_role(*COORDINATORS):
        raise PermissionDenied("只有管理员和审核员可以改派。")
    if assignment.status != AssignmentStatus.OPEN:
        raise Conflict("已办结的任务不能改派。")
    reason = comment_ops.clean_text(reason)
    if not reason:
        raise ValidationError("改派必须说明理由。", field="reason")
    department = get_department(department_id)
    if department.id == assignment.department_id:
        raise ValidationError("新部门与当前部门相同。", field="department_id")
    today = today or local_today()
    due = _validate_due(due_on, assignment.project_id, today) if due_on else assignment.due_on
    before = {"department_id": assignment.department_id, "due_on": assignment.due_on}
    assignment.events.append(AssignmentEvent(action="reassigned", from_department_id=assignment.department_id,
                                             to_department_id=department.id, due_on=due, reason=reason,
                                             user_id=user.id))
    assignment.department_id, assignment.due_on = department.id, due
    db.session.flush()
    audit.record(user, "assignment.reassign", assignment, before,
                 {"department_id": department.id, "due_on": due, "reason": reason})
    notify_department(department, "assigned", f"改派给本部门：{assignment.title}（理由：{reason[:40]}）",
                      f"/staff/respond/assignments/{assignment.id}", f"assigned:{assignment.id}:{department.id}")
    return assignment


def complete(assignment: Assignment, user: User, note: str | None = None) -> Assignment:
    """Mark an assignment done (办结)."""
    if not can_see(user, assignment):
        raise NotFound("找不到这项交办任务。")
    if assignment.status == AssignmentStatus.DONE:
        raise Conflict("这项任务已经办结。")
    assignment.status = AssignmentStatus.DONE
    assignment.done_at, assignment.done_by_id = utcnow(), user.id
    assignment.events.append(AssignmentEvent(action="done", reason=comment_ops.clean_text(note), user_id=user.id))
    audit.record(user, "assignment.done", assignment, {"status": "open"}, {"status": "done"})
    db.session.flush()
    return assignment


def close_answered(comment_ids: Iterable[int], user: User | None) -> int:
    """Mark open assignments done whose every member comment is now answered (after a reply is published)."""
    ids = set(comment_ids)
    if not ids:
        return 0
    candidates = set(db.session.execute(db.select(Assignment).where(
        Assignment.status == AssignmentStatus.OPEN, Assignment.comment_id.in_(ids))).scalars())
    topic_ids = set(db.session.execute(db.select(TopicAssignment.topic_id).where(
        TopicAssignment.comment_id.in_(ids))).scalars())
    if topic_ids:
        candidates |= set(db.session.execute(db.select(Assignment).where(
            Assignment.status == AssignmentStatus.OPEN, Assignment.topic_id.in_(topic_ids))).scalars())
    # a family member's reply may close the family assignment held by its representative
    for comment in db.session.execute(db.select(Comment).where(Comment.id.in_(ids))).scalars():
        root = family_root(comment)
        if root.id != comment.id:
            candidates |= set(db.session.execute(db.select(Assignment).where(
                Assignment.status == AssignmentStatus.OPEN, Assignment.comment_id == root.id)).scalars())
    closed = 0
    for assignment in candidates:
        members = assignment_members(assignment)
        if members and all(m.status == CommentStatus.ANSWERED for m in members):
            assignment.status = AssignmentStatus.DONE
            assignment.done_at = utcnow()
            assignment.done_by_id = user.id if user else None
            assignment.events.append(AssignmentEvent(action="done", reason="答复已发布",
                                                     user_id=user.id if user else None))
            closed += 1
    db.session.flush()
    return closed


# ---- task lists and the supervision board ------------------------------------------------------------------

def bucket(assignment: Assignment, today: dt.date) -> str:
    """'overdue', 'due_soon', 'open' or 'done'."""
    if assignment.status == AssignmentStatus.DONE:
        return "done"
    if assignment.due_on < today:
        return "overdue"
    if (assignment.due_on - today).days <= current_app.config["RESPOND_DUE_SOON_DAYS"]:
        return "due_soon"
    return "open"


def task_list(department_id: int | None, today: dt.date | None = None, done_limit: int = 20) -> dict[str, list]:
    """A department's 工作清单 (every department's when None): open items split by urgency, recent done ones."""
    today = today or local_today()
    query = db.select(Assignment).order_by(Assignment.due_on, Assignment.id)
    if department_id is not None:
        query = query.where(Assignment.department_id == department_id)
    lists: dict[str, list] = {"overdue": [], "due_soon": [], "open": [], "done": []}
    for assignment in db.session.execute(query.where(Assignment.status == AssignmentStatus.OPEN)).scalars():
        lists[bucket(assignment, today)].append(assignment)
    done = query.where(Assignment.status == AssignmentStatus.DONE).order_by(None).order_by(
        Assignment.done_at.desc(), Assignment.id.desc()).limit(done_limit)
    lists["done"] = list(db.session.execute(done).scalars())
    return lists


def supervision_board(today: dt.date | None = None) -> dict[str, Any]:
    """督办: per department open / due soon / overdue counts and every overdue item, most overdue first."""
    today = today or local_today()
    rows = {d.id: {"department": d, "open": 0, "due_soon": 0, "overdue": 0, "done": 0} for d in departments(False)}
    overdue = []
    for assignment in db.session.execute(db.select(Assignment).order_by(Assignment.due_on)).scalars():
        row = rows.setdefault(assignment.department_id, {"department": assignment.department, "open": 0,
                                                         "due_soon": 0, "overdue": 0, "done": 0})
        kind = bucket(assignment, today)
        row[kind] += 1
        if kind == "overdue":
            overdue.append(assignment)
    return {"rows": [r for r in rows.values() if r["department"].active or any(
        r[k] for k in ("open", "due_soon", "overdue"))], "overdue": overdue, "today": today}


# ---- notifications and reminders ---------------------------------------------------------------------------

def notify(user: User, kind: str, message: str, url: str = "", key: str = "") -> Notification | None:
    """An in-app notification; with a ``key``, the same one is never created twice for a user."""
    if key and db.session.execute(db.select(Notification.id).filter_by(user_id=user.id, key=key)).first():
        return None
    note = Notification(user_id=user.id, kind=kind, message=message[:2000], url=url[:300], key=key[:80])
    db.session.add(note)
    return note


def department_staff(department_id: int) -> list[User]:
    return list(db.session.execute(db.select(User).where(
        User.department_id == department_id, User.active.is_(True), User.role == Role.DEPARTMENT)).scalars())


def notify_department(department: Department, kind: str, message: str, url: str, key: str) -> int:
    return sum(1 for u in department_staff(department.id) if notify(u, kind, message, url, key))


def notifications_for(user: User, limit: int = 50) -> list[Notification]:
    return list(db.session.execute(db.select(Notification).filter_by(user_id=user.id).order_by(
        Notification.created_at.desc(), Notification.id.desc()).limit(limit)).scalars())


def unread_count(user: User) -> int:
    return db.session.execute(db.select(db.func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))).scalar_one()


def mark_read(user: User, notification_id: int | None = None) -> int:
    query = db.select(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    notes = list(db.session.execute(query).scalars())
    for note in notes:
        note.read_at = utcnow()
    db.session.flush()
    return len(notes)


def send_email(to: str, subject: str, body: str) -> bool:
    """Send one e-mail through the configured SMTP server; False (logged) when none is set or it fails."""
    config = current_app.config
    if not config.get("RESPOND_SMTP_HOST") or not to:
        log.info("e-mail skipped (no SMTP host or address): %s", subject)
        return False
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config["RESPOND_SMTP_SENDER"], to, subject
    message.set_content(body)
    try:
        with smtplib.SMTP(config["RESPOND_SMTP_HOST"], config["RESPOND_SMTP_PORT"], timeout=20) as smtp:
            if config.get("RESPOND_SMTP_STARTTLS"):
                smtp.starttls()
            if config.get("RESPOND_SMTP_USER"):
                smtp.login(config["RESPOND_SMTP_USER"], config["RESPOND_SMTP_PASSWORD"])
            smtp.send_message(message)
        return True
    except (OSError, smtplib.SMTPException):
        log.exception("reminder e-mail to %s failed", to)
        return False


def send_reminders(today: dt.date | None = None) -> dict[str, int]:
    """Remind departments of items due soon or overdue (once per item per day) and tell coordinators of
    overdue ones; e-mail each department a digest when SMTP is configured."""
    today = today or local_today()
    counts = {"notifications": 0, "emails": 0, "items": 0}
    coordinators = list(db.session.execute(db.select(User).where(
        User.active.is_(True), User.role == Role.ADMIN)).scalars())
    digests: dict[int, list[str]] = {}
    for assignment in db.session.execute(db.select(Assignment).where(
            Assignment.status == AssignmentStatus.OPEN).order_by(Assignment.due_on)).scalars():
        kind = bucket(assignment, today)
        if kind not in ("overdue", "due_soon"):
            continue
        counts["items"] += 1
        days = (assignment.due_on - today).days
        text = (f"已超期 {-days} 天：{assignment.title}" if kind == "overdue"
                else f"{days} 天后到期：{assignment.title}")
        url, key = f"/staff/respond/assignments/{assignment.id}", f"remind:{assignment.id}:{today.isoformat()}"
        counts["notifications"] += notify_department(assignment.department, kind, text, url, key)
        if kind == "overdue":
            for user in coordinators:
                counts["notifications"] += 1 if notify(user, "overdue", f"{assignment.department.name} {text}",
                                                       url, key) else 0
        digests.setdefault(assignment.department_id, []).append(text)
    for department_id, lines in digests.items():
        department = db.session.get(Department, department_id)
        if department and department.email and send_email(
                department.email, f"【听见】{department.name} 意见办理提醒（{len(lines)} 项）", "\n".join(lines)):
            counts["emails"] += 1
    db.session.flush()
    return counts


# ---- replies to a comment, a family or a topic -------------------------------------------------------------

def may_reply(user: User, comment: Comment) -> bool:
    """Coordinators may reply to anything; department staff only to comments assigned to their department."""
    if user.has_role(*COORDINATORS):
        return True
    if user.department_id is None:
        return False
    ids = {comment.id, family_root(comment).id}
    held = db.session.execute(db.select(Assignment.id).where(
        Assignment.department_id == user.department_id,
        db.or_(Assignment.comment_id.in_(ids), Assignment.topic_id.in_(
            db.select(TopicAssignment.topic_id).where(TopicAssignment.comment_id == comment.id))))).first()
    if held:
        return True
    # topics merged into an assigned topic
    topic_row = db.session.execute(db.select(TopicAssignment).filter_by(comment_id=comment.id)).scalar_one_or_none()
    if topic_row is None:
        return False
    from portal.topics import operations as topic_ops

    final = topic_ops.final_topic(topic_row.topic)
    return db.session.execute(db.select(Assignment.id).where(
        Assignment.department_id == user.department_id, Assignment.topic_id == final.id)).first() is not None


def write_replies(
    members: list[Comment],
    text: str | None,
    user: User,
    adoption: str | None = None,
    reason: str | None = None,
    *,
    submit: bool = True,
) -> str:
    """Write one reply for every comment in ``members`` (one comment, a family or a topic) as a batch.

    The replies wait for a reviewer (待审核) or stay drafts (``submit=False``); returns the batch id.
    """
    if not members:
        raise ValidationError("没有可以答复的意见。", field="target")
    limit = current_app.config["RESPOND_BATCH_LIMIT"]
    if len(members) > limit:
        raise ValidationError(f"一次最多答复 {limit} 条意见，请分批处理。", field="target")
    if len(comment_ops.clean_text(text)) > current_app.config["RESPOND_REPLY_MAX_LENGTH"]:
        raise ValidationError("答复内容太长。", field="text")
    for member in members:
        if db.session.get(Comment, member.id) is None:
            raise NotFound("这条意见已被删除，不能答复。")
        if not may_reply(user, member):
            raise PermissionDenied("这条意见没有交办给您的部门，不能答复。")
    batch = secrets.token_hex(8)
    state = ReplyState.PENDING if submit else ReplyState.DRAFT
    for member in members:
        comment_ops.add_reply(member, text, user, adoption, reason, publish=False, batch_id=batch, state=state)
    if submit:
        _notify_reviewers(batch, members[0], len(members))
    return batch


def reply_to_comment_id(comment_id: int, text: str | None, user: User, adoption: str | None = None,
                        reason: str | None = None, target: str = AssignmentTarget.COMMENT,
                        submit: bool = True) -> str:
    """Reply to the comment with this id (NotFound when it was deleted), or to its whole family."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound("这条意见不存在或已被删除，不能答复。")
    return write_replies(target_members(target, comment=comment), text, user, adoption, reason, submit=submit)


def _notify_reviewers(batch: str, first: Comment, size: int) -> None:
    reviewers = db.session.execute(db.select(User).where(
        User.active.is_(True), User.role.in_((Role.REVIEWER, Role.ADMIN)))).scalars()
    what = f"{size} 条意见" if size > 1 else f"意见 #{first.id}"
    for reviewer in reviewers:
        notify(reviewer, "review", f"有答复待审核（{what}）", f"/staff/respond/review/{batch}", f"review:{batch}")


def batch_replies(batch_id: str) -> list[Reply]:
    return list(db.session.execute(db.select(Reply).where(Reply.batch_id == batch_id).order_by(Reply.id)).scalars())


def get_batch(batch_id: str, user: User) -> list[Reply]:
    """The replies of a batch, if ``user`` may see them (its author, its department, or a coordinator)."""
    replies = batch_replies(batch_id) if batch_id and len(batch_id) <= 32 else []
    if not replies:
        raise NotFound("找不到这组答复。")
    if not user.has_role(*COORDINATORS) and not any(
            r.author_id == user.id or may_reply(user, r.comment) for r in replies[:1]):
        raise NotFound("找不到这组答复。")
    return replies


def review_queue() -> list[dict[str, Any]]:
    """Batches waiting for review, oldest first: first reply, size, author."""
    rows = db.session.execute(db.select(Reply.batch_id, db.func.count(Reply.id), db.func.min(Reply.id)).where(
        Reply.state == ReplyState.PENDING, Reply.batch_id.is_not(None)).group_by(Reply.batch_id).order_by(
        db.func.min(Reply.id))).all()
    return [{"batch_id": b, "size": n, "first": db.session.get(Reply, first)} for b, n, first in rows]


def my_batches(user: User, states: tuple[str, ...] = (ReplyState.DRAFT, ReplyState.RETURNED)) -> list[dict]:
    rows = db.session.execute(db.select(Reply.batch_id, db.func.count(Reply.id), db.func.min(Reply.id)).where(
        Reply.author_id == user.id, Reply.state.in_(states), Reply.batch_id.is_not(None)).group_by(
        Reply.batch_id).order_by(db.func.min(Reply.id))).all()
    return [{"batch_id": b, "size": n, "first": db.session.get(Reply, first)} for b, n, first in rows]


def approve_batch(batch_id: str, user: User) -> dict[str, Any]:
    """A reviewer publishes every reply of a batch; the adoption decision (with its reason) is applied,
    open assignments whose items are all answered are closed, and messages to residents with a contact are
    queued (the caller sends them with ``tasks.enqueue_messages`` after its commit)."""
    if not user.has_role(Role.REVIEWER):
        raise PermissionDenied("只有审核员可以发布答复。")
    replies = get_batch(batch_id, user)
    waiting = [r for r in replies if r.state == ReplyState.PENDING]
    if not waiting:
        raise Conflict("这组答复不在待审核状态（可能已发布或被退回）。")
    for reply in waiting:
        if reply.adoption is None or not comment_ops.clean_text(reply.adoption_reason):
            raise ValidationError("发布前必须填写采纳情况（采纳/部分采纳/不采纳）及理由。", field="adoption_reason")
        comment_ops.publish_reply(reply, user)
    closed = close_answered([r.comment_id for r in waiting], user)
    messages = queue_resident_messages([r.comment for r in waiting])
    return {"published": len(waiting), "closed": closed, "messages": messages}


def return_batch(batch_id: str, note: str | None, user: User) -> int:
    """A reviewer sends a batch back (退回修改) with a note for the author."""
    if not user.has_role(Role.REVIEWER):
        raise PermissionDenied("只有审核员可以退回答复。")
    note = comment_ops.clean_text(note)
    if not note:
        raise ValidationError("退回时请写明需要修改的地方。", field="note")
    replies = [r for r in get_batch(batch_id, user) if r.state == ReplyState.PENDING]
    if not replies:
        raise Conflict("这组答复不在待审核状态。")
    for reply in replies:
        reply.state, reply.review_note = ReplyState.RETURNED, note
        reply.reviewed_by_id, reply.reviewed_at = user.id, utcnow()
    audit.record(user, "reply.return", replies[0], {"state": "pending"},
                 {"state": "returned", "note": note, "batch_id": batch_id, "size": len(replies)})
    if replies[0].author is not None:
        notify(replies[0].author, "returned", f"答复被退回修改：{note[:60]}", f"/staff/respond/review/{batch_id}",
               f"returned:{batch_id}:{len(note)}")
    db.session.flush()
    return len(replies)


def revise_batch(batch_id: str, text: str | None, adoption: str | None, reason: str | None, user: User,
                 submit: bool = True) -> int:
    """The author (or a coordinator) edits a draft or returned batch and submits it for review again."""
    replies = [r for r in get_batch(batch_id, user) if r.state in (ReplyState.DRAFT, ReplyState.RETURNED)]
    if not replies:
        raise Conflict("只有草稿或被退回的答复可以修改。")
    if not user.has_role(*COORDINATORS) and replies[0].author_id != user.id:
        raise PermissionDenied("只能修改自己写的答复。")
    body = comment_ops.clean_text(text)
    if not body:
        raise ValidationError("答复内容不能为空。", field="text")
    if len(body) > current_app.config["RESPOND_REPLY_MAX_LENGTH"]:
        raise ValidationError("答复内容太长。", field="text")
    adoption, reason = comment_ops._validate_adoption(adoption, reason)
    for reply in replies:
        reply.text, reply.adoption, reply.adoption_reason = body, adoption, reason
        reply.state = ReplyState.PENDING if submit else ReplyState.DRAFT
    audit.record(user, "reply.revise", replies[0], None, {"batch_id": batch_id, "submit": submit,
                                                          "adoption": adoption})
    if submit:
        _notify_reviewers(batch_id, replies[0].comment, len(replies))
    db.session.flush()
    return len(replies)


# ---- reply templates and suggestions -----------------------------------------------------------------------

def templates_for(user: User) -> list[ReplyTemplate]:
    query = db.select(ReplyTemplate).order_by(ReplyTemplate.title)
    if not user.has_role(*COORDINATORS):
        query = query.where(db.or_(ReplyTemplate.department_id.is_(None),
                                   ReplyTemplate.department_id == user.department_id))
    return list(db.session.execute(query).scalars())


def save_template(values: dict[str, Any], template: ReplyTemplate | None, user: User) -> ReplyTemplate:
    title = comment_ops.clean_text(values.get("title"))
    body = comment_ops.clean_text(values.get("body"))
    if not title or len(title) > 120:
        raise ValidationError("模板标题不能为空，最多 120 字。", field="title")
    if not body:
        raise ValidationError("模板内容不能为空。", field="body")
    department_id = values.get("department_id") or None
    if not user.has_role(*COORDINATORS):
        department_id = user.department_id  # department staff keep templates for their own department
    elif department_id:
        department_id = get_department(department_id).id
    if template is not None and not user.has_role(*COORDINATORS) and template.department_id != user.department_id:
        raise PermissionDenied("不能修改其他部门的模板。")
    if template is None:
        template = ReplyTemplate(title=title, body=body, created_by_id=user.id)
        db.session.add(template)
    template.title, template.body, template.department_id = title, body, department_id
    db.session.flush()
    audit.record(user, "template.save", template, None, {"title": title})
    return template


def delete_template(template_id: int, user: User) -> None:
    template = db.session.get(ReplyTemplate, template_id)
    if template is None or (not user.has_role(*COORDINATORS) and template.department_id != user.department_id):
        raise NotFound("找不到这个模板。")
    audit.record(user, "template.delete", template, {"title": template.title}, None)
    db.session.delete(template)
    db.session.flush()


def suggest_replies(text: str, limit: int | None = None) -> list[dict[str, Any]]:
    """Published replies given before to comments similar to ``text`` (TF-IDF cosine over jieba tokens)."""
    config = current_app.config
    limit = limit or config["RESPOND_SUGGESTION_LIMIT"]
    rows = db.session.execute(
        db.select(Reply.text, Comment.redacted_text, Comment.text, Reply.adoption, Reply.comment_id)
        .join(Comment, Reply.comment_id == Comment.id)
        .where(Reply.published_at.is_not(None))
        .order_by(Reply.published_at.desc()).limit(config["RESPOND_SUGGESTION_POOL"])).all()
    if not rows or not (text or "").strip():
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer

    from nlp.text import tokenize

    # one suggestion per distinct reply text (a topic reply is stored once per member)
    seen: dict[str, tuple] = {}
    for row in rows:
        seen.setdefault(row[0], row)
    unique = list(seen.values())
    docs = [(r[1] or r[2] or "") + " " + r[0] for r in unique]
    vectorizer = TfidfVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None)
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:  # empty vocabulary
        return []
    scores = (matrix @ vectorizer.transform([text]).T).toarray().ravel()
    order = scores.argsort()[::-1][:limit]
    return [{"text": unique[i][0], "score": round(float(scores[i]), 3), "adoption": unique[i][3],
             "comment_id": unique[i][4]}
            for i in order if scores[i] >= config["RESPOND_SUGGESTION_MIN_SCORE"]]


# ---- messages to residents ---------------------------------------------------------------------------------

def queue_resident_messages(comments: list[Comment]) -> list[int]:
    """Queue a message for each resident who left a phone number: their reply is out (sent by a task)."""
    base = current_app.config.get("RESPOND_PUBLIC_BASE_URL", "").rstrip("/")
    ids = []
    for comment in comments:
        if not comment.phone:
            continue
        code = comment_ops.format_receipt_code(comment.receipt_code)
        body = f"【听见】您提交的意见（回执码 {code}）已有答复，请凭回执码查看：{base}/receipt/{comment.receipt_code}"
        message = ResidentMessage(comment_id=comment.id, to=comment.phone, body=body)
        db.session.add(message)
        db.session.flush()
        ids.append(message.id)
    return ids


def deliver_messages(message_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Send queued resident messages through the configured sender; failures are kept for a retry."""
    from portal.respond.senders import load_sender

    sender = load_sender()
    query = db.select(ResidentMessage).where(ResidentMessage.status != "sent", ResidentMessage.attempts < 5)
    if message_ids is not None:
        query = query.where(ResidentMessage.id.in_(list(message_ids)))
    counts = {"sent": 0, "failed": 0}
    for message in db.session.execute(query).scalars():
        message.attempts += 1
        try:
            sender.send(message.to, message.body)
        except Exception as exc:  # noqa: BLE001 - any sender failure is recorded, never raised to the resident
            message.status, message.error = "failed", str(exc)[:500]
            counts["failed"] += 1
        else:
            message.status, message.sent_at, message.error = "sent", utcnow(), None
            counts["sent"] += 1
    db.session.flush()
    return counts


# ---- the audit trail ---------------------------------------------------------------------------------------

def audit_query(*, user_id: int | None = None, action: str | None = None, object_type: str | None = None,
                object_id: int | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None):
    """A SELECT of audit events matching the admin's filters, newest first."""
    from portal.timeutil import site_zone

    query = db.select(AuditEvent).order_by(AuditEvent.id.desc())
    if user_id:
        query = query.where(AuditEvent.user_id == user_id)
    if action:
        query = query.where(AuditEvent.action.startswith(action.strip(), autoescape=True))
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id:
        query = query.where(AuditEvent.object_id == object_id)
    zone = site_zone()
    if date_from:
        query = query.where(AuditEvent.at >= dt.datetime.combine(date_from, dt.time(), zone))
    if date_to:
        query = query.where(AuditEvent.at < dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), zone))
    return query
