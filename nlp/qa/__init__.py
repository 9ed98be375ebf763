"""Resident question answering over laws, FAQ entries and published staff replies (no Flask).

Public API for the portal::

    from nlp.qa import Answerer, build_index

    answerer = Answerer.from_kb(kb_dir=None, extra=staff_entries)   # loads the saved index, builds if stale
    result = answerer.answer("宅机地能不能卖给城里人")                # -> Answer
    result.to_dict()                                                # JSON-ready (full=False: CLI fields only)
    build_index(kb_dir=None, extra=staff_entries)                   # `flask kb reindex`: build and save now

``extra`` entries are dicts ``{"id", "question", "answer", "alternatives"?, "sources"?, "kind": "faq"|"reply",
"title"?, "url"?, "source"?}``. Everything heavy (models, dictionaries, the index) loads lazily.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from nlp.qa.answer import Answer, Answerer
    from nlp.qa.index import QAIndex

__all__ = ["Answer", "Answerer", "answer", "build_index", "get_answerer"]


def build_index(
    kb_dir: str | Path | None = None,
    extra: list[dict[str, Any]] | None = None,
    index_root: str | Path | None = None,
) -> QAIndex:
    """Load the KB (+ ``extra`` entries) and make sure its index is built and saved; returns the index."""
    from nlp.qa.index import load_or_build
    from nlp.qa.kb import KnowledgeBase

    return load_or_build(KnowledgeBase.load(kb_dir, extra), index_root)


def __getattr__(name: str) -> Any:
    # lazy re-exports: importing nlp.qa stays cheap
    if name in ("Answer", "Answerer", "answer", "get_answerer"):
        from nlp.qa import answer as _answer

        return getattr(_answer, name)
    raise AttributeError(name)
