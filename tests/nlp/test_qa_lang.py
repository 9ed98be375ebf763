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
    ("大队书记李某某把俺家的补偿款贪了", "accusation"),
    ("王会计挪用了征地款", "accusation"),
    ("村干部截留补偿款怎么办", None),
    ("我们村征地每亩补多少钱", None),
    ("农村宅基地一亩多少钱", None),
    ("征地补偿标准是怎么定的", None),
    ("交通事故对方不赔偿怎么办", "off_topic"),
    ("工资被老板拖欠了找谁", "off_topic"),
    ("明天会不会下雨", "off_topic"),
    ("医院占了耕地要交税吗", None),  # an everyday word next to a land term stays in scope
    ("下雨把承包地冲坏了能调整吗", None),
])
def test_scope_rules(text, reason):
    assert out_of_scope_reason(text) == reason


def test_generic_places_are_not_names():
    assert named_places("我们村和农村还有本村") == []
    assert named_places("石桥村") == ["石桥村"]


def test_condense_keeps_short_questions():
    from nlp.qa.lang import condense

    assert condense("宅基地能卖吗") == "宅基地能卖吗"


def test_condense_drops_the_story_and_keeps_the_question():
    from nlp.qa.lang import condense

    q = ("大爷我今年七十多了，眼睛也不好，儿子在外地打工，家里就我和老伴两个人，前几天村里开会说要搞土地整治，"
         "把我们几家的承包地调一调，说是调完了地块更整齐，我就想问问，这个土地整治调地，是不是要经过我们同意，"
         "调完了面积少了咋办，谁给补，谢谢你们")
    short = condense(q)
    assert len(short) <= 96
    assert "同意" in short and "土地整治" in short
    assert "眼睛" not in short and "谢谢" not in short


def test_condense_without_punctuation_is_cut():
    from nlp.qa.lang import condense

    assert len(condense("征地补偿款什么时候发" * 100)) <= 96


@pytest.mark.parametrize("text, term", [
    ("承包的草场能转给别人吗", "草原"),
    ("山上的林子要砍", "林地"),
    ("买期房开发商要啥条件", "商品房预售"),
])
def test_everyday_words_for_other_laws_are_expanded(text, term):
    assert term in expand_query(text)


def test_law_hints_name_the_law_of_the_subject():
    from nlp.qa.lang import law_hints

    assert "草原法" in law_hints(expand_query("承包的草场能转给别人吗"))
    assert "森林法" in law_hints(expand_query("山上的林子要砍"))
    assert law_hints(expand_query("征地补偿标准是怎么定的")) == []
