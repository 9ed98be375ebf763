"""Reading and writing JSON-lines files robustly for the ``python -m nlp`` commands.

A malformed line never stops a batch: it is reported on stderr with its line number and the
rest of the file still runs. Invalid UTF-8 bytes are replaced rather than fatal.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any


@dataclass
class Line:
    """One input line: its 1-based number, the parsed object (or None) and an error message."""

    number: int
    data: dict[str, Any] | None
    error: str | None = None


def read_lines(stream: IO[bytes], required: tuple[str, ...] = ("id", "text")) -> Iterator[Line]:
    """Yield every non-blank line of a JSON-lines byte stream, parsed and checked for ``required`` keys."""
    for number, raw in enumerate(stream, start=1):
        text = raw.decode("utf-8", errors="replace").strip()
        if not text:
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            yield Line(number, None, f"line {number}: not valid JSON ({exc.msg})")
            continue
        if not isinstance(data, dict):
            yield Line(number, None, f"line {number}: expected a JSON object, got {type(data).__name__}")
            continue
        missing = [key for key in required if key not in data]
        if missing:
            yield Line(number, data, f"line {number}: missing field(s) {', '.join(missing)}")
            continue
        for key in required:
            if key != "id" and not isinstance(data[key], str):
                data[key] = "" if data[key] is None else str(data[key])
        yield Line(number, data)


def open_input(path: str) -> IO[bytes]:
    """Open ``path`` for binary reading; ``-`` means standard input."""
    return sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115


def open_output(path: str | None) -> IO[str]:
    """Open ``path`` for UTF-8 writing; None or ``-`` means standard output."""
    if path in (None, "-"):
        return sys.stdout
    return open(path, "w", encoding="utf-8")  # noqa: SIM115


def write_line(out: IO[str], obj: dict[str, Any]) -> None:
    """Write one JSON object as a line, keeping Chinese characters readable."""
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")


def report(message: str) -> None:
    """Print a diagnostic for the user on stderr."""
    print(message, file=sys.stderr)
