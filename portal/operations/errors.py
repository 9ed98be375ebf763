"""Domain exceptions raised by operations and turned into friendly pages or JSON by the error handlers."""

from __future__ import annotations


class DomainError(Exception):
    """Base class; ``message`` is shown to the user, ``status`` is the HTTP status.

    Operations raise with the Chinese text, which is also the msgid in the translation catalogue (the Makefile's
    extract step collects the literal arguments of these exceptions), so ``message`` follows the visitor's language.
    """

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.raw_message = message
        self.field = field

    @property
    def message(self) -> str:
        """The message in the current locale; the Chinese text itself outside a request or without a translation."""
        try:
            from flask_babel import gettext

            return gettext(self.raw_message)
        except Exception:  # noqa: BLE001 - no app context (CLI without app, plain Python): keep the original
            return self.raw_message


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
