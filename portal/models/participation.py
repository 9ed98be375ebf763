"""Tables of the participation area."""

from __future__ import annotations
