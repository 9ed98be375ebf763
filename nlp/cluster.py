"""Topics: deterministic clustering of genuine comments, labelled with keywords and representatives.

Stages (scikit-learn style: ``__init__`` stores parameters, ``fit`` returns ``self``, fitted state in
trailing-underscore attributes, ``predict``/``transform`` pure):

* :class:`TopicModel` groups comment vectors (see :mod:`nlp.embed`) into topics: spherical k-means on
  centred, PCA-reduced vectors, the number of topics chosen by silhouette, tiny clusters dissolved,
  each topic described by keywords and its most central comment. ``assign`` places a new comment
  without refitting.
* :class:`KeywordExtractor` is the class-based TF-IDF (BERTopic's c-TF-IDF) over ``nlp.text.tokenize``.
* :func:`match_topics` maps the topics of a re-cluster onto earlier (possibly staff-edited) topics.
* :func:`cluster_comments` is the whole pipeline for a batch of ``{"id", "text"}`` comments:
  screening, duplicate families, cached embeddings, topics. The CLI and the portal call it.

Why this algorithm: see ``docs/topics.md`` (measured on ``bench/topics.py``).
"""

from __future__ import annotations

import contextlib
import math
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "CommentTopics",
    "KeywordExtractor",
    "Topic",
    "TopicModel",
    "cluster_comments",
    "concept_features",
    "default_concepts",
    "match_topics",
    "style_directions",
    "topic_text",
]

LABEL_SEPARATOR = " · "
# Comments are embedded as e5 *queries* ("query: " prefix), as E5 advises for symmetric tasks such as
# clustering: NMI 0.577 vs 0.541 on 4,000 Toutiao titles, 0.455 vs 0.415 on the citizen letters, 0.666 vs 0.659
# and 0.491 vs 0.477 on the blind-written comment sets, 0.838 vs 0.845 on the dev set (bench/RESULTS.md).
EMBED_KIND = "query"
DATA_DIR = Path(__file__).resolve().parent / "data"
CONCEPTS_PATH = DATA_DIR / "topic_concepts.tsv"
STYLE_PAIRS_PATH = DATA_DIR / "style_pairs.tsv"


def _normalise_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms


def _join_features(z: np.ndarray, features: np.ndarray, weight: float) -> np.ndarray:
    """``z`` and ``features`` side by side, ``features`` taking ``weight`` (0–1) of the squared length."""
    weight = min(1.0, float(weight))
    return np.hstack([z * math.sqrt(1.0 - weight), features * math.sqrt(weight)])


def _as_matrix(vectors: Any) -> np.ndarray:
    x = np.asarray(vectors, dtype=np.float64)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2:
        raise ValueError(f"vectors must be 2-D (n, dim), got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("vectors contain NaN or infinity")
    return _normalise_rows(x)


def _thread_limit(n_threads: int | None) -> Any:
    """A context limiting BLAS/OpenMP threads (a no-op for None)."""
    if n_threads is None:
        return contextlib.nullcontext()
    import sklearn.cluster  # noqa: F401  (threadpoolctl limits only the thread pools already loaded)
    import sklearn.decomposition  # noqa: F401
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=max(1, int(n_threads)))


# --------------------------------------------------------------------------------------------------
# The text that is clustered

# Residents name their village and group ("白果村二组意见表：…", "我是杨家湾村三组的"); staff log calls and
# meetings with a header ("张大爷电话反映："). Embeddings group such comments by place, not by subject: on the
# dev set with such prefixes added to 60% of the comments NMI fell from 0.78 to 0.42. They are removed
# from the text that is embedded and labelled (the comment itself is unchanged).
_HEADER = re.compile(r"^[^，,。！？!?：:\n]{0,24}?(?:意见表|反映|记录|座谈会|院坝会|群众会|通报会|代表会)[^，,。：:\n]{0,12}[：:]\s*")
_PLACE = re.compile(r"[\u4e00-\u9fff]{1,3}?(?:村|镇|乡|县)(?![民委里上集庄干规道内口长城政子头])"
                    r"|[一二三四五六七八九十\d]{1,3}(?:组|社|队)(?![织长员成合])")


def topic_text(text: str) -> str:
    """``text`` in simplified characters without village/group names and call or meeting headers, for
    embedding and keywords.

    Falls back to the text itself when nothing would be left.
    """
    from nlp.text import strip_invisible, to_simplified

    # Simplified characters first: the embedding model puts 補償款 and 补偿款 apart, and keywords must match.
    text = to_simplified(strip_invisible("" if text is None else str(text)))
    stripped = _PLACE.sub("", _HEADER.sub("", text.strip()))
    return stripped.strip(" ，,。：:、") or text


# --------------------------------------------------------------------------------------------------
# What a comment is about (subjects) and how it is phrased (asking vs telling)


def _tsv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t") for line in fh if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def default_concepts() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The shipped subjects and their words (``nlp/data/topic_concepts.tsv``): ``((subject, words), ...)``."""
    return tuple((row[0], tuple(row[1].split())) for row in _tsv_rows(CONCEPTS_PATH) if len(row) >= 2)


def concept_features(texts: Sequence[str], concepts: Sequence[tuple[str, Sequence[str]]] | None = None
                     ) -> np.ndarray:
    """``(n, n_subjects)`` 0/1: which subjects each text mentions, after normalisation (traditional
    characters, full-width forms) and with homophone spellings of domain terms corrected (正地 → 征地).

    ``concepts`` defaults to :func:`default_concepts`.
    """
    from nlp.qa.lang import homophone_terms
    from nlp.text import normalize

    concepts = default_concepts() if concepts is None else concepts
    out = np.zeros((len(texts), len(concepts)), dtype=np.float64)
    for i, text in enumerate(texts):
        plain = normalize(text or "")
        plain = plain + " " + " ".join(homophone_terms(plain))
        for j, (_, words) in enumerate(concepts):
            if any(word in plain for word in words):
                out[i, j] = 1.0
    return out


_style_lock = threading.Lock()
_style_cache: dict[str, np.ndarray] = {}


def style_directions(embedder: Any = None, cache: Any = None) -> np.ndarray:
    """``(1, dim)``: the unit "asking vs telling" direction of ``embedder`` (default ``get_embedder()``).

    The mean difference between the vectors (``EMBED_KIND``) of questions and statements with the same content
    (``nlp/data/style_pairs.tsv``, our own pairs). Small embedding models put "补偿款什么时候发？" nearer to
    other questions than to "补偿款还没发"; :class:`TopicModel` removes this direction before clustering.
    Computed once per embedder name and process (``cache``: an :class:`nlp.embed.EmbeddingCache`).
    """
    from nlp.embed import embed_cached, get_embedder

    embedder = embedder if embedder is not None else get_embedder()
    key = str(getattr(embedder, "name", type(embedder).__name__))
    with _style_lock:
        if key not in _style_cache:
            pairs = [row for row in _tsv_rows(STYLE_PAIRS_PATH) if len(row) >= 2]
            told = embed_cached(embedder, [row[0] for row in pairs], cache, kind=EMBED_KIND)
            asked = embed_cached(embedder, [row[1] for row in pairs], cache, kind=EMBED_KIND)
            direction = np.asarray(asked, dtype=np.float64).mean(axis=0) - np.asarray(told, np.float64).mean(axis=0)
            _style_cache[key] = _normalise_rows(direction[None, :])
        return _style_cache[key].copy()


# --------------------------------------------------------------------------------------------------
# Keywords


def _default_tokenize(text: str) -> list[str]:
    from nlp.text import tokenize

    return tokenize(text)


# Words residents use in every kind of comment ("俺家…能不能…啥时候"): fine for clustering, useless in
# a label. Extends nlp.text's stopwords for keywords only (chosen on tests/data/topics_dev.jsonl).
_LABEL_STOPWORDS_TEXT = """
以后 原来 现在 今年 去年 明年 时候 啥时候 什么时候 到时候 我家 俺家 咱家 我们 俺们 咱们 他们 大家 村里 老百姓 群众
村民 能不能 可不可以 希望 要求 建议 请问 问题 情况 事情 东西 这块 那块 这个 那个 不够 不要 不能 没有 莫得 冇得
知道 晓得 根本 为啥 咋整 咋个 咋办 怎么办 一下 一点 还是 就是 已经 应该 需要 考虑 解决 说明 清楚 太少
太低 太贵 太远 太小 太窄 太短 太慢 房子 田里 地里 家里 地方 方便 不方便 同意 不同意 支持 反对 意见 全是 回来
"""
LABEL_STOPWORDS = frozenset(_LABEL_STOPWORDS_TEXT.split())
_COUNTED = re.compile(r"^[一二两三四五六七八九十几半每][^一二两三四五六七八九十]?$")  # 一亩, 几亩, 两年


def _is_keyword(token: str) -> bool:
    """Keep words staff can read: two characters or more, no number or counted unit, no filler word."""
    token = token.strip()
    if len(token) < 2 or token in LABEL_STOPWORDS or _COUNTED.match(token):
        return False
    return not any(ch.isdigit() for ch in token) and not all(ch.isascii() for ch in token)


@lru_cache(maxsize=1)
def _topical_words() -> tuple[frozenset[str], dict[str, str]]:
    """Domain terms and subject words (always topical) and jieba's part-of-speech table."""
    import jieba.posseg

    from nlp.text import load_domain_terms

    words = set(load_domain_terms())
    for _, subject_words in default_concepts():
        words.update(w for w in subject_words if len(w) >= 2)
    return frozenset(words), jieba.posseg.dt.word_tag_tab


_TOPICAL_TAGS = ("n", "vn", "an", "i", "s")  # nouns (incl. names and places, which jieba over-uses), idioms, places


def is_topical_word(token: str) -> bool:
    """True for words that say what a topic is about: domain terms, subject words, nouns (jieba's tags).

    Verbs, adverbs, numbers, time words and unknown colloquial words (睡不着, 灰太大, 先开个) are not; they
    can still be keywords, after the topical ones (see :class:`KeywordExtractor`).
    """
    domain, tags = _topical_words()
    return token in domain or tags.get(token, "x").startswith(_TOPICAL_TAGS)


class KeywordExtractor:
    """Class-based TF-IDF keywords per topic (BERTopic's c-TF-IDF over jieba tokens).

    A word's weight in topic *c* is ``tf(c) * log(1 + A / f)``: ``tf`` the share of the topic's
    (weighted) comments that use the word, ``A`` the mean number of word uses per topic and ``f``
    the word's uses over all topics. A comment counts a word once, so one long rant cannot set a label.
    Words that say what a topic is about (domain terms, subject words, nouns) are preferred.

    Parameters
    ----------
    n_keywords:
        Keywords kept per topic (default 5).
    min_count:
        A keyword must occur in at least this many (weighted) comments of its topic (default 2,
        lowered to 1 for topics smaller than that); rarer words only fill the list up to three.
    tokenizer:
        ``text -> list[str]``; default ``nlp.text.tokenize`` (jieba, domain dictionary, stopwords).
    other_word_factor:
        Score factor for words that are not topical (:func:`is_topical_word`: verbs, adverbs, time words,
        colloquial phrases such as 睡不着 or 灰太大); default 0.35, 1 turns the preference off. Chosen on the
        demo and dev labels ("永久基本农田 · 夏天 · 娃儿" → without 夏天).
    """

    def __init__(self, n_keywords: int = 5, min_count: float = 2.0,
                 tokenizer: Callable[[str], list[str]] | None = None, other_word_factor: float = 0.35) -> None:
        self.n_keywords = n_keywords
        self.min_count = min_count
        self.tokenizer = tokenizer
        self.other_word_factor = other_word_factor

    def fit(self, texts: Sequence[str], labels: Sequence[int], weights: Sequence[float] | None = None
            ) -> KeywordExtractor:
        """Learn ``keywords_`` ``{topic: [word, ...]}`` and ``scores_`` from texts and their topic labels (-1 ignored)."""
        tokenize = self.tokenizer or _default_tokenize
        w = np.ones(len(texts)) if weights is None else np.asarray(weights, dtype=float)
        counts: dict[int, Counter[str]] = defaultdict(Counter)
        topic_weight: dict[int, float] = defaultdict(float)
        for text, label, weight in zip(texts, labels, w, strict=True):
            if label < 0:
                continue
            topic_weight[int(label)] += weight
            for token in dict.fromkeys(t for t in tokenize(text or "") if _is_keyword(t)):
                counts[int(label)][token] += weight
        totals: Counter[str] = Counter()
        for counter in counts.values():
            totals.update(counter)
        n_classes = max(1, len(topic_weight))
        mean_uses = sum(totals.values()) / n_classes
        self.keywords_: dict[int, list[str]] = {}
        self.scores_: dict[int, list[float]] = {}
        for label in sorted(topic_weight):
            size = topic_weight[label]
            floor = min(self.min_count, max(1.0, size / 2))
            scored = []
            for token, count in counts[label].items():
                score = (count / size) * math.log(1.0 + mean_uses / totals[token])
                if not is_topical_word(token):
                    score *= self.other_word_factor
                # Words below the floor come after all others: used only to reach three keywords.
                scored.append((count < floor, -score, -len(token), token))
            scored.sort()
            chosen: list[str] = []
            chosen_scores: list[float] = []
            for rare, neg_score, _, token in scored:
                if rare and len(chosen) >= min(3, self.n_keywords):
                    break
                # "补偿" adds nothing next to "征地补偿"; keep the better-scored of the two forms.
                if any(token in kept or kept in token for kept in chosen):
                    continue
                chosen.append(token)
                chosen_scores.append(round(-neg_score, 4))
                if len(chosen) >= self.n_keywords:
                    break
            self.keywords_[label] = chosen
            self.scores_[label] = chosen_scores
        return self


# --------------------------------------------------------------------------------------------------
# Topics


@dataclass
class Topic:
    """One fitted topic.

    ``size`` is the number of residents' comments it stands for (duplicate families count with their
    size); ``members`` are indices into the texts/vectors given to :meth:`TopicModel.fit`, most central
    first; ``representatives`` the few most central of them (``representative`` = the first).
    """

    id: int
    size: float
    keywords: list[str]
    label: str
    representative: int
    representatives: list[int]
    members: list[int]
    cohesion: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form."""
        return {"id": self.id, "size": self.size, "keywords": list(self.keywords), "label": self.label,
                "representative": self.representative, "representatives": list(self.representatives),
                "members": list(self.members), "cohesion": self.cohesion}


class TopicModel:
    """Deterministic topic clustering of L2-normalised comment vectors.

    Pipeline: centre the vectors (e5 vectors share a large common direction), remove the "asking vs
    telling" style direction (``style_directions``), reduce them with PCA, re-normalise, add which
    subjects each comment mentions (``concept_weight``), run k-means for each candidate number of topics
    and keep the one with the best silhouette (cosine, on a fixed sample), then dissolve clusters smaller
    than ``min_topic_size`` into their nearest topic. Everything is seeded and the input is put into a canonical order first, so
    the same comments give the same topics and ids whatever their order.

    Parameters
    ----------
    n_topics:
        Fixed number of topics; ``None`` (default) chooses it by silhouette in ``[min_topics, max_topics]``.
    min_topics, max_topics:
        Range searched when ``n_topics`` is None (max default 30; capped by ``n / min_topic_size``).
        ``min_topics="auto"`` (default) is ``ceil(sqrt(n / 3))``, at least 2 and at most 10 (e.g. 6 for
        100 comments, 10 from 270): on loosely written comments the silhouette is nearly flat and
        often peaks at 2 (one blind set: 2 topics, NMI 0.25), which staff cannot use. Fewer topics
        than that are still chosen when their silhouette shows clearly separated groups
        (≥ ``clear_silhouette``). An int is a hard lower end instead.
    clear_silhouette:
        See ``min_topics`` (default 0.25; loosely written comments score 0.05–0.2).
    sqrt_cap:
        Also cap the range at ``ceil(sqrt(sqrt_cap * n))`` (default 2.0: 17 topics for 145 comments, 30 from
        450). On a few hundred loosely written comments the silhouette keeps rising with k and would cut
        them into 25+ topics of five; ``None`` disables the cap.
    min_topic_size:
        Clusters weighing less than this many comments are dissolved (default 3).
    pca_components:
        Dimensions kept after centring (default 64; 0 disables PCA but still centres).
    max_outlier_fraction:
        At most this share of comments (by weight) is left unassigned (-1) at fit time (default 0.05).
    outlier_similarity:
        Comments whose cosine to every topic centre is below this are outliers, within the cap above
        (default 0.80; e5 puts unrelated Chinese sentences at about 0.70–0.80).
    assign_quantile:
        ``assign`` accepts a new comment for topic *t* when its cosine to the centre reaches this
        quantile of the members' cosines (default 0.02), and at least ``outlier_similarity``.
    silhouette_sample:
        Comments used to score each candidate (default 3000), a fixed seeded sample.
    n_init:
        k-means restarts per candidate (default 4).
    n_keywords, label_keywords:
        Keywords per topic (default 5) and how many of them form the label (default 3).
    n_representatives:
        Most central comments kept per topic (default 3).
    random_state:
        Seed (default 0).
    tokenizer:
        For keywords (and TF-IDF features); default ``nlp.text.tokenize``.
    tfidf_weight:
        Share (0–1) of the clustering space given to jieba TF-IDF features (reduced by SVD to
        ``tfidf_components`` dimensions) next to the embeddings; needs ``texts``. Default 0 (embeddings only).
        Centres, thresholds and :meth:`assign` stay in the embedding space, so assignment needs no text model.
    style_directions:
        Directions ``(m, dim)`` projected out of the centred vectors before PCA, e.g.
        :func:`style_directions` (the "asking vs telling" direction; :func:`cluster_comments` and the portal
        pass it). Default None (nothing removed). Centres and :meth:`assign` stay in the input space.
    concept_weight:
        Share (0–1) of the clustering space given to the subjects each comment mentions
        (:func:`concept_features`; needs ``texts``). Default 0.2. 0 turns it off.
    concepts:
        ``[(subject, words), ...]`` for ``concept_weight``; default the shipped list
        (``nlp/data/topic_concepts.tsv``).
    equalize_top, equalize_min_comments:
        With at least ``equalize_min_comments`` distinct comments (default 800; duplicate families count
        once), the ``equalize_top`` (default 8) strongest PCA directions are scaled down to the variance of
        the next one, so that a few dominant directions (a frequent subject, a writing style) do not dictate
        the clusters; the weaker ones keep their scale (full whitening would amplify noise). Measured:
        20,000 news titles 0.573 → 0.607, our four comment sets pooled (about 970 distinct comments, 44
        topics) 0.555 → 0.572; on a few hundred comments the directions are estimated too noisily
        (per-project NMI −0.05 to −0.15, the 494 citizen letters −0.04), hence the threshold, set between
        those two sizes. ``equalize_top=0`` turns it off.
    whiten:
        Scale the PCA components to unit variance before clustering, so that a few dominant directions
        (style, length) do not drown the topical ones (default False; see ``bench/RESULTS.md``).
    n_threads:
        BLAS/OpenMP threads while fitting (default 1). On a busy 2-core box, k-means with one OpenMP thread
        per core fitted 2,000 comments in 87 s against 6 s single-threaded; ``None`` keeps the libraries' default.
    """

    def __init__(self, n_topics: int | None = None, min_topics: int | str = "auto", max_topics: int = 30,
                 min_topic_size: int = 3, pca_components: int = 64, max_outlier_fraction: float = 0.05,
                 outlier_similarity: float = 0.80, assign_quantile: float = 0.02,
                 silhouette_sample: int = 3000, n_init: int = 4, n_keywords: int = 5, label_keywords: int = 3,
                 n_representatives: int = 3, random_state: int = 0,
                 tokenizer: Callable[[str], list[str]] | None = None, tfidf_weight: float = 0.0,
                 tfidf_components: int = 128, n_threads: int | None = 1, whiten: bool = False,
                 sqrt_cap: float | None = 2.0, style_directions: Any = None, concept_weight: float = 0.2,
                 concepts: Sequence[tuple[str, Sequence[str]]] | None = None,
                 clear_silhouette: float = 0.25, equalize_top: int = 8,
                 equalize_min_comments: int = 800) -> None:
        self.n_topics = n_topics
        self.min_topics = min_topics
        self.max_topics = max_topics
        self.min_topic_size = min_topic_size
        self.pca_components = pca_components
        self.max_outlier_fraction = max_outlier_fraction
        self.outlier_similarity = outlier_similarity
        self.assign_quantile = assign_quantile
        self.silhouette_sample = silhouette_sample
        self.n_init = n_init
        self.n_keywords = n_keywords
        self.label_keywords = label_keywords
        self.n_representatives = n_representatives
        self.random_state = random_state
        self.tokenizer = tokenizer
        self.tfidf_weight = tfidf_weight
        self.tfidf_components = tfidf_components
        self.n_threads = n_threads
        self.whiten = whiten
        self.sqrt_cap = sqrt_cap
        self.style_directions = style_directions
        self.concept_weight = concept_weight
        self.concepts = concepts
        self.clear_silhouette = clear_silhouette
        self.equalize_top = equalize_top
        self.equalize_min_comments = equalize_min_comments

    # -- fitting ---------------------------------------------------------------------------------

    def fit(self, vectors: Any, texts: Sequence[str] | None = None, weights: Sequence[float] | None = None
            ) -> TopicModel:
        """Cluster ``vectors`` (n, dim); ``texts`` give keywords, ``weights`` duplicate-family sizes.

        Sets ``labels_`` (n,) with -1 for outliers, ``topics_`` (list of :class:`Topic`, id = index,
        largest first), ``centroids_`` (k, dim, normalised, in the input vector space),
        ``thresholds_`` (k,) for :meth:`assign`, ``similarities_`` (n,) cosine to the own centre,
        ``n_topics_``, and ``silhouettes_`` {k: score} of the candidates tried.
        """
        x = _as_matrix(vectors) if len(vectors) else np.zeros((0, 1))
        n = x.shape[0]
        if texts is not None and len(texts) != n:
            raise ValueError(f"{len(texts)} texts for {n} vectors")
        w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
        if w.shape != (n,) or np.any(w <= 0) or not np.all(np.isfinite(w)):
            raise ValueError("weights must be positive numbers, one per vector")
        self.n_features_in_ = x.shape[1]
        self._style_basis(x.shape[1])  # a wrong shape fails here, whatever the data
        self.silhouettes_: dict[int, float] = {}
        if n == 0:
            return self._set_empty(x)

        # Canonical order (by text, then by vector) so that input order cannot change the result.
        order = self._canonical_order(x, texts)
        xs, ws = x[order], w[order]
        texts_sorted = [texts[i] or "" for i in order] if texts is not None else None
        with _thread_limit(self.n_threads):
            labels_sorted = self._cluster(xs, ws, texts_sorted)
        labels = np.empty(n, dtype=int)
        labels[order] = labels_sorted
        rank = np.empty(n, dtype=int)
        rank[order] = np.arange(n)
        self._finish(x, labels, w, texts, rank)
        return self

    def _set_empty(self, x: np.ndarray) -> TopicModel:
        self.labels_ = np.zeros(0, dtype=int)
        self.centroids_ = np.zeros((0, x.shape[1]))
        self.thresholds_ = np.zeros(0)
        self.similarities_ = np.zeros(0)
        self.topics_: list[Topic] = []
        self.n_topics_ = 0
        return self

    @staticmethod
    def _canonical_order(x: np.ndarray, texts: Sequence[str] | None) -> np.ndarray:
        n = x.shape[0]
        rounded = np.round(x, 5)
        keys = [((texts[i] or "") if texts is not None else "", rounded[i].tobytes(), i) for i in range(n)]
        # The index breaks ties only between identical (text, vector) pairs, which cluster identically.
        return np.array([k[2] for k in sorted(keys, key=lambda k: (k[0], k[1]))], dtype=int)

    def _reduce(self, x: np.ndarray, w: np.ndarray) -> np.ndarray:
        mean = np.average(x, axis=0, weights=w)
        centred = x - mean
        basis = self._style_basis(x.shape[1])
        if basis is not None:
            centred = centred - (centred @ basis.T) @ basis
        n_comp = min(self.pca_components, x.shape[0] - 1, x.shape[1])
        if self.pca_components and n_comp >= 2:
            from sklearn.decomposition import PCA

            pca = PCA(n_components=n_comp, svd_solver="full", whiten=self.whiten, random_state=self.random_state)
            centred = pca.fit_transform(centred)
            top = int(self.equalize_top or 0)
            if not self.whiten and 0 < top < n_comp and x.shape[0] >= self.equalize_min_comments:
                variances = pca.explained_variance_
                centred = centred / np.sqrt(np.maximum(variances, variances[top]))
        return _normalise_rows(centred)

    def _style_basis(self, dim: int) -> np.ndarray | None:
        """Orthonormal rows spanning ``style_directions`` (None when there are none)."""
        if self.style_directions is None:
            return None
        directions = np.asarray(self.style_directions, dtype=np.float64)
        directions = directions.reshape(1, -1) if directions.ndim == 1 else directions
        if directions.ndim != 2 or directions.shape[1] != dim or not np.all(np.isfinite(directions)):
            raise ValueError(f"style_directions must be finite with {dim} columns like the vectors, "
                             f"got shape {directions.shape}")
        return np.linalg.qr(_normalise_rows(directions).T)[0].T

    def _candidates(self, n_eff: int) -> list[int]:
        if self.n_topics is not None:
            return [max(1, min(int(self.n_topics), n_eff))]
        upper = min(self.max_topics, max(1, n_eff // max(1, self.min_topic_size)), n_eff - 1)
        if self.sqrt_cap:
            upper = min(upper, max(2, math.ceil(math.sqrt(self.sqrt_cap * n_eff))))
        start = 2 if self.min_topics == "auto" else int(self.min_topics)
        return list(range(max(1, min(start, upper)), max(1, upper) + 1))

    def _lower_bound(self, n_eff: int) -> int:
        """The fewest topics preferred without clearly separated groups (see ``min_topics``)."""
        if self.min_topics == "auto":
            return max(2, min(10, math.ceil(math.sqrt(n_eff / 3))))
        return 1

    def _text_features(self, texts: list[str]) -> np.ndarray | None:
        """TF-IDF over jieba tokens reduced by SVD, rows normalised; None when too little text."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        try:
            tfidf = TfidfVectorizer(analyzer=self.tokenizer or _default_tokenize, min_df=2,
                                    sublinear_tf=True).fit_transform(texts)
        except ValueError:  # empty vocabulary
            return None
        n_comp = min(self.tfidf_components, tfidf.shape[1] - 1, tfidf.shape[0] - 1)
        if n_comp < 2:
            return None
        reduced = TruncatedSVD(n_components=n_comp, random_state=self.random_state).fit_transform(tfidf)
        return _normalise_rows(reduced)

    def _cluster(self, x: np.ndarray, w: np.ndarray, texts: list[str] | None = None) -> np.ndarray:
        """Labels for canonically ordered vectors (all >= 0 except outliers)."""
        from sklearn.cluster import KMeans
        from sklearn.metrics import silhouette_score

        n = x.shape[0]
        distinct = np.unique(np.round(x, 6), axis=0).shape[0]
        candidates = self._candidates(distinct)
        if distinct < 3 or candidates == [1]:
            return np.zeros(n, dtype=int)
        z = self._reduce(x, w)
        if self.tfidf_weight > 0 and texts is not None:
            features = self._text_features(texts)
            if features is not None:
                z = _join_features(z, features, self.tfidf_weight)
        if self.concept_weight > 0 and texts is not None:
            subjects = _normalise_rows(concept_features(texts, self.concepts))  # rows without a subject stay 0
            z = _join_features(z, subjects, self.concept_weight)
        rng = np.random.RandomState(self.random_state)
        sample = np.sort(rng.permutation(n)[: self.silhouette_sample]) if n > self.silhouette_sample else None
        lower = self._lower_bound(distinct) if self.n_topics is None else 1
        best: tuple[float, int] | None = None  # best with k >= lower
        best_labels = np.zeros(n, dtype=int)
        few: tuple[float, int] | None = None  # best with fewer topics, used only if clearly separated
        few_labels = best_labels
        for k in candidates:
            km = KMeans(n_clusters=k, n_init=self.n_init, random_state=self.random_state)
            labels = km.fit_predict(z, sample_weight=w)
            if len(np.unique(labels)) < 2:
                continue
            zs, ls = (z, labels) if sample is None else (z[sample], labels[sample])
            if len(np.unique(ls)) < 2:
                continue
            score = float(silhouette_score(zs, ls, metric="cosine"))
            self.silhouettes_[k] = round(score, 4)
            if k < lower:
                if few is None or score > few[0] + 1e-9:
                    few, few_labels = (score, k), labels
            elif best is None or score > best[0] + 1e-9:
                best, best_labels = (score, k), labels
        if few is not None and (best is None or (few[0] >= self.clear_silhouette and few[0] > best[0])):
            return few_labels
        return best_labels

    def _finish(self, x: np.ndarray, labels: np.ndarray, w: np.ndarray, texts: Sequence[str] | None,
                rank: np.ndarray) -> None:
        """Dissolve tiny clusters, mark outliers, order topics, compute centres, thresholds and labels."""
        labels = self._dissolve_small(x, labels, w)
        labels = self._mark_outliers(x, labels, w)
        # Topic ids: largest first, ties by the member first in canonical order (so neither the seed nor
        # the input order can renumber topics).
        ids = [c for c in np.unique(labels) if c >= 0]
        ids.sort(key=lambda c: (-float(w[labels == c].sum()), int(rank[labels == c].min())))
        remap = {old: new for new, old in enumerate(ids)}
        labels = np.array([remap.get(int(c), -1) for c in labels], dtype=int)
        k = len(ids)
        centroids = self._centroids(x, labels, w, k)
        sims = np.zeros(x.shape[0])
        assigned = labels >= 0
        sims[assigned] = np.einsum("ij,ij->i", x[assigned], centroids[labels[assigned]])
        thresholds = np.zeros(k)
        for c in range(k):
            member_sims = sims[labels == c]
            thresholds[c] = max(self.outlier_similarity, float(np.quantile(member_sims, self.assign_quantile)))

        self.labels_ = labels
        self.centroids_ = centroids
        self.thresholds_ = thresholds
        self.similarities_ = sims
        self.n_topics_ = k

        keywords: dict[int, list[str]] = {}
        if texts is not None:
            extractor = KeywordExtractor(n_keywords=self.n_keywords, tokenizer=self.tokenizer)
            keywords = extractor.fit(texts, labels, w).keywords_
        self.topics_ = []
        labels_seen: set[str] = set()
        for c in range(k):
            members = np.flatnonzero(labels == c)
            members = members[np.lexsort((members, -sims[members]))]  # most central first, ties by index
            words = keywords.get(c, [])
            label = self._label(words, labels_seen, texts[members[0]] if texts is not None else "")
            labels_seen.add(label)
            self.topics_.append(Topic(
                id=c, size=float(w[labels == c].sum()), keywords=words, label=label,
                representative=int(members[0]), representatives=[int(i) for i in members[: self.n_representatives]],
                members=[int(i) for i in members], cohesion=round(float(sims[members].mean()), 4)))

    def _label(self, words: list[str], taken: set[str], fallback_text: str) -> str:
        """Top keywords joined; one more keyword while the label collides with an earlier topic's."""
        n = self.label_keywords
        label = LABEL_SEPARATOR.join(words[:n])
        while label in taken and n < len(words):
            n += 1
            label = LABEL_SEPARATOR.join(words[:n])
        if not label:  # no usable word (e.g. emoji-only texts): the start of the most central comment
            label = (fallback_text or "").strip()[:16] or "未命名话题"
        return label

    @staticmethod
    def _centroids(x: np.ndarray, labels: np.ndarray, w: np.ndarray, k: int) -> np.ndarray:
        centroids = np.zeros((k, x.shape[1]))
        for c in range(k):
            mask = labels == c
            centroids[c] = np.average(x[mask], axis=0, weights=w[mask])
        return _normalise_rows(centroids)

    def _dissolve_small(self, x: np.ndarray, labels: np.ndarray, w: np.ndarray) -> np.ndarray:
        labels = labels.copy()
        sizes = {int(c): float(w[labels == c].sum()) for c in np.unique(labels)}
        keep = [c for c, s in sizes.items() if s >= self.min_topic_size]
        if not keep:  # everything is small: keep the biggest cluster rather than nothing
            keep = [max(sizes, key=lambda c: (sizes[c], -c))]
        small = np.isin(labels, [c for c in sizes if c not in keep])
        if small.any():
            keep_arr = np.array(sorted(keep))
            cents = self._centroids(x, np.where(np.isin(labels, keep_arr),
                                                np.searchsorted(keep_arr, labels), -1), w, len(keep_arr))
            nearest = np.argmax(x[small] @ cents.T, axis=1)
            labels[small] = keep_arr[nearest]
        return labels

    def _mark_outliers(self, x: np.ndarray, labels: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Comments far from every centre become -1, at most ``max_outlier_fraction`` of the weight."""
        ids = np.unique(labels)
        if len(ids) == 0 or self.max_outlier_fraction <= 0:
            return labels
        cents = self._centroids(x, np.searchsorted(ids, labels), w, len(ids))
        best = (x @ cents.T).max(axis=1)
        candidates = np.flatnonzero(best < self.outlier_similarity)
        if len(candidates) == 0:
            return labels
        budget = self.max_outlier_fraction * float(w.sum())
        candidates = candidates[np.lexsort((candidates, best[candidates]))]  # least similar first
        labels = labels.copy()
        used = 0.0
        for i in candidates:
            if used + w[i] > budget:
                break
            # Never empty a topic this way: its last member stays.
            if np.count_nonzero(labels == labels[i]) <= 1:
                continue
            labels[i] = -1
            used += w[i]
        return labels

    # -- using a fitted model ----------------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "centroids_"):
            raise RuntimeError("TopicModel is not fitted; call fit() first")

    def predict(self, vectors: Any) -> np.ndarray:
        """Topic id per vector by nearest centre, -1 where the cosine is below that topic's threshold."""
        self._check_fitted()
        x = _as_matrix(vectors)
        if self.n_topics_ == 0 or x.shape[0] == 0:
            return np.full(x.shape[0], -1, dtype=int)
        if x.shape[1] != self.centroids_.shape[1]:
            raise ValueError(f"vectors have dimension {x.shape[1]}, the model {self.centroids_.shape[1]}")
        sims = x @ self.centroids_.T
        best = np.argmax(sims, axis=1)
        ok = sims[np.arange(len(best)), best] >= self.thresholds_[best]
        return np.where(ok, best, -1)

    def assign(self, vector: Any) -> int:
        """The topic id of one new comment vector (embedded like the fitted ones: ``EMBED_KIND``), or -1.

        A dot product with the k centres: microseconds, no refit.
        """
        return int(self.predict(np.asarray(vector))[0])

    def fit_predict(self, vectors: Any, texts: Sequence[str] | None = None,
                    weights: Sequence[float] | None = None) -> np.ndarray:
        """``fit(...)`` then ``labels_``."""
        return self.fit(vectors, texts, weights).labels_


# --------------------------------------------------------------------------------------------------
# Matching topics across re-clusters


def _is_centroid_map(values: Collection[Any]) -> bool:
    return all(isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.ndim == 1 for v in values)


def match_topics(old: Mapping[Hashable, Any] | np.ndarray, new: Mapping[int, Any] | np.ndarray, *,
                 min_similarity: float | None = None, merge_share: float = 0.5) -> dict[Any, Any]:
    """Map each new topic to the old topic whose identity (name, staff edits) it should keep.

    ``old`` and ``new`` are either member sets ``{topic: [comment ids]}`` (preferred: the old side is
    the staff's current topics, after renames, merges, splits and moves), or centres
    ``{topic: vector}`` / 2-D arrays (row index = topic id). Pairs are chosen one-to-one by the
    Hungarian algorithm on Jaccard overlap (or centre cosine) and kept when the similarity reaches
    ``min_similarity`` (default 0.2 for members, 0.9 for centres). With member sets, a new topic left
    over whose comments lie mostly (``merge_share``) in one old topic also maps to it, so a topic that
    staff merged stays merged when the re-cluster splits it again.

    Returns ``{new_topic: old_topic}``; new topics without a match are absent (they are new topics).
    """
    from scipy.optimize import linear_sum_assignment

    old_map = dict(enumerate(old)) if isinstance(old, np.ndarray) else dict(old)
    new_map = dict(enumerate(new)) if isinstance(new, np.ndarray) else dict(new)
    if not old_map or not new_map:
        return {}
    old_keys, new_keys = list(old_map), list(new_map)
    by_centroid = _is_centroid_map(old_map.values()) and _is_centroid_map(new_map.values())
    if by_centroid:
        a = _normalise_rows(np.vstack([np.asarray(old_map[k], dtype=float) for k in old_keys]))
        b = _normalise_rows(np.vstack([np.asarray(new_map[k], dtype=float) for k in new_keys]))
        sim = b @ a.T
        threshold = 0.9 if min_similarity is None else min_similarity
    else:
        old_sets = [set(old_map[k]) for k in old_keys]
        new_sets = [set(new_map[k]) for k in new_keys]
        sim = np.zeros((len(new_keys), len(old_keys)))
        for i, ns in enumerate(new_sets):
            for j, os_ in enumerate(old_sets):
                inter = len(ns & os_)
                if inter:
                    sim[i, j] = inter / len(ns | os_)
        threshold = 0.2 if min_similarity is None else min_similarity
    rows, cols = linear_sum_assignment(-sim)
    result: dict[Any, Any] = {}
    for i, j in zip(rows, cols, strict=True):
        if sim[i, j] >= threshold:
            result[new_keys[i]] = old_keys[j]
    if not by_centroid:
        for i, key in enumerate(new_keys):
            if key in result or not new_sets[i]:
                continue
            shares = [len(new_sets[i] & s) / len(new_sets[i]) for s in old_sets]
            j = int(np.argmax(shares))
            if shares[j] >= merge_share and shares[j] > 0:
                result[key] = old_keys[j]
    return result


# --------------------------------------------------------------------------------------------------
# The pipeline for a batch of comments


@dataclass
class CommentTopics:
    """Topics of a batch of comments.

    ``topic_of`` has one entry per input item, in input order: the topic id, or -1 when the comment
    was excluded by screening (``excluded`` holds the reason) or is an outlier. ``members`` lists the
    input indices per topic (duplicates included), ``model`` is the fitted :class:`TopicModel` over
    the family representatives ``texts`` (``rows[i]`` = input index of ``model`` row ``i``).
    """

    topic_of: list[int]
    topics: list[Topic]
    members: dict[int, list[int]]
    model: TopicModel
    texts: list[str]
    rows: list[int]
    excluded: dict[int, str] = field(default_factory=dict)

    def label(self, topic: int) -> str:
        """The readable label of a topic id ("" for -1)."""
        return self.topics[topic].label if 0 <= topic < len(self.topics) else ""

    def unassigned_share(self) -> float:
        """Share of genuine (not excluded) comments left without a topic."""
        genuine = [t for i, t in enumerate(self.topic_of) if i not in self.excluded]
        return (sum(1 for t in genuine if t < 0) / len(genuine)) if genuine else 0.0


def _exclusion(screening: Any) -> str | None:
    if getattr(screening, "spam", False):
        return "spam"
    if getattr(screening, "abusive", False):
        return "abusive"
    if getattr(screening, "low_info", False):
        return "low_info"
    return None


def cluster_comments(items: Sequence[Mapping[str, Any]], screenings: Sequence[Any] | None = None, *,
                     embedder: Any = None, cache: Any = None, model: TopicModel | None = None,
                     vectors: Any = None, style: bool = True) -> CommentTopics:
    """Screen, group duplicates, embed (cached) and cluster ``items`` (``{"id", "text"}``).

    ``screenings`` (one per item, from ``nlp.screening.screen``) are computed when not given. Spam,
    abusive and content-free comments are excluded; each duplicate family is clustered once, weighted
    by its number of genuine members, and every member gets the family's topic. ``embedder`` defaults
    to ``nlp.embed.get_embedder()``, ``cache`` to none (pass an :class:`nlp.embed.EmbeddingCache`),
    ``model`` to ``TopicModel()``. ``vectors`` (one per item) skips embedding (they must come from
    ``embedder``). With ``style`` (default) a model without ``style_directions`` gets
    :func:`style_directions` of the embedder before fitting (not when ``vectors`` come without their
    ``embedder``: the model that made them is unknown).
    """
    texts_all = ["" if it.get("text") is None else str(it.get("text")) for it in items]
    ids = [it.get("id", i) for i, it in enumerate(items)]
    if screenings is None:
        from nlp.screening import screen

        screenings = screen([{"id": i, "text": t} for i, t in zip(ids, texts_all, strict=True)]) if items else []
    if len(screenings) != len(items):
        raise ValueError(f"{len(screenings)} screenings for {len(items)} items")

    excluded: dict[int, str] = {}
    first_index: dict[Any, int] = {}
    for i, item_id in enumerate(ids):
        first_index.setdefault(_hashable(item_id), i)
    family_rows: dict[int, list[int]] = {}  # family head (input index) -> genuine input indices
    for i, scr in enumerate(screenings):
        reason = _exclusion(scr)
        if reason is None and not texts_all[i].strip():
            reason = "empty"
        if reason is not None:
            excluded[i] = reason
            continue
        dup = getattr(scr, "duplicate_of", None)
        head = first_index.get(_hashable(dup), i) if dup is not None else i
        family_rows.setdefault(head, []).append(i)

    # The family is clustered through its first genuine member (the head itself may be excluded).
    rows = sorted(members[0] for members in family_rows.values())
    family_of_row = {members[0]: members for members in family_rows.values()}
    texts = [texts_all[r] for r in rows]
    cluster_texts = [topic_text(t) for t in texts]
    weights = [float(len(family_of_row[r])) for r in rows]
    if vectors is not None:
        x = np.asarray(vectors, dtype=np.float32)[rows] if rows else np.zeros((0, 1), dtype=np.float32)
    else:
        from nlp.embed import embed_cached, get_embedder

        x = embed_cached(embedder or get_embedder(), cluster_texts, cache, kind=EMBED_KIND) if rows else np.zeros(
            (0, 1), dtype=np.float32)
    topic_model = model if model is not None else TopicModel()
    if style and topic_model.style_directions is None and rows and (vectors is None or embedder is not None):
        topic_model.style_directions = style_directions(embedder, cache)
    topic_model.fit(x, cluster_texts, weights)

    topic_of = [-1] * len(items)
    members: dict[int, list[int]] = {t.id: [] for t in topic_model.topics_}
    for row_pos, r in enumerate(rows):
        label = int(topic_model.labels_[row_pos])
        for i in family_of_row[r]:
            topic_of[i] = label
            if label >= 0:
                members[label].append(i)
    for label in members:
        members[label].sort()
    return CommentTopics(topic_of=topic_of, topics=list(topic_model.topics_), members=members, model=topic_model,
                         texts=texts, rows=rows, excluded=excluded)


def _hashable(value: Any) -> Hashable:
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value
