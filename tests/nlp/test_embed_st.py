"""The sentence-transformers backend on a tiny model the test builds itself (no model hub).

Needs the optional extra ``st`` (``pip install -e .[st]``); skipped cleanly without it.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("sentence_transformers")
transformers = pytest.importorskip("transformers")

from nlp import embed  # noqa: E402
from nlp.embed import SentenceTransformerEmbedder, embed_cached, get_embedder  # noqa: E402

TEXTS = ["征地补偿标准太低", "迁坟要提前通知", "机耕路太窄了", "安置房在哪里建"]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A random 1-layer BERT with a character vocabulary, saved as a sentence-transformers folder."""
    import torch
    from sentence_transformers import SentenceTransformer, models

    torch.manual_seed(0)
    root = tmp_path_factory.mktemp("st")
    bert_dir, st_dir = root / "bert", root / "tiny-zh"
    bert_dir.mkdir()
    chars = sorted({ch for text in TEXTS for ch in text})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars]
    (bert_dir / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    config = transformers.BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1,
                                     num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    transformers.BertModel(config).save_pretrained(bert_dir)
    transformers.BertTokenizerFast(vocab_file=str(bert_dir / "vocab.txt")).save_pretrained(bert_dir)
    word = models.Transformer(str(bert_dir), max_seq_length=48)
    get_dim = getattr(word, "get_embedding_dimension", None) or word.get_word_embedding_dimension
    pooling = models.Pooling(get_dim(), pooling_mode="mean")
    SentenceTransformer(modules=[word, pooling], device="cpu").save(str(st_dir))
    return st_dir


def test_local_folder_loads_and_embeds(tiny_model):
    model = SentenceTransformerEmbedder(str(tiny_model), query_prefix="查询：")
    assert model._model is None  # lazy: nothing loaded by the constructor
    vectors = model.embed_passages(TEXTS)
    assert model.dim == 32 and vectors.shape == (4, 32) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(model.embed_passages(TEXTS), vectors, atol=1e-6)  # deterministic
    assert not np.allclose(model.embed_queries(TEXTS[:1])[0], vectors[0])  # the query prefix is used
    assert model.embed_passages([]).shape == (0, 32)
    assert model.embed_passages(["", "补" * 2000]).shape == (2, 32)  # blank and over-long texts
    assert model.name == "st/tiny-zh"


def test_env_variable_selects_the_folder_and_cache_keys_by_name(tiny_model, monkeypatch):
    monkeypatch.setattr(embed, "_embedders", {})
    monkeypatch.setenv(embed.ENV_MODEL, str(tiny_model))
    model = get_embedder()
    assert isinstance(model, SentenceTransformerEmbedder)
    cache = embed.MemoryEmbeddingCache()
    vectors = embed_cached(model, TEXTS, cache)
    assert vectors.shape == (4, 32)
    assert set(cache.get_many([embed.text_hash(t) for t in TEXTS], "st/tiny-zh")) == {
        embed.text_hash(t) for t in TEXTS}
