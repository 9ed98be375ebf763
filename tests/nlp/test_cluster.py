"""nlp.cluster: TopicModel, keywords, matching across re-clusters and the comment pipeline."""

from __future__ import annotations

import inspect
import json
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import normalized_mutual_info_score

from nlp.cluster import KeywordExtractor, TopicModel, cluster_comments, match_topics
from nlp.embed import MemoryEmbeddingCache

DEV_SET = Path(__file__).resolve().parents[1] / "data" / "topics_dev.jsonl"


def blobs(sizes: list[int], dim: int = 48, spread: float = 0.35, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors around ``len(sizes)`` random directions (plus a shared offset, as e5 vectors have)."""
    rng = np.random.RandomState(seed)
    centres = rng.standard_normal((len(sizes), dim))
    common = rng.standard_normal(dim) * 2.0
    rows, labels = [], []
    for c, size in enumerate(sizes):
        rows.append(common + centres[c] + spread * rng.standard_normal((size, dim)))
        labels += [c] * size
    x = np.vstack(rows)
    return x / np.linalg.norm(x, axis=1, keepdims=True), np.array(labels)


def space_tokenizer(text: str) -> list[str]:
    return text.split()


# -- TopicModel --------------------------------------------------------------------------------------


def test_recovers_groups_and_chooses_their_number():
    x, truth = blobs([30, 25, 20, 15, 12, 10])
    model = TopicModel(min_topic_size=3)
    assert model.fit(x) is model
    assert model.n_topics_ == 6
    assert normalized_mutual_info_score(truth, model.labels_) > 0.95
    assert (model.labels_ < 0).mean() <= 0.10
    assert [t.size for t in model.topics_] == sorted((t.size for t in model.topics_), reverse=True)
    assert set(model.silhouettes_) >= {2, 6, 8}  # the number of topics was searched, not fixed


def test_init_only_stores_parameters():
    params = {"n_topics": None, "max_topics": 12, "min_topic_size": 4, "random_state": 7}
    model = TopicModel(**params)
    for name, value in params.items():
        assert getattr(model, name) == value
    assert set(inspect.signature(TopicModel).parameters) <= set(vars(model))
    assert not [name for name in vars(model) if name.endswith("_")]  # nothing fitted yet


def test_same_input_same_topics_whatever_the_order():
    x, _ = blobs([20, 18, 15, 9])
    texts = [f"意见 {i}" for i in range(len(x))]
    first = TopicModel().fit(x, texts).labels_
    assert np.array_equal(first, TopicModel().fit(x, texts).labels_)
    perm = np.random.RandomState(3).permutation(len(x))
    shuffled = TopicModel().fit(x[perm], [texts[i] for i in perm]).labels_
    assert np.array_equal(shuffled, first[perm])  # same partition and the same topic ids


def test_weights_count_duplicate_families():
    x, truth = blobs([12, 12], seed=1)
    weights = np.where(truth == 1, 5.0, 1.0)
    model = TopicModel().fit(x, weights=weights)
    sizes = sorted(t.size for t in model.topics_)
    assert sizes == [12.0, 60.0]
    assert model.topics_[0].size == 60.0  # the heavier topic comes first


def test_tiny_clusters_dissolve_and_outliers_are_capped():
    x, _ = blobs([40, 35, 2], seed=2)
    model = TopicModel(min_topic_size=5, max_outlier_fraction=0.05, outlier_similarity=0.99).fit(x)
    assert all(t.size >= 5 for t in model.topics_)
    assert (model.labels_ < 0).sum() <= int(0.05 * len(x))


def test_representative_is_the_member_nearest_the_centre():
    x, _ = blobs([15, 15], seed=4)
    model = TopicModel().fit(x)
    for topic in model.topics_:
        sims = x[topic.members] @ model.centroids_[topic.id]
        assert topic.representative == topic.members[int(np.argmax(sims))]
        assert topic.representatives[0] == topic.representative and len(topic.representatives) == 3


def test_assign_places_new_comments_without_refitting_in_under_100ms():
    x, truth = blobs([200] * 25, dim=384, spread=0.1, seed=5)
    model = TopicModel(n_topics=25).fit(x)
    centroids = model.centroids_.copy()
    near = x[truth == 3][0] * 2.0  # a new comment with the same vector as a member (scale does not matter)
    expected = int(model.labels_[np.flatnonzero(truth == 3)[0]])
    start = time.perf_counter()
    for _ in range(100):
        topic = model.assign(near)
    per_call = (time.perf_counter() - start) / 100
    assert topic == expected and per_call < 0.1
    far = -model.centroids_.sum(axis=0)
    assert model.assign(far) == -1
    assert np.array_equal(centroids, model.centroids_)  # nothing was refitted


def test_bad_input_is_a_clear_error():
    model = TopicModel()
    with pytest.raises(RuntimeError, match="not fitted"):
        model.predict(np.ones((1, 4)))
    with pytest.raises(ValueError, match="NaN"):
        model.fit(np.array([[np.nan, 1.0], [1.0, 0.0]]))
    with pytest.raises(ValueError, match="weights"):
        model.fit(np.eye(3), weights=[1, 0, 1])
    with pytest.raises(ValueError, match="texts"):
        model.fit(np.eye(3), texts=["a"])
    x, _ = blobs([10, 10])
    model.fit(x)
    with pytest.raises(ValueError, match="dimension"):
        model.predict(np.ones((1, 5)))


def test_degenerate_inputs():
    empty = TopicModel().fit(np.zeros((0, 8)))
    assert empty.n_topics_ == 0 and empty.topics_ == [] and empty.predict(np.ones((2, 8))).tolist() == [-1, -1]
    one = TopicModel().fit(np.ones((1, 8)), ["只有一条意见"])
    assert one.labels_.tolist() == [0] and one.topics_[0].label
    same = TopicModel().fit(np.ones((6, 8)), ["同一句话"] * 6)
    assert same.n_topics_ == 1 and same.labels_.tolist() == [0] * 6
    fixed = TopicModel(n_topics=3).fit(blobs([10, 10, 10])[0])
    assert fixed.n_topics_ == 3 and fixed.silhouettes_.keys() == {3}


# -- keywords and labels -----------------------------------------------------------------------------


def test_class_based_tfidf_prefers_words_specific_to_a_topic():
    texts = ["征地 补偿 太低 希望", "征地 补偿 款 希望", "征地 补偿 标准", "迁坟 公墓 希望", "迁坟 费用 希望",
             "迁坟 公墓 通知"]
    extractor = KeywordExtractor(n_keywords=3, tokenizer=space_tokenizer).fit(texts, [0, 0, 0, 1, 1, 1])
    assert extractor.keywords_[0][:2] == ["征地", "补偿"]
    assert extractor.keywords_[1][:2] == ["迁坟", "公墓"]
    assert all("希望" not in words for words in extractor.keywords_.values())  # filler, in every topic
    assert extractor.scores_[0] == sorted(extractor.scores_[0], reverse=True)


def test_labels_are_readable_keywords_from_jieba():
    texts = ["征地补偿标准太低了，一亩才三万", "征地补偿款什么时候发", "俺家的征地补偿咋算的", "补偿标准要公开",
             "祖坟迁移要提前通知", "迁坟补助太低", "祖坟不能随便迁", "迁坟费用谁出"]
    model = TopicModel(n_topics=2).fit(np.vstack([np.eye(2)[[0] * 4 + [1] * 4]]) + 0.01, texts)
    labels = {t.label for t in model.topics_}
    assert all(3 <= len(t.keywords) <= 5 for t in model.topics_), [t.keywords for t in model.topics_]
    assert any("补偿" in label for label in labels) and any("迁坟" in label or "祖坟" in label for label in labels)
    assert all(not any(ch.isdigit() for ch in label) and "topic" not in label for label in labels)
    assert all(word not in label for label in labels for word in ("俺家", "什么时候", "一亩"))


# -- matching topics across re-clusters --------------------------------------------------------------


def test_match_topics_keeps_renamed_topics_and_merges():
    old = {"征地补偿(已改名)": [1, 2, 3, 4, 5], "迁坟": [6, 7, 8], "staff-merged": [9, 10, 11, 12]}
    new = {0: [1, 2, 3, 4, 5, 13], 1: [6, 7, 8], 2: [9, 10], 3: [11, 12], 4: [20, 21]}
    result = match_topics(old, new)
    assert result[0] == "征地补偿(已改名)" and result[1] == "迁坟"
    assert result[2] == result[3] == "staff-merged"  # a merged topic stays merged when re-split
    assert 4 not in result  # genuinely new
    strict = match_topics(old, new, merge_share=1.01)
    assert sorted(k for k, v in strict.items() if v == "staff-merged") in ([2], [3])


def test_match_topics_by_centres():
    old = np.eye(3)
    new = np.array([[0.0, 1.0, 0.05], [1.0, 0.02, 0.0], [0.5, 0.5, 0.7]])
    assert match_topics(old, new) == {0: 1, 1: 0}
    assert match_topics({}, new) == {} and match_topics(old, np.zeros((0, 3))) == {}


# -- the comment pipeline ----------------------------------------------------------------------------


def test_cluster_comments_excludes_screened_items_and_weights_duplicates():
    x, truth = blobs([8, 8], seed=6)
    rows = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    texts = [r["text"] for r in rows if r["topic"] == "征地补偿标准"][:8] + [
        r["text"] for r in rows if r["topic"] == "祖坟迁移"][:8]
    items = [{"id": f"c{i}", "text": t} for i, t in enumerate(texts)]
    items.append({"id": "spam", "text": "加微信领取免费红包，日赚三百 http://xx.cn 加V：abc123"})
    items.append({"id": "dup", "text": texts[0]})
    items.append({"id": "blank", "text": "   "})
    vectors = np.vstack([x, x[0] * 0 + x[5], x[0], x[1]])
    result = cluster_comments(items, vectors=vectors)
    assert len(result.topic_of) == len(items)
    assert result.topic_of[16] == -1 and result.excluded[16] == "spam"
    assert result.topic_of[18] == -1 and 18 in result.excluded
    assert result.topic_of[17] == result.topic_of[0] >= 0  # the copy joins its family's topic
    assert 17 not in result.rows  # ... but is clustered once, through the family head
    head = result.rows.index(0)
    assert result.model.topics_[result.model.labels_[head]].size == 9.0
    assert normalized_mutual_info_score(truth, result.topic_of[:16]) > 0.9
    assert result.unassigned_share() == 0.0
    assert sorted(i for m in result.members.values() for i in m) == [i for i in range(18) if i != 16]


def test_cluster_comments_empty_and_mismatched_input():
    result = cluster_comments([], vectors=np.zeros((0, 4)))
    assert result.topic_of == [] and result.topics == []
    with pytest.raises(ValueError, match="screenings"):
        cluster_comments([{"id": 1, "text": "补偿"}], screenings=[])


@pytest.fixture(scope="module")
def dev_set() -> list[dict]:
    return [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_dev_set_shape(dev_set):
    topics = {row["topic"] for row in dev_set if row["topic"]}
    assert len(dev_set) >= 200 and 8 <= len(topics) <= 12
    assert len({row["id"] for row in dev_set}) == len(dev_set)


@pytest.mark.slow
def test_dev_set_topics_with_real_embeddings(dev_set):
    """The held-out targets on our own residents'-voice dev set: NMI ≥ 0.55, ≤ 10% unassigned, stable."""
    cache = MemoryEmbeddingCache()
    items = [{"id": row["id"], "text": row["text"]} for row in dev_set]
    first = cluster_comments(items, cache=cache)
    second = cluster_comments(items, cache=cache)
    assert first.topic_of == second.topic_of
    assert [t.label for t in first.topics] == [t.label for t in second.topics]
    gold = [(row["topic"], first.topic_of[i]) for i, row in enumerate(dev_set) if row["topic"]]
    predicted = [t if t >= 0 else -1000 - i for i, (_, t) in enumerate(gold)]
    assert normalized_mutual_info_score([g for g, _ in gold], predicted) >= 0.65
    assert first.unassigned_share() <= 0.10
    spam = [i for i, row in enumerate(dev_set) if "红包" in row["text"] or "刷单" in row["text"]]
    assert spam and all(first.topic_of[i] == -1 for i in spam)
    assert 6 <= len(first.topics) <= 15
    assert all(t.label and "·" in t.label for t in first.topics)


def test_tfidf_features_join_the_clustering_space_deterministically():
    rows = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    chosen = [r for r in rows if r["topic"] in ("征地补偿标准", "祖坟迁移", "安置房")]
    texts = [r["text"] for r in chosen]
    noise = np.random.RandomState(0).standard_normal((len(texts), 16))  # vectors that say nothing
    plain = TopicModel(n_topics=3).fit(noise, texts)
    hybrid = TopicModel(n_topics=3, tfidf_weight=0.9).fit(noise, texts)
    gold = [r["topic"] for r in chosen]
    assert normalized_mutual_info_score(gold, hybrid.labels_) > normalized_mutual_info_score(gold, plain.labels_) + 0.1
    assert np.array_equal(hybrid.labels_, TopicModel(n_topics=3, tfidf_weight=0.9).fit(noise, texts).labels_)
    assert hybrid.centroids_.shape == (3, 16)  # assignment stays in the embedding space
    tiny = TopicModel(tfidf_weight=0.5).fit(noise[:4], ["甲", "乙", "丙", "丁"])  # no shared word: embeddings only
    assert tiny.labels_.shape == (4,)


@pytest.mark.parametrize(("text", "expected"), [
    ("白果村二组意见表：建议U型渠规格加大", "建议U型渠规格加大"),
    ("东岗村四组刘大爷电话反映：他家祖坟在东岗堰塘边上", "他家祖坟在东岗堰塘边上"),
    ("柳河村村庄规划把我家划了", "村庄规划把我家划了"),
    ("我们村民不同意", "我们村民不同意"),
    ("请县里参照周边项目", "请县里参照周边项目"),
    ("组织村民开会", "组织村民开会"),
    ("白果村", "白果村"),  # nothing would be left: the text itself
    ("", ""),
])
def test_topic_text_drops_places_and_headers(text, expected):
    from nlp.cluster import topic_text

    assert topic_text(text) == expected


def test_place_names_do_not_make_topics():
    """Comments prefixed with villages are clustered on what they say (the embedder sees topic_text)."""
    seen: list[str] = []

    class Recorder:
        name, dim = "fake/recorder", 4

        def embed_queries(self, texts):
            seen.extend(texts)
            return np.vstack([[1.0, 0, 0.1 * (len(seen) % 3), 0.1 * (i % 4)] if "补偿" in t else
                              [0, 1.0, 0.1 * (i % 3), 0.1 * (len(seen) % 4)] for i, t in enumerate(texts)])

    rows = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    bodies = [r["text"] for r in rows if "补偿" in r["text"] and "坟" not in r["text"]][:6] + [
        r["text"] for r in rows if "坟" in r["text"] and "补偿" not in r["text"]][:6]
    items = [{"id": i, "text": f"{('白果村', '河口村')[i % 2]}三组意见表：{body}"} for i, body in enumerate(bodies)]
    result = cluster_comments(items, embedder=Recorder(), style=False)  # style=False: only comments embedded
    assert all("村" not in text and "意见表" not in text for text in seen)
    assert len(set(result.topic_of[:6])) == 1 and len(set(result.topic_of[6:])) == 1
    assert result.topic_of[0] != result.topic_of[6]


# -- style directions, subjects, the number of topics ---------------------------------------------------------


def styled(n_per: int = 20, dim: int = 12, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two subjects, each asked and told: the style axis (index 1) is stronger than the subject axis (index 0)."""
    rng = np.random.RandomState(seed)
    rows, subjects = [], []
    for subject in (0, 1):
        for style in (0, 1):
            base = np.zeros(dim)
            base[0], base[1] = (1.0 if subject else -1.0), (2.5 if style else -2.5)
            rows.append(base + 0.3 * rng.standard_normal((n_per, dim)))
            subjects += [subject] * n_per
    style_axis = np.zeros(dim)
    style_axis[1] = 1.0
    return np.vstack(rows), np.array(subjects), style_axis


def test_removing_the_style_direction_groups_by_subject():
    x, subjects, style_axis = styled()
    plain = TopicModel(n_topics=2, concept_weight=0, max_outlier_fraction=0).fit(x)
    unstyled = TopicModel(n_topics=2, concept_weight=0, max_outlier_fraction=0, style_directions=style_axis * 3).fit(x)
    assert normalized_mutual_info_score(subjects, plain.labels_) < 0.2  # split by asking vs telling
    assert normalized_mutual_info_score(subjects, unstyled.labels_) > 0.9
    assert unstyled.centroids_.shape == (2, x.shape[1])  # centres stay in the input space for assign()


def test_style_directions_of_the_wrong_shape_are_a_clear_error():
    x, _, _ = styled()
    for bad in (np.ones(5), np.ones((2, 3, 4)), np.full(x.shape[1], np.nan)):
        with pytest.raises(ValueError, match="style_directions"):
            TopicModel(style_directions=bad).fit(x)


def test_style_directions_come_from_the_shipped_pairs_once_per_embedder():
    from nlp.cluster import STYLE_PAIRS_PATH, style_directions

    calls: list[int] = []

    class Asker:
        """Questions (？, 吗, 什么 ...) point along axis 0, everything along axis 1."""

        name, dim = "fake/asker", 3

        def embed_queries(self, texts):
            calls.append(len(texts))
            asks = [any(m in t for m in "？?吗啥么哪几多谁") for t in texts]
            return np.array([[1.0 if a else 0.0, 1.0, 0.0] for a in asks])

    pairs = [line.split("\t") for line in STYLE_PAIRS_PATH.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert len(pairs) >= 40 and all(len(p) == 2 and p[0] != p[1] for p in pairs)
    direction = style_directions(Asker())
    assert direction.shape == (1, 3)
    assert direction[0, 0] > 0.99 and abs(np.linalg.norm(direction) - 1) < 1e-9
    style_directions(Asker())
    assert len(calls) == 2  # statements and questions, embedded once for this embedder


@pytest.mark.parametrize(("text", "subject"), [
    ("给的钱不够重新盖房", "补偿"),
    ("補償款什麼時候發", "补偿"),  # traditional characters
    ("宅机地审批太慢", "宅基地"),  # a homophone spelling of a domain term
    ("水渠漏水浇不上地", "水利"),
    ("祖坟迁到哪里", "坟墓"),
])
def test_concept_features_find_subjects_in_residents_words(text, subject):
    from nlp.cluster import concept_features, default_concepts

    names = [name for name, _ in default_concepts()]
    assert len(names) >= 15 and len(set(names)) == len(names)
    row = concept_features([text])[0]
    assert row[names.index(subject)] == 1.0
    assert concept_features(["今天天气不错"]).sum() == 0  # no subject: clustered by the embedding alone


def test_subjects_group_comments_whose_vectors_say_nothing():
    texts = (["补偿太低了", "给的钱不够", "赔偿标准要提高", "征地款什么时候发", "一亩给多少钱", "补助太少"] * 3
             + ["水渠漏水", "浇不上地", "排水沟堵了", "灌溉用水不够", "下雨积水排不出去", "机井没水"] * 3)
    gold = [0] * 18 + [1] * 18
    noise = np.random.RandomState(1).standard_normal((len(texts), 16))
    plain = TopicModel(n_topics=2, concept_weight=0, max_outlier_fraction=0).fit(noise, texts)
    with_subjects = TopicModel(n_topics=2, concept_weight=0.6, max_outlier_fraction=0).fit(noise, texts)
    assert normalized_mutual_info_score(gold, plain.labels_) < 0.3
    assert normalized_mutual_info_score(gold, with_subjects.labels_) > 0.9


def test_loose_comments_get_enough_topics_but_clear_groups_keep_their_number():
    loose, _ = blobs([10] * 12, spread=3.0, seed=3)  # 120 comments, no clear groups: silhouette ~flat
    model = TopicModel().fit(loose)
    assert model.n_topics_ >= 5  # ceil(sqrt(120 / 3)) = 7, minus dissolved tiny clusters
    assert max(model.silhouettes_, key=model.silhouettes_.get) < 7 or model.n_topics_ >= 7
    clear, truth = blobs([20, 20, 20], spread=0.2, seed=4)  # 60 comments in 3 clear groups: 3, not 5
    model = TopicModel().fit(clear)
    assert model.n_topics_ == 3 and normalized_mutual_info_score(truth, model.labels_) > 0.95
    assert TopicModel(min_topics=4).fit(clear).n_topics_ >= 4  # an int is a hard lower end


@pytest.mark.slow
@pytest.mark.parametrize(("name", "floor"), [("topics_dev2.jsonl", 0.6), ("topics_dev3.jsonl", 0.45),
                                           ("topics_dev4.jsonl", 0.55)])
def test_blind_written_sets_with_real_embeddings(name, floor):
    """Three sets written blind by teammates (three projects each, 11-12 topics). First sight: 0.25 and 0.44
    with the previous defaults, 0.61 for the third (written after the current defaults were fixed)."""
    rows = [json.loads(line) for line in (DEV_SET.parent / name).read_text(encoding="utf-8").splitlines()]
    result = cluster_comments([{"id": r["id"], "text": r["text"]} for r in rows], cache=MemoryEmbeddingCache())
    gold = [(r["topic"], result.topic_of[i]) for i, r in enumerate(rows) if r["topic"]]
    predicted = [t if t >= 0 else -1000 - i for i, (_, t) in enumerate(gold)]
    assert normalized_mutual_info_score([g for g, _ in gold], predicted) >= floor
    assert result.unassigned_share() <= 0.10
    assert 8 <= len(result.topics) <= 30


def test_keywords_prefer_words_that_say_what_the_topic_is_about():
    from nlp.cluster import is_topical_word

    assert is_topical_word("机耕路") and is_topical_word("喇叭") and is_topical_word("补偿")  # domain, noun, subject
    assert not is_topical_word("睡不着") and not is_topical_word("夏天") and not is_topical_word("灰太大")
    texts = ["喇叭 睡不着"] * 3 + ["水渠 漏水"] * 3
    labels = [0, 0, 0, 1, 1, 1]
    preferred = KeywordExtractor(tokenizer=space_tokenizer).fit(texts, labels)
    plain = KeywordExtractor(tokenizer=space_tokenizer, other_word_factor=1.0).fit(texts, labels)
    assert preferred.keywords_[0][0] == "喇叭"
    assert plain.keywords_[0][0] == "睡不着"  # equal scores: the longer word first
    assert set(preferred.keywords_[0]) == {"喇叭", "睡不着"}  # demoted, not dropped


def test_a_dominant_direction_is_equalized_only_for_large_sets():
    rng = np.random.RandomState(5)
    dim, n = 16, 900
    truth = np.arange(n) % 4
    centres = np.zeros((4, dim))
    centres[np.arange(4), np.arange(1, 5)] = 1.0  # groups apart along four weaker directions
    x = centres[truth] + 0.25 * rng.standard_normal((n, dim))
    x[:, 15] += 3.0  # the shared offset embeddings have
    x[:, 0] += 2.0 * rng.standard_normal(n)  # one strong direction that says nothing about the group
    plain = TopicModel(n_topics=4, concept_weight=0, equalize_top=0, max_outlier_fraction=0).fit(x)
    equalized = TopicModel(n_topics=4, concept_weight=0, max_outlier_fraction=0).fit(x)  # default: top 8
    assert normalized_mutual_info_score(truth, plain.labels_) < 0.5
    assert normalized_mutual_info_score(truth, equalized.labels_) > 0.9
    small = x[:300]  # below equalize_min_comments (800): nothing changes
    assert np.array_equal(TopicModel(n_topics=4, concept_weight=0, equalize_top=1).fit(small).labels_,
                          TopicModel(n_topics=4, concept_weight=0, equalize_top=0).fit(small).labels_)
