"""Value score 0/1/2 with the features that decided it."""

from __future__ import annotations

from nlp.screening import screen


def _one(text):
    return screen([{"id": 1, "text": text}])[0]


def test_specific_constructive_is_two():
    result = _one("建议在下坪村村口修一个公交站，老人去镇上看病要走四十分钟")
    assert result.value == 2
    feats = result.features["value"]
    assert feats["proposals"] and feats["places"]
    assert any(r.startswith("价值 2") for r in result.reasons)


def test_number_and_proposal_is_two():
    assert _one("机耕路规划宽度三米五，建议改成四米五").value == 2


def test_vague_real_opinion_is_one():
    assert _one("补偿太低了").value == 1
    assert _one("这个规划对我们老百姓有什么好处").value == 1


def test_nothing_actionable_is_zero():
    assert _one("666").value == 0
    assert _one("土地证代办 包过 加薇信 tudi8866").value == 0
    assert _one("sb").value == 0
