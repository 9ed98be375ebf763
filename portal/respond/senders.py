"""Pluggable senders of messages to residents (``RESPOND_RESIDENT_SENDER``).

A sender is any class with ``send(to: str, body: str) -> None`` that raises on failure. No external service is
assumed: the default writes the message to the log, where an operator (or an SMS gateway adapter) can pick it up.
"""

from __future__ import annotations

import importlib
import logging
from typing import Protocol

from flask import current_app

log = logging.getLogger("portal.respond.messages")


class Sender(Protocol):
    def send(self, to: str, body: str) -> None: ...


class LoggingSender:
    """Writes each message to the ``portal.respond.messages`` log (the default)."""

    def send(self, to: str, body: str) -> None:
        log.info("message to %s: %s", _mask(to), body)


class MemorySender:
    """Keeps messages in a list (for tests and demos)."""

    sent: list[tuple[str, str]] = []

    def send(self, to: str, body: str) -> None:
        MemorySender.sent.append((to, body))


def _mask(phone: str) -> str:
    """Never write a full phone number to the log."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


def load_sender() -> Sender:
    """An instance of the class named by ``RESPOND_RESIDENT_SENDER`` (dotted path)."""
    path = current_app.config.get("RESPOND_RESIDENT_SENDER") or "portal.respond.senders.LoggingSender"
    module_name, _, class_name = path.rpartition(".")
    return getattr(importlib.import_module(module_name), class_name)()
