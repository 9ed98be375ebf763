"""Tables of the topics area."""

from __future__ import annotations
