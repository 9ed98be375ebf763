"""The rule tables themselves: no pattern may match an empty string (an empty alternative, "a|b|", would make every
comment an ad or an insult)."""

from __future__ import annotations

import re

import pytest

from nlp.screening import abuse, lowinfo, pii, spam


def _patterns():
    yield from ((f"spam._PROMO[{i}]", rx) for i, (rx, _) in enumerate(spam._PROMO_RES))
    for module in (spam, abuse, pii, lowinfo):
        for name, value in vars(module).items():
            if name.endswith("_RE") and isinstance(value, re.Pattern):
                yield f"{module.__name__}.{name}", value


# Patterns that are meant to match at any position (lookaheads used with finditer, or anchored at the end).
_MAY_BE_EMPTY = {"nlp.screening.pii._QQ_RE", "nlp.screening.pii._PHONE_BEFORE_RE", "nlp.screening.pii._MOBILE_CUE_RE",
                 "nlp.screening.pii._CARD_CUE_RE", "nlp.screening.abuse._FIRST_PERSON_RE",
                 "nlp.screening.abuse._REPORTED_BEFORE_RE", "nlp.screening.lowinfo._FILLER_CHARS_RE"}


@pytest.mark.parametrize("name,regex", list(_patterns()), ids=lambda x: x if isinstance(x, str) else "")
def test_no_rule_matches_the_empty_string(name, regex):
    if name in _MAY_BE_EMPTY:
        pytest.skip("anchored cue pattern, empty by design")
    assert regex.fullmatch("") is None, f"{name} matches an empty string"


def test_the_trie_alternation_matches_what_the_plain_alternation_matches():
    from nlp.screening.patterns import compile_alternation, split_alternatives

    pattern = r"傻逼|傻b|狗官|王八|王八蛋|\+1|你妈(的|逼)|(?<!养)猪头|滚[开蛋]|a|ab|abc|x{2,}|老东西"
    assert split_alternatives(r"a|(b|c)|[|]|d\|e") == ["a", "(b|c)", "[|]", r"d\|e"]
    fast, plain = compile_alternation(pattern), re.compile(pattern)
    for text in ["你个傻逼", "王八蛋", "养猪头", "猪头", "+1", "你妈的", "滚开", "abcd", "xxx", "老东西", "正常意见", ""]:
        assert bool(fast.search(text)) == bool(plain.search(text)), text
    assert fast.search("王八蛋").group(0) == "王八蛋"  # the longer word wins at the same position
