"""Full names written with no cue word: "邓小红去年三月就申请了…", "隔壁的赵德胜趁我家没人…", "【韩春生】我反对…".

The rules in :mod:`nlp.screening.pii` find a name after a cue (户主, 我叫, 我爸叫, 组长 …). Residents also write
names bare: as the subject of a sentence, after 的 or a verb, in brackets, in lists. This recogniser looks at every
surname followed by one or two given-name characters (``nlp/data/given_name_chars.txt``, our own list) and keeps a
candidate only when the rest of the sentence agrees that it is a name:

- it is no common word: not the candidate itself (袁隆平, 高中生: jieba frequency ≥ 20), not its first two characters
  (高中, 黄金, 马上; unless jieba tags them as a person's name), not a given name that is a common non-name word
  (天天, 根本, 小学, 学生; a short list of given names that are also words is allowed: 建国, 光明, 国庆 …);
- it does not run into a place or organisation (向阳村, 王家坪 — 家 is no given-name character — 华广大厦, 荣盛花苑);
- its last character does not start a common word with the next one (李明|年 is no name in 李明年初);
- in jieba's dictionary-only segmentation the surname starts a word (渣土车|天天 is no 车天天);
- surnames that are also function words (和, 于, 向, 应, 全, 路 …) never start a bare name ("银杏路和民生路").

Two-character names (汪海, 王栓) must stand alone: after a break, a bracket or a kinship or role word (俺叔王栓的地),
and before a break, 的 or 家的. Compound surnames (欧阳, 上官, 司马 …) are strong evidence on their own: their given
name may be a common word (上官明亮).

Measured on real letters to a city board (``bench/screen.py``): most of what it adds are real names (complainants,
company owners), some are estate and company names; see ``bench/RESULTS.md``.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from nlp.text import get_tokenizer, word_freq

GIVEN_CHARS_PATH = Path(__file__).resolve().parent.parent / "data" / "given_name_chars.txt"
# Surnames that are also function words or street words: never the start of a name without a cue.
_NOT_BARE_SURNAMES = frozenset("和与于向从对把被给让为同跟及在将应查全路房苑沙")
# Given-name characters that are not the last character of a bare name (杨梅|树, 林|小学, 蓝翠|和她老公).
_NOT_LAST = frozenset("树小和")
# Characters that are only the middle character of a bare name (陈家豪, 吴大海, 李大明); 家 not before a landscape word
# (张家湾, 刘家山, 何家河: 湾 is no given-name character, 山 and 河 are).
_FAMILY_CHAR = "家"
_MIDDLE_CHARS = "家大"
_LANDSCAPE = frozenset("山河林湖江海泉峰松柏东西南北中桥园塘坪湾冲岭坡沟")
# A place, an estate or an organisation right after the candidate (向阳村, 靳江河|西岸 aside: 河 is a given char).
_PLACE_AFTER = frozenset("村镇乡县市区湾坪庄沟岭坡塘坝寨屯桥组社队路街巷号栋苑园府城小中学院楼厦店场站厂司馆所局语湖溪江行")
# Given names that are also common words and still usual as names.
_NAME_WORDS = frozenset((
    "建国", "光明", "国庆", "解放", "胜利", "和平", "建设", "援朝", "卫国", "卫东", "向东", "红军", "新民", "志强", "国强", "建华", "建军", "红梅", "春生",
    "永福", "海涛", "国栋", "振华", "振兴", "大海", "大明", "大山", "大勇", "大伟", "兴旺", "富贵", "长春", "宝贵", "金花", "桂花", "秀英", "立新", "文明", "爱国", "爱民", "新华", "建新", "建平",
    "红霞", "秀云", "春花", "秋菊", "冬梅",
))
# jieba's tags for a person's name, and for words that may well be a given name.
_PERSON_TAGS = frozenset(("nr", "nrfg", "nrt"))
_NOUN_TAGS = _PERSON_TAGS | {"n", "ns", "nz", "j"}
_WORD_FREQ = 20  # jieba frequency from which a string counts as a word
_COMMON_FREQ = 100  # … as a common word
_VERY_COMMON_FREQ = 1000
# What may follow a two-character name that stands alone.
_TWO_AFTER_RE = re.compile(r"(?:家的|家那|家这|家门|家屋|家房|家老|家地|家田|家院|的|两口子|俩口子|夫妻|夫妇|一家|"
                           r"承包|反映|提出|去年|今年|前年|一直|已经)|[:：，,。（(】\]）)、\s]|$")
# Kinship and role words a two-character name may follow directly ("俺叔王栓的地", "组长汪海说").
_TWO_BEFORE_RE = re.compile(r"(?:叔|伯|舅|姨|姑|爹|娘|爸|妈|哥|姐|弟|妹|组长|队长|村长|会计|出纳|测量员|包工头|邻居)$")
# The second of a couple ("罗勇和田芳两口子"): after 和/跟/与 only before 两口子, 夫妻 ….
_COUPLE_BEFORE_RE = re.compile(r"[和跟与]$")
_COUPLE_AFTER_RE = re.compile(r"两口子|俩口子|夫妻|夫妇|俩")

_lock = threading.Lock()
_tags: dict[str, str] | None = None


def _word_tags() -> dict[str, str]:
    """jieba's part-of-speech table (word → tag), loaded on first use."""
    global _tags
    if _tags is None:
        with _lock:
            if _tags is None:
                import jieba.posseg

                _tags = jieba.posseg.dt.word_tag_tab
    return _tags


@cache
def given_name_chars() -> frozenset[str]:
    """The given-name characters of ``nlp/data/given_name_chars.txt``."""
    chars: set[str] = set()
    for line in GIVEN_CHARS_PATH.read_text(encoding="utf-8").splitlines():
        chars.update(ch for ch in line.split("#", 1)[0] if "\u4e00" <= ch <= "\u9fff")
    return frozenset(chars)


@cache
def _bare_surname() -> str:
    """Regex for a surname that may start a bare name: compound ones, or one character that is no function word."""
    from nlp.screening.pii import _COMPOUND_SURNAMES, SURNAMES

    return f"(?:{'|'.join(_COMPOUND_SURNAMES)}|[{''.join(sorted(SURNAMES - _NOT_BARE_SURNAMES))}])"


@cache
def _candidate_re() -> re.Pattern[str]:
    given = "".join(sorted(given_name_chars()))
    return re.compile(rf"(?=({_bare_surname()}(?:[{given}]|[{_MIDDLE_CHARS}](?=[{given}]))[{given}]?))")


def _is_break(ch: str) -> bool:
    return not ch or ch.isspace() or unicodedata.category(ch)[0] in "PSZ"


def _common_word(word: str, at_least: int = _COMMON_FREQ) -> bool:
    """A word of jieba frequency ≥ ``at_least`` that jieba does not tag as a person's name, or one of frequency
    ≥ 100 whatever its tag (jieba tags 桂花, 杨树 and 杜鹃 as names too)."""
    freq = word_freq(word)
    return freq >= at_least and (_word_tags().get(word) not in _PERSON_TAGS or freq >= _COMMON_FREQ)


def _word_starts(text: str) -> set[int]:
    """Positions where a word starts in jieba's dictionary-only segmentation of ``text`` (and its end)."""
    starts, pos = set(), 0
    for word in get_tokenizer().lcut(text, HMM=False):
        starts.add(pos)
        pos += len(word)
    starts.add(pos)
    return starts


def _three_char_ok(text: str, start: int, name: str, surname_len: int) -> bool:
    given = name[surname_len:]
    nxt = text[start + len(name) : start + len(name) + 1]
    if word_freq(name) >= _WORD_FREQ or name[-1] in _NOT_LAST or _NOT_LAST & set(given) and word_freq(name[:2]) > 0:
        return False  # 杨梅树, 桑树全 (a tree, then a word)
    if given[0] in _MIDDLE_CHARS and (len(given) < 2 or given[0] == _FAMILY_CHAR and given[1] in _LANDSCAPE):
        return False
    if surname_len == 1:
        if _common_word(name[:2], _WORD_FREQ):
            return False
        freq = word_freq(given)
        tag = _word_tags().get(given)
        if given not in _NAME_WORDS and freq >= _COMMON_FREQ and (
                tag not in _NOUN_TAGS or tag == "ns" or freq >= _VERY_COMMON_FREQ):
            return False  # 天天, 根本, 小学; 连|贵阳 (a city)
    # "钱|全勤奖": the given name runs into the next character as one word; but "的陈建国家…" is 陈建国's family
    # even though 国家 is a word.
    if nxt == "家" and _is_break_or_de(text[start - 1 : start]):
        return True
    return not (nxt and (nxt in _PLACE_AFTER or _common_word(name[-1] + nxt) or word_freq(given + nxt) >= _WORD_FREQ))


def _is_break_or_de(ch: str) -> bool:
    return _is_break(ch) or ch == "的"


def _two_char_ok(text: str, start: int, name: str) -> bool:
    before = text[max(0, start - 3) : start]
    couple = _COUPLE_BEFORE_RE.search(before) and _COUPLE_AFTER_RE.match(text, start + len(name))
    if not (_is_break(before[-1:]) or _TWO_BEFORE_RE.search(before) or couple):
        return False
    if not _TWO_AFTER_RE.match(text, start + len(name)):
        return False
    return not _common_word(name, 1)


def _surname_starts_word(text: str, start: int, starts: set[int]) -> bool:
    """True when jieba starts a word at ``start``, or ends a rare word with the surname ("一下余|建军")."""
    if start in starts:
        return True
    if start + 1 not in starts:
        return False
    word_start = max(p for p in starts if p < start)
    return word_freq(text[word_start : start + 1]) < _WORD_FREQ


# A name spelled out with spaces to dodge filters ("有个叫 付 建 设 的"): two or three single characters standing
# alone, not part of a longer run of spaced characters ("土 地 证 代 办").
_SPACED_RE = re.compile(r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff](?:\s[\u4e00-\u9fff]){1,2})"
                        r"(?![\u4e00-\u9fff])(?!\s(?![的了])[\u4e00-\u9fff](?![\u4e00-\u9fff]))")


def _spaced_names(text: str) -> list[tuple[int, int, int]]:
    from nlp.screening.pii import SURNAMES

    found = []
    for m in _SPACED_RE.finditer(text):
        start = m.start(1)
        if re.search(r"(?:^|[^\u4e00-\u9fff])[\u4e00-\u9fff]\s$", text[max(0, start - 3) : start]):
            continue  # the tail of a longer spaced run
        chars = m.group(1).split()
        given = "".join(chars[1:])
        if (chars[0] in SURNAMES and chars[0] not in _NOT_BARE_SURNAMES and word_freq("".join(chars)) < _WORD_FREQ
                and (given in _NAME_WORDS or all(ch in given_name_chars() for ch in given))):
            found.append((m.start(1), m.end(1), 1))
    return found


# Words after a name that say it is a person's, even when it is also a word (杜鹃 is a flower, 李娜 a tennis
# player): "杜鹃和她老公在外打工", "韦芳两口子", "李娜（不是打网球的那个）".
_PERSON_AFTER = (r"(?:和|跟|与)(?:她|他)(?:老公|男人|丈夫|老婆|媳妇|爱人|对象|弟弟|哥哥|姐姐|妹妹|儿子|女儿|爸|妈|父亲|母亲)"
                 r"|两口子|俩口子|[（(]不是")


@cache
def _person_after_re() -> re.Pattern[str]:
    return re.compile(rf"(?:^|(?<=[\s，,。！!？?；;：:、（(【\[]))({_bare_surname()}[\u4e00-\u9fff]{{1,2}}?)(?={_PERSON_AFTER})")


# A famous person's saying quoted ("就像曹德旺说的", "正如鲁迅所说"): a public figure, not a resident.
_QUOTING_BEFORE_RE = re.compile(r"(?:就像|正如|好像|像)$")
_QUOTING_AFTER_RE = re.compile(r"(?:说的|所说|说过|讲的|讲过)")


def find_names(text: str) -> list[tuple[int, int, int]]:
    """Bare full names in ``text`` (simplified characters): ``(start, end, surname length)`` for each."""
    from nlp.screening.pii import _COMPOUND_SURNAMES

    found: list[tuple[int, int, int]] = []
    starts: set[int] | None = None
    taken = -1
    for m in _candidate_re().finditer(text):
        start = m.start()
        if start < taken:
            continue
        surname_len = 2 if m.group(1)[:2] in _COMPOUND_SURNAMES else 1
        # The longest candidate first, then one character shorter ("莫军|承包": 莫军承 runs into 承包).
        for name in (m.group(1), m.group(1)[:-1]):
            if len(name) <= surname_len or (name != m.group(1) and len(name) - surname_len < 1):
                continue
            couple = False
            if len(name) - surname_len == 1 and surname_len == 1:
                if not _two_char_ok(text, start, name):
                    continue
                couple = bool(_COUPLE_BEFORE_RE.search(text[:start]) and _COUPLE_AFTER_RE.match(text, start + 2))
            elif not _three_char_ok(text, start, name, surname_len):
                continue
            if starts is None:
                starts = _word_starts(text)
            # "和田|芳两口子" is read as the place 和田; the couple's words decide.
            if not couple and (not _surname_starts_word(text, start, starts) or start + len(name) not in starts):
                continue  # "块钱|全勤奖": the candidate ends inside a word
            if _QUOTING_BEFORE_RE.search(text[max(0, start - 2) : start]) and _QUOTING_AFTER_RE.match(text, start + len(name)):
                break  # "就像曹德旺说的": a public figure quoted
            found.append((start, start + len(name), surname_len))
            taken = start + len(name)
            break
    if " " in text:
        found += _spaced_names(text)
    for m in _person_after_re().finditer(text):
        if not any(s <= m.start(1) < e for s, e, _ in found):
            found.append((m.start(1), m.end(1), 2 if m.group(1)[:2] in _COMPOUND_SURNAMES else 1))
    return found


def warm_up() -> Any:
    """Load the tables (for a screen that wants its first comment to be as fast as the rest)."""
    return _candidate_re(), _word_tags()
