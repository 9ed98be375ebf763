"""Content-free posts versus short real opinions."""

from __future__ import annotations

import pytest

from nlp.screening import screen


@pytest.mark.parametrize(
    "text",
    ["嗯", "+1", "666", "顶", "???", "路过", "asdfghjkl", "😂😂😂", "顶顶顶", "。。。", "沙发", "哈哈哈哈", "同意楼上",
     "", "   ", "打卡", "qwerqwer", "1111", "嗯嗯好的", "支持", "支持一下！", "同意", "赞成", "点赞", "顶一下", "完全同意"],
)
def test_content_free(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.low_info, (text, result.reasons)
    assert result.value == 0


@pytest.mark.parametrize(
    "text",
    ["补偿太低了", "祖坟不能迁！", "公示时间太短了", "不同意", "反对强拆", "路灯坏了", "为啥子要占我们的田", "不好",
     "支持修机耕路", "不同意迁坟", "同意整治", "不支持", "反对"],
)
def test_short_real_opinions_are_not_content_free(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.low_info, (text, result.reasons)
    assert result.value >= 1


@pytest.mark.parametrize("text", ["冒个泡", "插个眼", "打个卡", "签个到", "前排围观", "码住", "已阅", "mark一下", "占个座"])
def test_forum_filler_is_content_free(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.low_info, (text, result.reasons)


@pytest.mark.parametrize("text", ["打卡点要修在哪", "一个人也没来", "插秧前把渠修好", "签到表上没有我的名字"])
def test_words_that_start_like_filler_are_content(text):
    assert not screen([{"id": 1, "text": text}])[0].low_info, text


@pytest.mark.parametrize("text", ["坐等", "坐等后续", "蹲一个", "来了老弟", "吃瓜", "搬个小板凳", "同问", "同问！！"])
def test_waiting_and_watching_and_echoed_questions_are_content_free(text):
    assert screen([{"id": 1, "text": text}])[0].low_info, text


@pytest.mark.parametrize("text", ["坐等拆迁三年了 没人管", "同问 补偿什么时候发", "蹲了三天没人来", "看戏呢 补偿款呢"])
def test_waiting_with_a_subject_is_content(text):
    assert not screen([{"id": 1, "text": text}])[0].low_info, text


@pytest.mark.parametrize("text", ["顶一下楼上", "[微笑][微笑]", "[捂脸]", "在吗", "有人吗？", "你好"])
def test_pointers_emoticon_codes_and_bare_greetings_are_content_free(text):
    assert screen([{"id": 1, "text": text}])[0].low_info, text


@pytest.mark.parametrize("text", ["[捂脸]补偿太低了", "你好，我想问下补偿标准", "楼上说的那条路在哪"])
def test_greetings_and_codes_before_an_opinion_are_content(text):
    assert not screen([{"id": 1, "text": text}])[0].low_info, text


def test_chained_fillers_with_a_doubled_character_are_content_free():
    assert screen([{"id": 1, "text": "路过看看 顶一下"}])[0].low_info


def test_a_bare_plea_is_content_free_and_a_repeated_emoji_insult_is_not():
    assert screen([{"id": 1, "text": "望领导重视"}])[0].low_info
    result = screen([{"id": 2, "text": "🐶官 🐶官 🐶官"}])[0]
    assert result.abusive and not result.low_info


def test_a_greeting_to_everyone_is_content_free():
    assert screen([{"id": 1, "text": "各位好"}])[0].low_info
