"""The result every detector returns, and small helpers shared by the detectors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from nlp.text import normalize, strip_punct

# Detectors only look at this many characters (PII redaction always covers the whole text).
MAX_SCAN_CHARS = 5000

_TAG_RE = re.compile(r"<\s*(script|style)\b.*?(<\s*/\s*\1\s*>|$)|<[^>]{0,300}>", re.IGNORECASE | re.DOTALL)


@dataclass
class Decision:
    """A detector's verdict: the flag, a score in [0, 1], Chinese reasons for reviewers, the deciding features."""

    flag: bool
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    features: dict[str, Any] = field(default_factory=dict)


@dataclass
class Prepared:
    """The matching forms of one comment, computed once and shared by all detectors."""

    original: str
    plain: str  # markup removed, truncated to MAX_SCAN_CHARS
    norm: str  # :func:`nlp.text.normalize` of ``plain``
    flat: str  # :func:`nlp.text.squash` of ``plain``
    has_markup: bool = False
    truncated: bool = False


def strip_markup(text: str) -> str:
    """Drop HTML tags and whole ``<script>``/``<style>`` elements (their content is never a resident's words)."""
    return _TAG_RE.sub(" ", text)


def prepare(text: str) -> Prepared:
    """Build the shared matching forms of one comment text."""
    original = text if isinstance(text, str) else ("" if text is None else str(text))
    plain = original[:MAX_SCAN_CHARS]
    has_markup = "<" in plain and bool(_TAG_RE.search(plain))
    if has_markup:
        plain = strip_markup(plain)
    norm = normalize(plain)
    return Prepared(
        original=original,
        plain=plain,
        norm=norm,
        flat=strip_punct(norm),
        has_markup=has_markup,
        truncated=len(original) > MAX_SCAN_CHARS,
    )
