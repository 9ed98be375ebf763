"""Rebuild the shipped screening models: ``python -m nlp.screening.train [--datasets DIR]``.

- ``nlp/data/abuse_model.joblib``: COLD train sample (``<datasets>/cold``, Apache-2.0) plus our own abusive
  and clean seed texts (``nlp/data/seeds``) and generated resident comments.
- ``nlp/data/spam_model.joblib``: our own spam seeds and generated ads against our own resident comments
  and COLD texts (COLD used only as "ordinary social-media comments", i.e. not ads).

Only COLD and our own writing are used; the unlicensed ``spam``, ``citizen`` and ``toutiao`` sets are never
read here. Held-out seed lines (see :mod:`nlp.screening.synth`) are left for ``bench/screen.py``.
Deterministic: the same data gives the same models.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
from pathlib import Path

from nlp.screening.abuse import MODEL_PATH as ABUSE_MODEL_PATH
from nlp.screening.model import TextClassifier
from nlp.screening.spam import MODEL_PATH as SPAM_MODEL_PATH
from nlp.screening.synth import evade, ham_texts, load_seed, spam_texts, split
from nlp.text import normalize

REPO_ROOT = Path(__file__).resolve().parents[2]


def datasets_dir(override: str | None = None) -> Path:
    """``--datasets``, else ``$TINGJIAN_DATASETS``, else ``../shared/datasets`` next to the repository."""
    return Path(override or os.environ.get("TINGJIAN_DATASETS") or REPO_ROOT.parent / "shared" / "datasets")


def load_cold(root: Path, split_name: str = "train") -> tuple[list[str], list[int]]:
    """COLD texts and labels (1 = offensive) of ``cold_train_sample5000.csv`` or ``cold_test.csv``."""
    name = "cold_train_sample5000.csv" if split_name == "train" else "cold_test.csv"
    with open(root / "cold" / name, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"] for r in rows], [int(r["label"]) for r in rows]


def abuse_training_data(root: Path) -> tuple[list[str], list[int], list[float]]:
    """Texts, labels and sample weights of the abuse classifier (seed texts weigh 3×)."""
    texts, labels = load_cold(root, "train")
    weights = [1.0] * len(texts)
    rng = random.Random(7)
    own_pos = split(load_seed("abusive"), "train")
    own_neg = split(load_seed("ham"), "train") + split(load_seed("spam"), "train") + ham_texts(rng, 300)
    texts += own_pos + own_neg
    labels += [1] * len(own_pos) + [0] * len(own_neg)
    weights += [3.0] * (len(own_pos) + len(own_neg))
    return texts, labels, weights


def spam_training_data(root: Path | None) -> tuple[list[str], list[int], list[float]]:
    """Texts, labels and sample weights of the spam classifier."""
    rng = random.Random(11)
    pos = split(load_seed("spam"), "train")
    pos += spam_texts(rng, 600)
    pos += [evade(t, rng) for t in pos[:300]]
    neg = split(load_seed("ham"), "train") + split(load_seed("abusive"), "train") + ham_texts(rng, 600)
    weights = [1.0] * (len(pos) + len(neg))
    if root is not None and (root / "cold").exists():
        cold, _ = load_cold(root, "train")
        neg_cold = cold[:2000]
        neg += neg_cold
        weights += [0.5] * len(neg_cold)
    return pos + neg, [1] * len(pos) + [0] * (len(neg)), weights


def main(argv: list[str] | None = None) -> int:
    """Train both models and write them under ``nlp/data``."""
    parser = argparse.ArgumentParser(prog="python -m nlp.screening.train", description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", help="datasets folder (default $TINGJIAN_DATASETS or ../shared/datasets)")
    args = parser.parse_args(argv)
    root = datasets_dir(args.datasets)
    if not (root / "cold").exists():
        print(f"error: COLD not found under {root}", file=sys.stderr)
        return 2
    texts, labels, weights = abuse_training_data(root)
    abuse = TextClassifier(ngram_range=(1, 3), C=4.0).fit([normalize(t) for t in texts], labels, weights)
    abuse.save(ABUSE_MODEL_PATH)
    print(f"abuse model: {len(texts)} texts -> {ABUSE_MODEL_PATH} ({ABUSE_MODEL_PATH.stat().st_size // 1024} KiB)")
    texts, labels, weights = spam_training_data(root)
    spam = TextClassifier(ngram_range=(1, 3), C=4.0).fit([normalize(t) for t in texts], labels, weights)
    spam.save(SPAM_MODEL_PATH)
    print(f"spam model: {len(texts)} texts -> {SPAM_MODEL_PATH} ({SPAM_MODEL_PATH.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
