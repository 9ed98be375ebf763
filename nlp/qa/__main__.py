"""``python -m nlp.qa reindex [--kb DIR] [--seed]``: build and save the QA index now.

``--seed`` also rewrites the embedding seed cache shipped with the KB (``<kb>/index/``), so that a fresh
checkout builds its index in seconds instead of minutes; run it after changing the shipped laws or FAQ.
"""

from __future__ import annotations

import argparse
import sys
import time


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, build the index and report where it was saved."""
    parser = argparse.ArgumentParser(prog="python -m nlp.qa")
    sub = parser.add_subparsers(dest="command", required=True)
    reindex = sub.add_parser("reindex", help="build and save the index of a KB folder")
    reindex.add_argument("--kb", help="knowledge-base folder (default: the shipped data/kb)")
    reindex.add_argument("--seed", action="store_true", help="also write <kb>/index/ embedding seed cache")
    args = parser.parse_args(argv)

    from nlp.qa.index import (
        default_index_root,
        embedding_cache_name,
        index_key,
        load_or_build,
        write_seed_cache,
    )
    from nlp.qa.kb import DEFAULT_KB_DIR, KnowledgeBase

    started = time.perf_counter()
    kb = KnowledgeBase.load(args.kb)
    index = load_or_build(kb)
    name = index._get_embedder().name
    print(f"index: {default_index_root() / index_key(kb, name)} ({len(kb)} documents, "
          f"{time.perf_counter() - started:.1f} s)")
    if args.seed:
        folder = kb.folder or DEFAULT_KB_DIR
        print(f"seed: {write_seed_cache(kb, index, folder / 'index' / embedding_cache_name(name))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
