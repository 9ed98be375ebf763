"""Residents' language: homophones, dialect, traditional characters, and the out-of-scope rules."""

from __future__ import annotations

import pytest

from nlp.qa.lang import bigrams, expand_query, homophone_terms, normalize
from nlp.qa.scope import named_places, out_of_scope_reason


@pytest.mark.parametrize("text, term", [
    ("正地补偿", "征地"),
    ("宅机地能不能卖", "宅基地"),
    ("补长款啥时候给", "补偿"),
    ("村里公式了没有", "公示"),
    ("拆签安至费", "安置"),
])
def test_homophones_are_added(text, term):
    assert term in homophone_terms(text)


def test_correct_spelling_adds_nothing():
    assert homophone_terms("宅基地") == []


def test_dialect_is_expanded_not_replaced():
    q = expand_query("俺家地被征了补偿款啥时候给")
    assert q.startswith("俺家地被征了补偿款啥时候给")
    assert "征地" in q and "什么时候" in q


def test_traditional_characters_are_simplified():
    assert normalize("我們村的土地被徵收了") == "我们村的土地被征收了"


def test_bigrams():
    assert bigrams("征地补偿 ab1") == ["征地", "地补", "补偿", "ab1"]
    assert bigrams("地") == ["地"]


@pytest.mark.parametrize("text, reason", [
    ("石桥村每亩补多少钱", "figure"),
    ("城关镇拆迁一平米赔多少", "figure"),
    ("王家组的青苗费具体多少", None),  # no amount word: answered from the law (青苗费归所有权人)
    ("张书记是个大贪官", "accusation"),
    ("村支书王大明贪污补偿款", "accusation"),
    ("李某某收黑钱", "accusation"),
    ("村干部截留补偿款怎么办", None),
    ("我们村征地每亩补多少钱", None),
    ("农村宅基地一亩多少钱", None),
    ("征地补偿标准是怎么定的", None),
])
def test_scope_rules(text, reason):
    assert out_of_scope_reason(text) == reason


def test_generic_places_are_not_names():
    assert named_places("我们村和农村还有本村") == []
    assert named_places("石桥村") == ["石桥村"]
