"""Tables of the respond area."""

from __future__ import annotations
