"""Comment screening: spam, abuse, personal data, duplicates and campaigns, content-free posts, value score.

``screen(items)`` takes a batch of ``{"id", "text"}`` items and returns one :class:`Screening` per item, in
order. Each detector lives in its own module (``spam``, ``abuse``, ``pii``, ``dedup``, ``lowinfo``,
``value``) and explains itself with Chinese reasons for reviewers. Thresholds are constructor parameters
of :class:`Screener` and the detectors, with defaults chosen on the benchmarks named in their docstrings.
Models load lazily, once per process.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from nlp.screening.abuse import AbuseDetector, lexicon_hits
from nlp.screening.decision import Prepared, prepare
from nlp.screening.dedup import DuplicateFinder
from nlp.screening.lowinfo import LowInfoDetector
from nlp.screening.names import warm_up as warm_up_names
from nlp.screening.pii import PiiDetector
from nlp.screening.spam import SpamDetector
from nlp.screening.value import ValueScorer

__all__ = ["Screener", "Screening", "screen", "get_screener"]

HANDLE_KINDS = frozenset({"qq", "wechat", "street"})  # contact handles: personal data unless they are an ad's
CLI_FIELDS = ("id", "spam", "abusive", "pii", "low_info", "duplicate_of", "value", "reasons", "redacted")


@dataclass
class Screening:
    """The screening result of one comment.

    ``redacted`` is the only text the public should ever see (personal data masked); the original is never
    changed. ``family_size`` counts the comments in this one's duplicate family (1 when unique);
    ``scores`` holds detector scores and ``features`` what decided them.
    """

    id: Any
    spam: bool
    abusive: bool
    pii: bool
    low_info: bool
    duplicate_of: Any
    value: int
    reasons: list[str]
    redacted: str
    family_size: int = 1
    scores: dict[str, float] = field(default_factory=dict)
    features: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, full: bool = False) -> dict[str, Any]:
        """The command-line JSON shape (``full=True`` adds family size, scores and features)."""
        data = asdict(self)
        return data if full else {key: data[key] for key in CLI_FIELDS}


class Screener:
    """Runs every detector over a batch.

    Parameters
    ----------
    spam, abuse, pii, dedup, low_info, value:
        Detector instances; ``None`` builds each with its documented defaults.
    """

    def __init__(self, spam: SpamDetector | None = None, abuse: AbuseDetector | None = None,
                 pii: PiiDetector | None = None, dedup: DuplicateFinder | None = None,
                 low_info: LowInfoDetector | None = None, value: ValueScorer | None = None) -> None:
        self.spam = spam
        self.abuse = abuse
        self.pii = pii
        self.dedup = dedup
        self.low_info = low_info
        self.value = value

    def load(self) -> Screener:
        """Build missing detectors and load the trained models (idempotent); returns self."""
        if getattr(self, "loaded_", False):
            return self
        self.spam_ = (self.spam or SpamDetector()).load()
        self.abuse_ = (self.abuse or AbuseDetector()).load()
        self.pii_ = self.pii or PiiDetector()
        self.dedup_ = self.dedup or DuplicateFinder()
        self.low_info_ = self.low_info or LowInfoDetector()
        self.value_ = self.value or ValueScorer()
        warm_up_names()  # jieba's tag table, so the first comment with a bare name is as fast as the rest
        self.loaded_ = True
        return self

    def screen(self, items: list[Any]) -> list[Screening]:
        """Screen a batch: ``items`` are dicts with ``id`` and ``text`` (or bare strings, id = position)."""
        self.load()
        ids: list[Any] = []
        texts: list[str] = []
        for i, item in enumerate(items):
            if isinstance(item, dict):
                ids.append(item.get("id", i))
                text = item.get("text", "")
            else:
                ids.append(i)
                text = item
            texts.append(text if isinstance(text, str) else ("" if text is None else str(text)))
        preps = [prepare(t) for t in texts]
        low = [self.low_info_.detect(p) for p in preps]
        spam_p = self.spam_.probabilities(preps)
        abuse_p = self.abuse_.probabilities(preps)
        dups = self.dedup_.decisions(preps, ids, skip=[d.flag for d in low])
        results = []
        for i, prep in enumerate(preps):
            results.append(self._one(ids[i], prep, low[i], spam_p[i], abuse_p[i], dups[i]))
        return results

    def _one(self, item_id: Any, prep: Prepared, low: Any, spam_p: float, abuse_p: float, dup: Any) -> Screening:
        spam = self.spam_.decide(prep, spam_p)
        abuse = self.abuse_.decide(prep, abuse_p)
        if low.flag:  # "???" or an emoji is never an ad or an insult worth flagging beyond the lexicon
            spam.flag = spam.flag and bool(spam.features.get("link") or spam.features.get("evasion"))
        pii, redacted = self.pii_.detect(prep.original)
        handles_only = pii.flag and set(pii.features["kinds"]) <= HANDLE_KINDS
        if handles_only and (spam.flag or pii.features.get("quoted")):
            # A QQ number or WeChat ID in an ad is the seller's contact, not a resident's personal data: still
            # masked in the redacted text, but not flagged (a resident's own handle is; see docs/screening.md).
            # So is an ad's handle a resident quotes to complain about it ("有人发广告说“加微信tdlz888…”").
            pii.flag = False
            pii.reasons = [r.replace("含个人信息", "含广告联系方式(已遮盖)") for r in pii.reasons]
        dup_decision, family_size = dup
        insult_chars = sum(len(h) for h in abuse.features.get("strong", []) + abuse.features.get("mild", []))
        value = self.value_.score(prep, spam=spam.flag, low_info=low.flag, insult_chars=insult_chars if abuse.flag else 0)
        reasons: list[str] = []
        for decision in (spam, abuse, pii, low, dup_decision):
            if decision.flag or decision is dup_decision or decision is pii:  # pii: also masked ad handles
                reasons += decision.reasons
        reasons += value.reasons
        if "\ufffd" in prep.original:
            reasons.append("含无法识别的字符(已替换)")
        if prep.has_markup:
            reasons.append("含HTML/脚本标记(检测时已去除)")
        if prep.truncated:
            reasons.append(f"文本过长({len(prep.original)}字)，仅检测前部；个人信息已全文遮盖")
        return Screening(
            id=item_id,
            spam=spam.flag,
            abusive=abuse.flag,
            pii=pii.flag,
            low_info=low.flag,
            duplicate_of=dup_decision.features["family"] if dup_decision.flag else None,
            value=int(value.score),
            reasons=reasons,
            redacted=redacted,
            family_size=family_size,
            scores={"spam": spam.score, "spam_proba": round(spam_p, 3), "abuse_proba": round(abuse_p, 3)},
            features={"spam": spam.features, "abuse": abuse.features, "pii": pii.features, "value": value.features,
                      "low_info": low.features},
        )


_default: Screener | None = None
_default_lock = threading.Lock()


def get_screener() -> Screener:
    """The process-wide screener with default thresholds, loaded on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Screener().load()
    return _default


def screen(items: list[Any]) -> list[Screening]:
    """Screen a batch of ``{"id", "text"}`` items with the default screener; one :class:`Screening` each."""
    return get_screener().screen(items)


# Re-exported for callers that only need the lexicon (e.g. highlighting insults in the review UI).
insult_hits = lexicon_hits
