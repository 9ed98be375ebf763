"""screen(): the batch API, the Screening shape, bad input, and the labelled dev set."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from nlp.screening import CLI_FIELDS, Screening, screen

DEV = Path(__file__).resolve().parents[1] / "data" / "screening_dev.jsonl"


def test_screening_shape_and_order():
    results = screen([{"id": "x", "text": "补偿太低了"}, {"id": 7, "text": "嗯"}])
    assert [r.id for r in results] == ["x", 7]
    assert all(isinstance(r, Screening) for r in results)
    assert tuple(results[0].to_dict()) == CLI_FIELDS
    assert "scores" in results[0].to_dict(full=True)


def test_empty_batch():
    assert screen([]) == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "补偿" * 500_000,
        "\x00\x01\x02\xff\ufffd\ufffd" * 100,
        "😀🙏🔥" * 50,
        "Hello 你好 مرحبا Привет こんにちは 보상",
        "<script>alert('x')</script><b>补偿太低了</b>",
        "\u202e\u200b\u200d\x1b[31m补偿\x7f太低",
        None,
        12345,
    ],
)
def test_bad_input_never_crashes_the_batch(text):
    results = screen([{"id": 1, "text": text}, {"id": 2, "text": "补偿太低了"}])
    assert len(results) == 2
    assert results[1].value == 1 and not results[1].low_info
    assert isinstance(results[0].redacted, str)


def test_markup_is_reported_and_script_content_ignored():
    result = screen([{"id": 1, "text": "<script>alert(1)</script>"}])[0]
    assert result.low_info
    assert any("HTML" in r for r in result.reasons)


def test_huge_text_is_noted_and_redacted_fully():
    text = "补偿太低" * 300_000 + "电话13812345678"
    result = screen([{"id": 1, "text": text}])[0]
    assert result.pii and result.redacted.endswith("138****5678")
    assert any("文本过长" in r for r in result.reasons)


def _prf(gold, pred):
    tp = sum(g and p for g, p in zip(gold, pred, strict=True))
    fp = sum(p and not g for g, p in zip(gold, pred, strict=True))
    fn = sum(g and not p for g, p in zip(gold, pred, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@pytest.fixture(scope="module")
def dev():
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows, screen(rows)


def test_dev_set_is_large_and_covers_every_detector(dev):
    rows, _ = dev
    assert len(rows) >= 150
    for key in ("spam", "abusive", "pii", "low_info"):
        assert sum(r[key] for r in rows) >= 15
    assert sum(r["duplicate_of"] is not None for r in rows) >= 10


@pytest.mark.parametrize("key,min_f1", [("spam", 0.9), ("abusive", 0.9), ("low_info", 0.9)])
def test_dev_set_f1(dev, key, min_f1):
    rows, results = dev
    _, _, f1 = _prf([r[key] for r in rows], [getattr(s, key) for s in results])
    assert f1 >= min_f1


def test_dev_set_pii_recall_is_total(dev):
    rows, results = dev
    precision, recall, _ = _prf([r["pii"] for r in rows], [s.pii for s in results])
    assert recall == 1.0
    false_alarms = sum(s.pii and not r["pii"] for r, s in zip(rows, results, strict=True))
    assert false_alarms <= 0.02 * sum(not r["pii"] for r in rows)


def test_dev_set_duplicate_pairs(dev):
    rows, results = dev
    gold = {r["id"]: r["duplicate_of"] or r["id"] for r in rows}
    pred = {r["id"]: s.duplicate_of or r["id"] for r, s in zip(rows, results, strict=True)}
    ids = list(gold)
    gold_pairs = {(a, b) for a, b in itertools.combinations(ids, 2) if gold[a] == gold[b]}
    pred_pairs = {(a, b) for a, b in itertools.combinations(ids, 2) if pred[a] == pred[b]}
    _, _, f1 = _prf([p in gold_pairs for p in gold_pairs | pred_pairs], [p in pred_pairs for p in gold_pairs | pred_pairs])
    assert f1 >= 0.95
