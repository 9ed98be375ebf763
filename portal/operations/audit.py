"""The audit trail: every staff action is recorded with who, when, what, before and after."""

from __future__ import annotations

from typing import Any

from portal.extensions import db
from portal.models import AuditEvent, User


def record(user: User | None, action: str, obj: Any, before: dict | None = None, after: dict | None = None) -> AuditEvent:
    """Append an audit event for ``action`` on ``obj`` (a model instance) by ``user``."""
    event = AuditEvent(
        user_id=user.id if user is not None else None,
        action=action,
        object_type=type(obj).__name__.lower(),
        object_id=getattr(obj, "id", None),
        before=_jsonable(before),
        after=_jsonable(after),
    )
    db.session.add(event)
    return event


def _jsonable(values: dict | None) -> dict | None:
    if values is None:
        return None
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The current values of ``fields`` on ``obj``, for the before/after of an audit event."""
    return {name: getattr(obj, name) for name in fields}
