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
