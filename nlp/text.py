"""Chinese text normalisation and segmentation for matching.

The original comment is always kept; these functions only produce *matching forms* that feed the
detectors (screening, clustering, retrieval):

- :func:`normalize` — NFKC (full-width → half-width), traditional → simplified (OpenCC ``t2s``),
  lower-case Latin, zero-width and control characters removed, spacing tricks undone
  (``土 地 证`` → ``土地证``, ``w e i x i n`` → ``weixin``), runs of Chinese digits (incl. ``幺``, ``两``)
  written as Arabic digits (``幺三八`` → ``138``), whitespace collapsed.
- :func:`squash` — :func:`normalize` with every space and punctuation mark removed, for evasion matching
  (``加.V.信`` → ``加v信``).
- :func:`tokenize` — jieba tokens of the normalised text with the domain dictionary
  (``nlp/data/domain_dict.txt``), stopwords (``nlp/data/stopwords.txt``) and punctuation removed.

Dictionaries, OpenCC and the jieba tokenizer load lazily, once per process (a private
``jieba.Tokenizer``, never jieba's global one, so other users of jieba are not affected).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
DOMAIN_DICT_PATH = DATA_DIR / "domain_dict.txt"
STOPWORDS_PATH = DATA_DIR / "stopwords.txt"

# Zero-width, bidi and soft-hyphen characters used to split words invisibly ("土\u200b地证").
_INVISIBLE_RE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                           "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]")
# C0/C1 control characters other than the ordinary whitespace ones.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_WS_RE = re.compile(r"\s+")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Whitespace between two CJK characters carries no meaning in Chinese; it is a spacing trick.
_CJK_SPACE_RE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
# Three or more single Latin letters/digits separated by single spaces: "w e i x i n", "1 3 8".
_SPACED_SINGLES_RE = re.compile(r"(?<![a-z0-9])(?:[a-z0-9] ){2,}[a-z0-9](?![a-z0-9])")

CN_DIGITS = {
    "零": "0", "〇": "0", "○": "0", "洞": "0", "一": "1", "幺": "1", "壹": "1", "二": "2", "两": "2", "贰": "2",
    "三": "3", "叁": "3", "四": "4", "肆": "4", "五": "5", "伍": "5", "六": "6", "陆": "6", "七": "7", "柒": "7",
    "拐": "7", "八": "8", "捌": "8", "九": "9", "玖": "9", "勾": "9",
}
# Characters that only count as digits inside a run of other digits (they are ordinary words alone).
_WEAK_DIGITS = {"洞", "拐", "勾", "两", "○"}
_DIGIT_CLASS = "0-9" + "".join(CN_DIGITS)
# A run of >= 4 digits (Arabic or Chinese) possibly split by spaces, dots or dashes: phone numbers, IDs.
_DIGIT_RUN_RE = re.compile(rf"[{_DIGIT_CLASS}](?:[\s.\-_·]*[{_DIGIT_CLASS}]){{3,}}")
_CN_NUMBER_RE = re.compile("[零〇一二两三四五六七八九十百千万]+")
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}

_PUNCT_CATEGORIES = ("P", "S", "Z", "C")


@lru_cache(maxsize=1)
def _opencc() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese with OpenCC ``t2s`` (loaded once per process)."""
    if not text:
        return text
    return _opencc().convert(text)


def strip_invisible(text: str) -> str:
    """Remove zero-width, bidi-control and C0/C1 control characters (tabs and newlines are kept)."""
    return _CONTROL_RE.sub("", _INVISIBLE_RE.sub("", text))


def _digit_run(match: re.Match[str]) -> str:
    run = match.group(0)
    chars = [c for c in run if not (c.isspace() or c in ".-_·")]
    strong = sum(1 for c in chars if c not in _WEAK_DIGITS)
    if strong < 3:
        return run
    return "".join(CN_DIGITS.get(c, c) for c in chars)


def digits_to_arabic(text: str) -> str:
    """Rewrite runs of >= 4 digits (Chinese, ``幺``, Arabic, mixed, split by spaces/dots/dashes) as Arabic digits.

    ``幺三八 一二三四 五六七八`` → ``13812345678``; ``138-1234-5678`` → ``13812345678``. Single Chinese
    numerals in words (``五组``, ``一样``) are left alone.
    """
    return _DIGIT_RUN_RE.sub(_digit_run, text)


def cn_number_value(numeral: str) -> int | None:
    """Value of a simple Chinese numeral such as ``三十``, ``一百二十``, ``两千五``, ``三万``; None if unparsable."""
    if not numeral or any(c not in "零〇一二两三四五六七八九十百千万" for c in numeral):
        return None
    total, section, digit = 0, 0, None
    last_unit = 10
    for ch in numeral:
        if ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            section += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        elif ch == "万":
            section += digit or 0
            total += (section or 1) * 10000
            section, digit, last_unit = 0, None, 10000
        elif ch in "零〇":
            digit = None if digit is None else digit * 10
        else:
            digit = int(CN_DIGITS[ch]) if digit is None else digit * 10 + int(CN_DIGITS[ch])
    if digit is not None:
        # "两千五" means 2500: a trailing digit after a unit is one unit lower.
        section += digit * (last_unit // 10) if last_unit > 10 and digit < 10 else digit
    return total + section


def numbers_to_arabic(text: str) -> str:
    """Rewrite Chinese numerals with units (``三十亩`` → ``30亩``, ``一百二十平`` → ``120平``); for dedup and features.

    Lone ``一`` (``一样``, ``一定``) is kept, because it is far more often a word than a number.
    """

    def repl(match: re.Match[str]) -> str:
        numeral = match.group(0)
        if numeral in ("一", "万", "千", "百") or len(numeral) == 1 and numeral == "两":
            return numeral
        value = cn_number_value(numeral)
        return numeral if value is None else str(value)

    return _CN_NUMBER_RE.sub(repl, text)


def normalize(text: str) -> str:
    """Matching form of ``text``: NFKC, traditional→simplified, lower-case Latin, invisible chars removed,
    spacing tricks undone, Chinese digit runs as Arabic digits, whitespace collapsed to single spaces.

    Never raises for any ``str``; non-strings are converted with ``str()`` (None → ``""``).
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    text = unicodedata.normalize("NFKC", strip_invisible(text))
    text = strip_invisible(text)  # NFKC can expose new ones (e.g. from compatibility forms)
    text = to_simplified(text).lower()
    text = _WS_RE.sub(" ", text).strip()
    text = _CJK_SPACE_RE.sub("", text)
    text = _SPACED_SINGLES_RE.sub(lambda m: m.group(0).replace(" ", ""), text)
    return digits_to_arabic(text)


def is_punct(ch: str) -> bool:
    """True for punctuation, symbols (incl. emoji), separators and control characters."""
    return unicodedata.category(ch)[0] in _PUNCT_CATEGORIES


_NON_WORD_RE = re.compile(r"[\W_]+")


def strip_punct(text: str) -> str:
    """Remove every space, punctuation mark, symbol and emoji (keeps letters, digits and CJK characters)."""
    return _NON_WORD_RE.sub("", text)


def squash(text: str) -> str:
    """:func:`normalize` with all spaces, punctuation, symbols and emoji removed (``加.V.信`` → ``加v信``)."""
    return strip_punct(normalize(text))


@lru_cache(maxsize=1)
def load_stopwords() -> frozenset[str]:
    """The stopword list ``nlp/data/stopwords.txt`` (one word per line, ``#`` comments), cached."""
    words = set()
    for line in STOPWORDS_PATH.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.add(word)
    return frozenset(words)


@lru_cache(maxsize=1)
def load_domain_terms() -> tuple[str, ...]:
    """Domain terms of ``nlp/data/domain_dict.txt`` (jieba user-dictionary format: ``word [freq] [tag]``)."""
    terms = []
    for line in DOMAIN_DICT_PATH.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            terms.append(line.split()[0])
    return tuple(dict.fromkeys(terms))


_tokenizer_lock = threading.Lock()
_tokenizer: Any = None


def get_tokenizer() -> Any:
    """The process-wide private ``jieba.Tokenizer`` with the domain dictionary loaded (built on first use)."""
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                tok.initialize()
                for term in load_domain_terms():
                    tok.add_word(term, freq=max(tok.suggest_freq(term, tune=False), 2000))
                _tokenizer = tok
    return _tokenizer


def word_freq(word: str) -> int:
    """jieba's dictionary frequency of ``word`` (0 when it is no word: used to tell names from ordinary words)."""
    return get_tokenizer().FREQ.get(word) or 0


def segment(text: str) -> list[str]:
    """All jieba tokens of the normalised text (stopwords and punctuation kept, whitespace dropped)."""
    norm = normalize(text)
    if not norm:
        return []
    return [tok for tok in get_tokenizer().lcut(norm, HMM=True) if tok.strip()]


def tokenize(text: str) -> list[str]:
    """jieba tokens of :func:`normalize` (text) with stopwords and pure punctuation/emoji tokens removed."""
    stop = load_stopwords()
    return [tok for tok in segment(text) if tok not in stop and not all(is_punct(c) for c in tok)]


class _PinyinTable(dict):
    """``str.translate`` table: code point → tone-less pinyin (+ separator), filled on first sight of a char."""

    def __init__(self, sep: str) -> None:
        super().__init__()
        self.sep = sep

    def __missing__(self, code: int) -> str | int:
        ch = chr(code)
        if "\u3400" <= ch <= "\u9fff":
            from pypinyin import Style, lazy_pinyin

            value: str | int = lazy_pinyin(ch, style=Style.NORMAL, errors="default")[0] + self.sep
        else:
            value = code
        self[code] = value
        return value


_PINYIN = _PinyinTable("")
_PINYIN_SPACED = _PinyinTable(" ")


def to_pinyin(text: str, sep: str = "") -> str:
    """Tone-less pinyin of the CJK characters of ``text``, each followed by ``sep``; other characters kept.

    Used to catch homophone evasion (``草泥马`` / ``cao ni ma``, ``尼玛`` / ``你妈``). Per-character readings
    are cached, so this is a single ``str.translate`` after warm-up.
    """
    return text.translate(_PINYIN_SPACED if sep == " " else _PINYIN if sep == "" else _PinyinTable(sep))
