"""``python -m nlp screen IN.jsonl [-o OUT.jsonl]``: screen comments from JSON lines.

Output: one JSON line per input line, in the same order, with the fields of
:meth:`nlp.screening.Screening.to_dict`. Malformed lines are reported on stderr with their line number
and the rest still run. A malformed line that still carries an ``id`` (e.g. ``text`` missing) gets an
output line with every flag false, ``value`` 0, ``redacted`` empty and an error reason, so that count
and order still match the input; a line that is not a JSON object has no id and gets no output line.
Exit status 1 when any line was malformed, else 0.
"""

from __future__ import annotations

import argparse
from typing import Any

from nlp.jsonl import open_input, open_output, read_lines, report, write_line

BATCH_SIZE = 2000


def error_record(item_id: Any, message: str) -> dict[str, Any]:
    """The output line written for a malformed input line that still has an id."""
    return {"id": item_id, "spam": False, "abusive": False, "pii": False, "low_info": False, "duplicate_of": None,
            "value": 0, "reasons": [f"输入错误: {message}"], "redacted": ""}


def run(args: argparse.Namespace) -> int:
    """Screen ``args.input`` into ``args.output``; returns the exit status."""
    from nlp.screening import get_screener

    screener = get_screener()
    malformed = 0
    # Duplicates are found within the whole input, so the batch is read in full before screening.
    slots: list[dict[str, Any] | None] = []
    items: list[dict[str, Any]] = []
    stream = open_input(args.input)
    try:
        for line in read_lines(stream):
            if line.error:
                malformed += 1
                report(f"error: {line.error}")
                if line.data is not None and "id" in line.data:
                    slots.append(error_record(line.data["id"], line.error))
                continue
            assert line.data is not None
            items.append({"id": line.data["id"], "text": line.data["text"]})
            slots.append(None)
    finally:
        if args.input != "-":
            stream.close()
    results = screener.screen(items) if items else []
    out = open_output(args.output)
    try:
        it = iter(results)
        for slot in slots:
            write_line(out, slot if slot is not None else next(it).to_dict())
    finally:
        if args.output not in (None, "-"):
            out.close()
        else:
            out.flush()
    if malformed:
        report(f"{malformed} malformed line(s); the other {len(items)} were screened")
    return 1 if malformed else 0
