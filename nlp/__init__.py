"""Tingjian's language pipeline: normalisation, screening, embeddings, topics and question answering.

Pure Python with no Flask import, usable alone (``python -m nlp``). Heavy resources (dictionaries,
classifiers, embedding models) load lazily, once per process.
"""

from __future__ import annotations

from typing import Any


def screen(items: list[dict[str, Any]]) -> list[Any]:
    """Screen a batch of ``{"id", "text"}`` items; see :mod:`nlp.screening`."""
    from nlp.screening import screen as _screen

    return _screen(items)
