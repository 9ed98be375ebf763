"""Answering residents' questions from the knowledge base, with citations, or an honest refusal.

The answer is extractive: the FAQ (or published reply) text when one matches, otherwise excerpts of the
best law article(s) with the law's name and article number and a note that this is not legal advice.
When unsure (confidence below the threshold), or when the question asks for something the KB cannot hold
(a specific village's compensation figure, an accusation against a person, weather, chit-chat, English),
it refuses politely and offers to pass the question to staff. The top five citations are returned in
every case, best first.
"""

from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlp.qa.index import FusionParams, Hit, QAIndex, load_or_build
from nlp.qa.kb import Document, KnowledgeBase
from nlp.qa.lang import DOMAIN_TERMS, bigrams, colloquial_terms, expand_query, has_cjk, normalize
from nlp.qa.scope import out_of_scope_reason

DISCLAIMER = "以上内容仅供参考，不构成法律意见。"
REFUSAL = "抱歉，这个问题我暂时无法根据现有的法律法规和常见问题给出可靠的回答。如您愿意，可以把问题转交给工作人员，他们会尽快答复您。"
REFUSALS = {
    "empty": "请输入您想咨询的问题，例如“征地补偿标准是怎么定的？”。",
    "figure": "具体村组或地块的补偿金额，需要以当地公布的征地补偿安置方案和补偿协议为准，我无法给出准确数字。"
    "如您愿意，可以把问题转交给工作人员，由他们核实后答复您。",
    "accusation": "涉及具体个人的举报或指控，本平台无法核实和答复。您可以通过信访、纪检监察等正式渠道实名反映，"
    "也可以把问题转交给工作人员。",
}
#: Characters of a question that are looked at; longer questions are cut (rambling tails add little).
MAX_QUESTION_CHARS = 600
EXCERPT_CHARS = 260


@dataclass
class Citation:
    """A cited source: KB file name, article number (empty for FAQ/reply entries) and retrieval score."""

    source: str
    article: str
    score: float
    kind: str = "law"
    title: str = ""
    url: str = ""
    doc_id: str = ""


@dataclass
class Answer:
    """The result of :meth:`Answerer.answer`.

    ``kind`` is what the answer text comes from: ``faq``, ``reply``, ``law`` or ``refusal``;
    ``reason`` says why a question was refused (``low_confidence``, ``empty``, ``not_chinese``, ``off_topic``,
    ``figure``, ``accusation``); ``title``/``url``/``doc_id`` describe the matched document.
    """

    answered: bool
    answer: str
    citations: list[Citation] = field(default_factory=list)
    kind: str = "refusal"
    title: str = ""
    url: str = ""
    doc_id: str = ""
    confidence: float = 0.0
    reason: str = ""

    def to_dict(self, full: bool = True) -> dict[str, Any]:
        """JSON-ready dict; ``full=False`` gives only the command-line fields."""
        if full:
            return asdict(self)
        return {
            "answered": self.answered,
            "answer": self.answer,
            "citations": [
                {"source": c.source, "article": c.article, "score": round(c.score, 4)} for c in self.citations
            ],
        }


#: Names of the features behind :func:`question_features`, in order.
FEATURES = ("dense_top", "dense_max", "words_top", "bigrams_mean", "vocab_coverage", "domain_terms", "agree")


@dataclass
class AnswerParams:
    """Answering and abstention settings.

    The confidence is a logistic model over :data:`FEATURES` (``coef``, ``intercept``) fitted on the *tune*
    half of ``tests/data/qa_dev.jsonl`` by ``bench/qa.py --tune``; a question is answered when the
    probability reaches ``threshold``. See docs/qa.md for how the defaults were chosen.
    """

    coef: tuple[float, ...] = (43.4834, 28.5189, 0.1632, -0.8596, 6.2562, 0.7578, 1.6521)
    intercept: float = -68.8927
    threshold: float = 0.625
    #: an FAQ/reply is the answer when its own score is at least this share of the best article's
    entry_ratio: float = 1.0
    max_citations: int = 5
    #: a second article is quoted when its score is at least this share of the first one's
    second_article_ratio: float = 0.85
    #: list the matched FAQ entry's own sources before the retrieved articles. Off by default: the fused
    #: ranking already lifts them when the FAQ really matches, and forcing them first cost 20-40 points of
    #: top-1 on dev questions that no FAQ entry covers (bench/qa.py, docs/qa.md)
    entry_sources_first: bool = False


def question_features(index: QAIndex, text: str, scores: tuple[np.ndarray, np.ndarray, np.ndarray],
                      hits: list[Hit]) -> np.ndarray:
    """The abstention features of a normalised question (see :data:`FEATURES`)."""
    words, grams, dense = scores
    top = hits[0] if hits else None
    own = list(dict.fromkeys(bigrams(text)))
    vocab = index.bm25_bigrams_.vocab_dict
    expanded = expand_query(text)
    terms = sum(1 for t in DOMAIN_TERMS if t in expanded) + len(colloquial_terms(text))
    return np.array([
        top.dense if top else 0.0,
        float(dense.max()) if len(dense) else 0.0,
        float(np.log1p(words.max())) if len(words) else 0.0,
        float(grams.max()) / max(len(own), 1) if len(grams) else 0.0,
        sum(1 for b in own if b in vocab) / max(len(own), 1),
        min(terms, 4) / 4,
        sum(1 for r in (top.ranks.values() if top else []) if r <= 3) / 3,
    ], dtype=np.float64)


def confidence(features: np.ndarray, params: AnswerParams) -> float:
    """Probability that the question is answerable from the KB (logistic model over the features)."""
    z = float(np.dot(np.asarray(params.coef, dtype=np.float64), features) + params.intercept)
    return float(1.0 / (1.0 + np.exp(-np.clip(z, -50, 50))))


def _law_name(doc: Document) -> str:
    return doc.title.removeprefix("中华人民共和国") if doc.title.startswith("中华人民共和国") else doc.title


def excerpt(doc: Document, question: str, limit: int = EXCERPT_CHARS) -> str:
    """The most relevant paragraphs of an article (by shared character bigrams), in order, within ``limit``."""
    paragraphs = [p for p in doc.text.split("\n") if p.strip()]
    if sum(len(p) for p in paragraphs) <= limit:
        return "\n".join(paragraphs)
    wanted = set(bigrams(normalize(question)))
    scored = sorted(
        range(len(paragraphs)),
        key=lambda i: (-len(wanted & set(bigrams(normalize(paragraphs[i])))), i),
    )
    chosen: list[int] = []
    used = 0
    for i in scored:
        if used + len(paragraphs[i]) > limit and chosen:
            continue
        chosen.append(i)
        used += len(paragraphs[i])
        if used >= limit:
            break
    chosen.sort()
    parts = []
    for n, i in enumerate(chosen):
        if n == 0 and i > 0 or n > 0 and i != chosen[n - 1] + 1:
            parts.append("……")
        text = paragraphs[i]
        parts.append(text if len(text) <= limit else text[:limit] + "……")
    return "\n".join(parts)


class Answerer:
    """Answers questions from a fitted :class:`QAIndex`.

    Build one with :meth:`from_kb` (loads the saved index, building it only when the KB changed), then call
    :meth:`answer` per question; it is thread-safe and does no file I/O per request.
    """

    def __init__(self, index: QAIndex, params: AnswerParams | None = None) -> None:
        self.index = index
        self.params = params or AnswerParams()

    @classmethod
    def from_kb(
        cls,
        kb_dir: str | Path | None = None,
        extra: list[dict[str, Any]] | None = None,
        index_root: str | Path | None = None,
        embedder=None,
        params: AnswerParams | None = None,
        fusion: FusionParams | None = None,
    ) -> Answerer:
        """Load ``kb_dir`` (default shipped ``data/kb``) plus ``extra`` FAQ/reply dicts and its index."""
        kb = KnowledgeBase.load(kb_dir, extra)
        return cls(load_or_build(kb, index_root, embedder, fusion), params)

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base behind the index."""
        return self.index.kb_

    def answer(self, question: str) -> Answer:
        """Answer one question (any string; empty, huge, emoji-only and HTML inputs are handled)."""
        text = normalize(question if isinstance(question, str) else str(question or ""))
        text = re.sub(r"<[^>]{0,200}>", " ", text)[:MAX_QUESTION_CHARS].strip()
        if not text or not any(ch.isalnum() for ch in text):
            return Answer(False, REFUSALS["empty"], reason="empty")
        scores = self.index.component_scores(text)
        hits = self.index.fuse(*scores, k=30, hints=self.index.law_hints(text))
        citations = self._citations(hits, None)
        # the abstention model was fitted on the plain fusion: the law-hint vote reorders, it is no evidence
        plain = self.index.fuse(*scores, k=30)
        conf = confidence(question_features(self.index, text, scores, plain), self.params)
        reason = None
        if not has_cjk(text):
            reason = "not_chinese"
        elif scope := out_of_scope_reason(text):
            reason = scope
        elif not hits or conf < self.params.threshold:
            reason = "low_confidence"
        if reason:
            return Answer(False, REFUSALS.get(reason, REFUSAL), citations, confidence=conf, reason=reason)
        entries = [h for h in hits if h.doc.kind != "law"]
        laws = [h for h in hits if h.doc.kind == "law"]
        best_law = max((h.own_score for h in laws), default=0.0)
        if entries:
            entry = max(entries, key=lambda h: h.own_score)
            if entry.dense >= self.index.params.faq_gate and entry.own_score >= self.params.entry_ratio * best_law:
                return self._from_entry(entry, hits, conf)
        return self._from_laws(text, hits, conf)

    def _citations(self, hits: list[Hit], entry: Hit | None) -> list[Citation]:
        out: list[Citation] = []
        seen: set[tuple[str, str]] = set()

        def add(doc: Document, score: float) -> None:
            key = (doc.source, doc.article or doc.id)
            if key not in seen and len(out) < self.params.max_citations:
                seen.add(key)
                out.append(Citation(doc.source, doc.article, score, doc.kind, doc.title, doc.url, doc.id))

        if entry is not None and self.params.entry_sources_first:
            for s in entry.doc.sources:
                law = self.kb.article(s.source, s.article)
                if law is not None:
                    add(law, entry.score)
        if entry is not None and not entry.doc.sources:
            add(entry.doc, entry.score)
        for hit in hits:
            if hit.doc.kind == "law":
                add(hit.doc, hit.score)
        return out

    def _from_entry(self, top: Hit, hits: list[Hit], conf: float) -> Answer:
        doc = top.doc
        refs = []
        for s in doc.sources:
            law = self.kb.article(s.source, s.article)
            name = _law_name(law) if law else s.source.rsplit("_", 1)[0]
            refs.append(f"《{name}》{s.article}")
        text = doc.text
        if refs:
            text += "\n依据：" + "；".join(dict.fromkeys(refs)) + "。"
        text += "\n" + DISCLAIMER
        return Answer(True, text, self._citations(hits, top), doc.kind, doc.title, doc.url, doc.id, conf)

    def _from_laws(self, question: str, hits: list[Hit], conf: float) -> Answer:
        laws = [h for h in hits if h.doc.kind == "law"]
        chosen = laws[:1]
        if len(laws) > 1 and laws[1].score >= self.params.second_article_ratio * laws[0].score:
            chosen.append(laws[1])
        parts = [f"根据《{_law_name(h.doc)}》{h.doc.article}：\n{excerpt(h.doc, question)}" for h in chosen]
        text = "\n\n".join(parts) + "\n" + DISCLAIMER
        top = chosen[0].doc
        return Answer(True, text, self._citations(hits, None), "law", f"{top.title} {top.article}", top.url,
                      top.id, conf)


_answerers: dict[str, Answerer] = {}
_answerers_lock = threading.Lock()


def get_answerer(kb_dir: str | Path | None = None, index_root: str | Path | None = None) -> Answerer:
    """The process-wide :class:`Answerer` for a KB folder (built or loaded once, then cached)."""
    key = f"{Path(kb_dir).resolve() if kb_dir else ''}|{index_root or ''}"
    with _answerers_lock:
        if key not in _answerers:
            _answerers[key] = Answerer.from_kb(kb_dir, index_root=index_root)
        return _answerers[key]


def answer(question: str, kb_dir: str | Path | None = None) -> Answer:
    """Answer ``question`` with the cached answerer of ``kb_dir`` (default: the shipped KB)."""
    return get_answerer(kb_dir).answer(question)
