"""Tables of the qa area."""

from __future__ import annotations
