"""Value score for genuine opinions: 2 = specific and constructive, 1 = real but vague, 0 = nothing actionable.

The score is decided by explicit, reported features: a place (…村, …组, 村口, 机耕路 …), a number with a unit
(30亩, 每平方米2000元, 3年), a concrete proposal (建议, 希望…改为, 能否…, 加宽, 改到 …), domain terms from
``nlp/data/domain_dict.txt``, and a stance or grievance (反对, 太低, 不合理 …). Spam, content-free posts
and pure insults score 0.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nlp.screening.decision import Decision, Prepared
from nlp.text import load_domain_terms, numbers_to_arabic

_PLACE_RE = re.compile(
    r"[\u4e00-\u9fff]{1,5}(?:村|组|社区|小区|镇|乡|街道|大道|路|桥|河|渠|沟|塘|坝|水库|山|岭|坡|湾|屯|寨|庄|地块|片区|队|号)"
    r"|村口|村头|村尾|村东|村西|村南|村北|路口|桥头|河边|河边|学校|小学|幼儿园|卫生室|祠堂|老街|东边|西边|南边|北边|东侧|"
    r"西侧|南侧|北侧|对面|旁边|附近|门口|后山|田里|地里"
)
_NUMBER_RE = re.compile(
    r"\d+(?:\.\d+)?\s*(?:亩|米|公里|里|平方|平米|平|元|块|万|千|百|户|家|人|年|个月|月|天|日|号|组|间|座|条|棵|株|口|"
    r"吨|%|倍|层|栋|米宽|分|厘米|公分|小时|趟|次)|\d{2,}"
)
_PROPOSAL_RE = re.compile(
    r"建议|希望|应该|应当|要求|请求|恳请|能否|能不能|可否|可不可以|是否可以|最好|改为|改成|改到|调整|增加|增设|加宽|拓宽|"
    r"修建|新建|修一条|修条|修好|修一下|硬化|安装|加装|设立|设置|提高到|提高|延长|公开|不如|改道|绕开|避开|保留|迁到|迁至|换成|"
    r"考虑|补种|清淤|疏通|配套|优先|先修|尽快|及时|补偿到位|落实|合并|分开|划出|调出|纳入|给我们|请把|把.{1,12}(改|修|挪|移|迁)"
)
_OPINION_RE = re.compile(
    r"反对|不同意|同意|支持|赞成|不满|不好|不对|太低|太少|太短|太高|太远|太窄|太差|偏低|不合理|不公平|不公|不能|不要|不行|不够|不准|担心|"
    r"害怕|问题|坑|没人管|没法|没有|为什么|凭什么|怎么|什么时候|何时|多少|哪里|谁|吗|呢|难|差|坏|漏|淹|堵|塌|危险|影响|损失|"
    r"补偿|赔偿|拆|迁|征|占|修|建|挖|污染|噪音|臭"
)
_INSULT_ONLY_MIN_CHARS = 6


@lru_cache(maxsize=1)
def _domain_re() -> re.Pattern[str]:
    terms = sorted((t for t in load_domain_terms() if len(t) >= 2), key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in terms))


class ValueScorer:
    """Scores genuine opinions 0/1/2 from explicit features.

    Parameters
    ----------
    min_chars:
        Without a stance word, number or domain term a comment needs at least this many Chinese characters
        (after removing insults) to be a genuine opinion; default 4, chosen on ``tests/data/screening_dev.jsonl``.
    """

    def __init__(self, min_chars: int = 4) -> None:
        self.min_chars = min_chars

    def features(self, prep: Prepared) -> dict[str, object]:
        """The features the score is decided from (lists of what was found)."""
        text = numbers_to_arabic(prep.norm)
        return {
            "places": list(dict.fromkeys(m.group(0) for m in _PLACE_RE.finditer(text)))[:5],
            "numbers": list(dict.fromkeys(m.group(0) for m in _NUMBER_RE.finditer(text)))[:5],
            "proposals": list(dict.fromkeys(m.group(0) for m in _PROPOSAL_RE.finditer(text)))[:5],
            "domain_terms": list(dict.fromkeys(m.group(0) for m in _domain_re().finditer(text)))[:8],
            "opinion": list(dict.fromkeys(m.group(0) for m in _OPINION_RE.finditer(text)))[:5],
            "cjk_chars": sum(1 for c in text if "\u4e00" <= c <= "\u9fff"),
        }

    def score(self, prep: Prepared, *, spam: bool, low_info: bool, insult_chars: int = 0) -> Decision:
        """Value 0/1/2 as ``Decision.score``; ``flag`` is True for 2; reasons name the deciding features."""
        f = self.features(prep)
        if spam or low_info:
            return Decision(False, 0, ["价值 0: " + ("广告" if spam else "无实质内容")], f)
        content_chars = int(f["cjk_chars"]) - insult_chars
        if content_chars < self.min_chars and not (f["numbers"] or f["domain_terms"] or f["opinion"]):
            return Decision(False, 0, ["价值 0: 没有可处理的具体意见"], f)
        specific = [k for k in ("places", "numbers", "domain_terms") if f[k]]
        if f["proposals"] and specific and content_chars >= 8 or len(specific) >= 2 and f["opinion"] and content_chars >= 12:
            what = "、".join({"places": "地点", "numbers": "数字", "domain_terms": "具体事项"}[k] for k in specific)
            proposal = "、具体建议" if f["proposals"] else ""
            return Decision(True, 2, [f"价值 2: 含{what}{proposal}"], f)
        if f["opinion"] or f["proposals"] or specific or content_chars >= 8:
            return Decision(False, 1, ["价值 1: 真实但较笼统的意见"], f)
        return Decision(False, 0, ["价值 0: 没有可处理的具体意见"], f)
