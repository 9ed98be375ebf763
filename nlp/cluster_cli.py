"""``python -m nlp cluster IN.jsonl [-o OUT.jsonl] [--seed N]``: group comments into topics.

Input as for ``screen``: JSON lines with ``id`` and ``text`` (other fields ignored). Screening runs
first, so spam, abusive and content-free comments are excluded; duplicates are clustered once per
family. Output: one JSON line per input line, in the same order, ``{"id", "topic", "topic_label"}``
with ``topic = -1`` (and an empty label) for excluded or unassigned comments. A malformed line is
reported on stderr with its line number and still gets an output line (``topic`` -1, its ``id`` or
null, and an ``error``), so that count and order match the input; the rest still run. Exit status 1
when any line was malformed, else 0.

Set ``TINGJIAN_EMBED_CACHE=/path/file.sqlite`` to keep vectors between runs (never recomputed for
unchanged text); ``TINGJIAN_EMBED_MODEL`` chooses the embedder (see :mod:`nlp.embed`).
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from nlp.jsonl import open_input, open_output, read_lines, report, write_line

ENV_CACHE = "TINGJIAN_EMBED_CACHE"


def run(args: argparse.Namespace) -> int:
    """Cluster ``args.input`` into ``args.output``; returns the exit status."""
    from nlp.cluster import TopicModel, cluster_comments

    malformed = 0
    slots: list[dict[str, Any] | None] = []  # None = a valid item, filled from the clustering
    items: list[dict[str, Any]] = []
    stream = open_input(args.input)
    try:
        for line in read_lines(stream):
            if line.error:
                malformed += 1
                report(f"error: {line.error}")
                item_id = line.data.get("id") if line.data is not None else None
                slots.append({"id": item_id, "topic": -1, "topic_label": "", "error": line.error})
                continue
            assert line.data is not None
            items.append({"id": line.data["id"], "text": line.data["text"]})
            slots.append(None)
    finally:
        if args.input != "-":
            stream.close()

    cache = None
    if os.environ.get(ENV_CACHE):
        from nlp.embed import SQLiteEmbeddingCache

        cache = SQLiteEmbeddingCache(os.environ[ENV_CACHE])
    result = cluster_comments(items, cache=cache, model=TopicModel(random_state=getattr(args, "seed", 0)))

    out = open_output(args.output)
    try:
        position = 0
        for slot in slots:
            if slot is None:
                topic = int(result.topic_of[position])
                slot = {"id": items[position]["id"], "topic": topic, "topic_label": result.label(topic)}
                position += 1
            write_line(out, slot)
    finally:
        if args.output not in (None, "-"):
            out.close()
        else:
            out.flush()
    genuine = len(items) - len(result.excluded)
    report(f"{len(items)} comments: {len(result.excluded)} excluded by screening, {result.model.n_topics_} topics, "
           f"{result.unassigned_share():.1%} of {genuine} genuine comments unassigned")
    if malformed:
        report(f"{malformed} malformed line(s); the other {len(items)} were clustered")
    return 1 if malformed else 0
