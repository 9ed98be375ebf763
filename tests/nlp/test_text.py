"""nlp.text: normalisation for matching, squash, numerals, segmentation with the domain dictionary."""

from __future__ import annotations

import pytest

from nlp.text import (
    cn_number_value,
    digits_to_arabic,
    load_domain_terms,
    load_stopwords,
    normalize,
    numbers_to_arabic,
    squash,
    to_pinyin,
    tokenize,
)


def test_normalize_full_width_to_half_width_and_lowercase():
    assert normalize("ＡＢＣ１２３！") == "abc123!"


def test_normalize_traditional_to_simplified():
    assert normalize("土地證補償太低") == "土地证补偿太低"


def test_normalize_removes_zero_width_and_control_characters():
    assert normalize("土\u200b地\u200d证\ufeff\x00\x07") == "土地证"


def test_normalize_undoes_spacing_tricks():
    assert normalize("土 地 证 代 办") == "土地证代办"
    assert normalize("加 w e i x i n") == "加 weixin"


def test_normalize_collapses_whitespace():
    assert normalize("  补偿\t\n 太低  了 ") == "补偿太低了"
    assert normalize("ok  ok") == "ok ok"


def test_normalize_digit_runs_in_chinese_and_yao():
    assert normalize("幺三八 一二三四 五六七八") == "13812345678"
    assert normalize("１３８－１２３４－５６７８") == "13812345678"


def test_normalize_keeps_single_numerals_in_words():
    assert normalize("五组的一样东西") == "五组的一样东西"
    assert digits_to_arabic("三三两两") == "三三两两"


@pytest.mark.parametrize("bad", [None, "", "\x00\x01", "\ufffd\ufffd", "😀" * 3, 12345])
def test_normalize_never_raises(bad):
    assert isinstance(normalize(bad), str)


def test_squash_removes_punctuation_spaces_and_emoji():
    assert squash("加.V.信！！ 😀") == "加v信"


def test_chinese_number_values():
    assert cn_number_value("三十") == 30
    assert cn_number_value("一百二十") == 120
    assert cn_number_value("两千五") == 2500
    assert cn_number_value("三万") == 30000
    assert cn_number_value("十一") == 11
    assert cn_number_value("abc") is None


def test_numbers_to_arabic_with_units():
    assert numbers_to_arabic("三十亩地，一百二十平") == "30亩地，120平"
    assert numbers_to_arabic("一样") == "一样"


def test_tokenize_uses_domain_dictionary_and_drops_stopwords():
    tokens = tokenize("我家的宅基地被划进永久基本农田了，青苗补偿费太低")
    assert "宅基地" in tokens
    assert "永久基本农田" in tokens
    assert "的" not in tokens and "了" not in tokens
    assert "，" not in tokens


def test_tokenize_empty_and_junk():
    assert tokenize("") == []
    assert tokenize("！！？？😀") == []


def test_domain_dictionary_has_at_least_300_terms():
    terms = load_domain_terms()
    assert len(terms) >= 300
    assert {"宅基地", "永久基本农田", "占补平衡", "高标准农田", "三区三线", "青苗补偿", "复垦", "安置房", "机耕路", "沟渠"} <= set(terms)


def test_stopwords_are_a_cached_frozenset():
    stop = load_stopwords()
    assert isinstance(stop, frozenset) and "的" in stop
    assert load_stopwords() is stop
    assert "不" not in stop  # negation carries the opinion


def test_pinyin_for_homophones():
    assert to_pinyin("草泥马") == to_pinyin("操你妈") == "caonima"
