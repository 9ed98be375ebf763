"""Domain exceptions raised by operations and turned into friendly pages or JSON by the error handlers."""

from __future__ import annotations


class DomainError(Exception):
    """Base class; ``message`` is shown to the user (Chinese), ``status`` is the HTTP status."""

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    """Input that cannot be accepted, with a message saying why."""

    status = 400


class NotFound(DomainError):
    """An id or code that matches nothing."""

    status = 404


class PermissionDenied(DomainError):
    """The signed-in user may not do this."""

    status = 403


class Conflict(DomainError):
    """The action does not fit the object's current state (e.g. a closed stage)."""

    status = 409
