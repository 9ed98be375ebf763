"""``python -m nlp ask [--kb DIR] IN.jsonl [-o OUT.jsonl]``: answer residents' questions.

Input lines ``{"id", "question"}``; output one line per valid input, same order:
``{"id", "answered", "answer", "citations": [{"source", "article", "score"}]}``. A malformed line is
reported on stderr with its line number and skipped; the rest still run (exit status 1).
"""

from __future__ import annotations

import argparse

from nlp.jsonl import open_input, open_output, read_lines, report, write_line


def run(args: argparse.Namespace) -> int:
    """Answer every question of ``args.input`` with the KB ``args.kb`` (default: shipped ``data/kb``)."""
    from nlp.qa.answer import get_answerer
    from nlp.qa.kb import KBError

    try:
        answerer = get_answerer(args.kb)
    except KBError as exc:
        report(f"error: knowledge base: {exc}")
        return 2
    status = 0
    stream = open_input(args.input)
    out = open_output(args.output)
    try:
        for line in read_lines(stream, required=("id", "question")):
            if line.error or line.data is None:
                report(f"error: {line.error}")
                status = 1
                continue
            result = answerer.answer(line.data["question"]).to_dict(full=False)
            write_line(out, {"id": line.data["id"], **result})
    finally:
        if out is not None and args.output not in (None, "-"):
            out.close()
        if args.input != "-":
            stream.close()
    return status
