"""Command line: ``python -m nlp {screen,cluster,ask} ...``.

Each sub-command reads JSON lines and writes one JSON line per input, in the same order. Exit status is
0 when every line was processed, 1 when some lines were malformed (they are reported on stderr and
the rest still run), 2 for bad arguments or an unreadable file.
"""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for all sub-commands."""
    parser = argparse.ArgumentParser(prog="python -m nlp", description="Tingjian language pipeline")
    sub = parser.add_subparsers(dest="command", required=True)

    screen = sub.add_parser("screen", help="screen comments for spam, abuse, personal data, duplicates, value")
    screen.add_argument("input", help="JSON lines with id and text ('-' for stdin)")
    screen.add_argument("-o", "--output", help="output file (default stdout)")

    cluster = sub.add_parser("cluster", help="group genuine comments into topics")
    cluster.add_argument("input", help="JSON lines with id and text ('-' for stdin)")
    cluster.add_argument("-o", "--output", help="output file (default stdout)")
    cluster.add_argument("--seed", type=int, default=0, help="random seed (default 0)")

    ask = sub.add_parser("ask", help="answer residents' questions from the knowledge base")
    ask.add_argument("input", help="JSON lines with id and question ('-' for stdin)")
    ask.add_argument("-o", "--output", help="output file (default stdout)")
    ask.add_argument("--kb", help="knowledge-base folder (default: the shipped data/kb)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the chosen sub-command; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "screen":
            from nlp.screening.cli import run
        elif args.command == "cluster":
            from nlp.cluster_cli import run
        else:
            from nlp.qa.cli import run
        return run(args)
    except FileNotFoundError as exc:
        print(f"error: file not found: {exc.filename}", file=sys.stderr)
        return 2
    except IsADirectoryError as exc:
        print(f"error: is a directory: {exc.filename}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
