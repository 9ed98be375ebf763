"""Bare full names (no cue word before them): found where residents write them, not in place names or words."""

from __future__ import annotations

import pytest

from nlp.screening.names import find_names, given_name_chars
from nlp.screening.pii import PiiDetector


def _names(text: str) -> list[str]:
    return [text[s:e] for s, e, _ in find_names(text)]


@pytest.mark.parametrize("text,name", [
    ("邹秀梅前年就交了建房申请，到现在也没个回音", "邹秀梅"),
    ("后排的谢德旺把排水沟填平种了菜，一下雨全淹了", "谢德旺"),
    ("【钟立春】我家的承包地在整治范围边上，要不要调", "钟立春"),
    ("请转告一下毛建军，他家的青苗款到了", "毛建军"),
    ("潘桂兰（三组）反映：安置房漏水", "潘桂兰"),
    ("欧阳秋菊说她家的坟不想迁", "欧阳秋菊"),
    ("温国栋家的猪圈占了机耕路", "温国栋"),
    ("施工队有个叫 邱 永 福 的，量地从来不拉尺", "邱 永 福"),
    ("蓝翠和她老公都在外地打工，宅基地谁来签字", "蓝翠"),
    ("俺舅黎根的地被占了三年", "黎根"),
])
def test_bare_names_are_found(text, name):
    assert name in _names(text), _names(text)


@pytest.mark.parametrize("text", [
    "张家湾到李庄那段路要拓宽",  # places built on surnames
    "王家坪的高标准农田啥时候验收",
    "俺家高中生放假回来看了公示图",  # common words starting with a surname character
    "黄金周回来才看到公示",
    "袁隆平爷爷一辈子为了粮食",  # a public figure (a dictionary word)
    "杨梅树和柑橘树的补偿标准一样吗",  # trees and flowers
    "出售桂花、香樟、红叶石楠",
    "渣土车天天半夜往农田里倒土",  # a word boundary inside the candidate
    "青山村的田根本灌不上水",
    "银杏路和民生路交叉口没有红绿灯",  # function-word surnames
    "向阳村和红旗村的边界画错了",
    "请一天假要扣两百多块钱全勤奖",  # the candidate runs into a word
    "地 块 代 码 错 了",  # a whole sentence spaced out
])
def test_places_words_and_public_figures_are_not_names(text):
    assert _names(text) == [], _names(text)


def test_the_given_name_is_redacted_and_the_surname_kept():
    decision, redacted = PiiDetector().detect("邹秀梅前年就交了建房申请")
    assert decision.flag and redacted == "邹**前年就交了建房申请"


def test_given_name_characters_are_loaded_from_the_data_file():
    chars = given_name_chars()
    assert {"秀", "建", "国", "梅"} <= chars and "湾" not in chars and "家" not in chars


@pytest.mark.parametrize("text,name", [
    ("石军承包的那段沟渠最差", "石军"),  # the three-character reading runs into 承包
    ("周强和田梅两口子都在外面打工", "田梅"),  # 和田 is a place, but the couple decides
])
def test_two_character_names_before_a_verb_and_in_a_couple(text, name):
    assert name in _names(text), _names(text)


def test_a_famous_person_quoted_is_no_resident():
    assert _names("就像曹德旺说的，做事要对得起良心") == []


def test_a_name_before_and_his_brother():
    assert "潘立群" in _names("潘立群和他弟弟为了退出款闹上法院了")


@pytest.mark.parametrize("text,name", [
    ("隔壁的陈建国家拆迁拿了三套房", "陈建国"),  # 国家 is a word, but 的陈建国家 is his family
    ("对门的吴大海把公共通道占了", "吴大海"),  # 大 in the middle of a name
])
def test_names_before_jia_and_with_da(text, name):
    assert name in _names(text), _names(text)
