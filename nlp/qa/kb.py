"""The question-answering knowledge base: law articles, FAQ entries and published staff replies.

Layout of a KB folder (the shipped one is ``data/kb``)::

    laws/*.md     one law or regulation per file (``# 标题``, ``## 第X章``, ``第X条 正文``)
    faq.json      a list of FAQ entries (see :func:`load_faq`)

Law files are split into articles on ``^第[一二三四五六七八九十百零]+条``; every article keeps the law's title,
its chapter (and section) and its number. Extra entries (FAQ entries managed by staff, published replies)
are passed in by the caller as dicts and validated like the shipped FAQ.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The KB shipped with the application: ``<repo>/data/kb`` (resolved from this file, not the CWD).
DEFAULT_KB_DIR = Path(__file__).resolve().parents[2] / "data" / "kb"

ARTICLE_RE = re.compile(r"^(第[一二三四五六七八九十百零]+条)[\s\u3000]*")
CHAPTER_RE = re.compile(r"^##\s+(.+?)\s*$")
SECTION_RE = re.compile(r"^###\s+(.+?)\s*$")
KINDS = ("law", "faq", "reply")


class KBError(ValueError):
    """A knowledge-base file or entry is malformed."""


@dataclass
class Source:
    """A legal source cited by an FAQ entry or reply: a KB law file name and an article number."""

    source: str
    article: str = ""


@dataclass
class Document:
    """One retrievable unit: a law article, an FAQ entry or a published staff reply.

    ``source`` is the KB file name (``土地管理法_2019-08-26.md``; ``faq.json`` for shipped FAQ entries; the
    caller's label for extra entries), ``article`` the article number (``第四十七条``) for laws.
    ``questions`` holds the FAQ question and its alternative phrasings (empty for laws).
    """

    id: str
    kind: str
    source: str
    title: str
    text: str
    article: str = ""
    chapter: str = ""
    url: str = ""
    questions: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)

    def search_text(self) -> str:
        """The text indexed for lexical retrieval."""
        if self.kind == "law":
            return f"{self.title} {self.chapter} {self.article} {self.text}"
        return " ".join([*self.questions, self.text])


def _heading(text: str) -> str:
    """``第一章  总 则`` → ``第一章 总则`` (the source spaces out short headings)."""
    m = re.match(r"(第\S+?[编章节])\s*(.*)", text)
    if not m:
        return re.sub(r"\s+", "", text)
    rest = re.sub(r"\s+", "", m.group(2))
    return f"{m.group(1)} {rest}".strip()


def _law_title(lines: list[str], fallback: str) -> str:
    for line in lines:
        if line.startswith("# "):
            return line[2:].strip()
    return fallback


def split_law(text: str, source: str) -> list[Document]:
    """Split one law file's Markdown into article documents, keeping title, chapter and article number."""
    lines = text.splitlines()
    title = _law_title(lines, Path(source).stem.split("_")[0])
    try:
        start = next(i for i, line in enumerate(lines) if "<!-- INFO END -->" in line) + 1
    except StopIteration:
        start = 0
    chapter = section = ""
    docs: list[Document] = []
    current: tuple[str, str, list[str]] | None = None

    def flush() -> None:
        if current is None:
            return
        number, where, body = current
        content = "\n".join(part for part in body if part).strip()
        docs.append(
            Document(
                id=f"law:{source}#{number}",
                kind="law",
                source=source,
                title=title,
                article=number,
                chapter=where,
                text=content,
                url=f"laws/{source}#{number}",
            )
        )

    for raw in lines[start:]:
        line = raw.strip()
        if m := SECTION_RE.match(line):
            section = _heading(m.group(1))
            continue
        if m := CHAPTER_RE.match(line):
            chapter, section = _heading(m.group(1)), ""
            continue
        if m := ARTICLE_RE.match(line):
            flush()
            where = " ".join(x for x in (chapter, section) if x)
            current = (m.group(1), where, [line[m.end():]])
            continue
        if current is not None and line:
            current[2].append(line)
    flush()
    return docs


def load_laws(folder: str | Path) -> list[Document]:
    """All articles of every ``*.md`` law file in ``folder`` (README files are skipped), in file-name order."""
    docs: list[Document] = []
    for path in sorted(Path(folder).glob("*.md")):
        if path.name.lower().startswith("readme"):
            continue
        docs.extend(split_law(path.read_text(encoding="utf-8"), path.name))
    return docs


def _as_str_list(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KBError(f"{what}: expected a list of strings")
    return [v for v in value if v.strip()]


def entry_to_document(entry: Mapping[str, Any], default_kind: str = "faq", default_source: str = "faq") -> Document:
    """Validate one FAQ/reply dict and turn it into a :class:`Document`.

    Required keys: ``id``, ``question``, ``answer``. Optional: ``alternatives`` (list of phrasings),
    ``sources`` (list of ``{"source": "<law file>.md", "article": "第X条"}``), ``kind`` (``faq`` or ``reply``),
    ``title``, ``url`` and ``source`` (a label for where the entry comes from, e.g. ``staff-faq``).
    """
    if not isinstance(entry, Mapping):
        raise KBError(f"entry must be an object, got {type(entry).__name__}")
    missing = [k for k in ("id", "question", "answer") if not entry.get(k)]
    if missing:
        raise KBError(f"entry {entry.get('id', '?')}: missing {', '.join(missing)}")
    kind = str(entry.get("kind") or default_kind)
    if kind not in ("faq", "reply"):
        raise KBError(f"entry {entry['id']}: kind must be faq or reply, got {kind!r}")
    question = str(entry["question"]).strip()
    alternatives = _as_str_list(entry.get("alternatives"), f"entry {entry['id']} alternatives")
    sources = []
    for item in entry.get("sources") or []:
        if isinstance(item, Mapping) and item.get("source"):
            sources.append(Source(str(item["source"]), str(item.get("article") or "")))
        else:
            raise KBError(f"entry {entry['id']}: each source needs a 'source' key")
    return Document(
        id=f"{kind}:{entry['id']}",
        kind=kind,
        source=str(entry.get("source") or default_source),
        title=str(entry.get("title") or question),
        text=str(entry["answer"]).strip(),
        url=str(entry.get("url") or ""),
        questions=[question, *alternatives],
        sources=sources,
    )


def load_faq(path: str | Path) -> list[Document]:
    """Load a FAQ JSON file: a list of entries (see :func:`entry_to_document`); ids must be unique."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise KBError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from exc
    if isinstance(data, Mapping):
        data = data.get("entries", [])
    if not isinstance(data, list):
        raise KBError(f"{path}: expected a list of entries")
    docs = [entry_to_document(e, "faq", path.name) for e in data]
    seen: set[str] = set()
    for doc in docs:
        if doc.id in seen:
            raise KBError(f"{path}: duplicate id {doc.id}")
        seen.add(doc.id)
    return docs


class KnowledgeBase:
    """All documents the answerer can cite, with lookup by id and a content hash for index invalidation."""

    def __init__(self, documents: Iterable[Document], folder: str | Path | None = None) -> None:
        self.documents: list[Document] = list(documents)
        #: the KB folder when loaded from disk (its ``index/`` holds a shipped embedding seed cache)
        self.folder = Path(folder) if folder else None
        self._by_id = {d.id: d for d in self.documents}
        self._articles = {(d.source, d.article): d for d in self.documents if d.kind == "law"}

    @classmethod
    def load(
        cls, kb_dir: str | Path | None = None, extra: Iterable[Mapping[str, Any]] | None = None
    ) -> KnowledgeBase:
        """Load ``kb_dir`` (default: the shipped ``data/kb``) plus caller-supplied FAQ/reply dicts.

        Extra entries with an id already used are rejected with :class:`KBError`.
        """
        folder = Path(kb_dir) if kb_dir else DEFAULT_KB_DIR
        if not folder.is_dir():
            raise FileNotFoundError(2, "knowledge-base folder not found", str(folder))
        laws_dir = folder / "laws"
        docs = load_laws(laws_dir if laws_dir.is_dir() else folder)
        faq = folder / "faq.json"
        if faq.is_file():
            docs.extend(load_faq(faq))
        kb = cls(docs, folder)
        for entry in extra or []:
            doc = entry_to_document(entry, "faq", "staff")
            if doc.id in kb._by_id:
                raise KBError(f"duplicate id {doc.id}")
            kb._add(doc)
        return kb

    def _add(self, doc: Document) -> None:
        self.documents.append(doc)
        self._by_id[doc.id] = doc

    def __len__(self) -> int:
        return len(self.documents)

    def get(self, doc_id: str) -> Document | None:
        """The document with this id, or None."""
        return self._by_id.get(doc_id)

    def article(self, source: str, article: str) -> Document | None:
        """The law article ``article`` of KB file ``source``, or None."""
        return self._articles.get((source, article))

    def content_hash(self) -> str:
        """SHA-256 over every document's indexed content; changes whenever a rebuild is needed."""
        h = hashlib.sha256()
        for d in self.documents:
            h.update(json.dumps([d.id, d.kind, d.title, d.chapter, d.text, d.questions], ensure_ascii=False).encode())
            h.update(b"\n")
        return h.hexdigest()

    def check_sources(self) -> list[str]:
        """Problems with FAQ/reply citations: every cited law file and article must exist in this KB."""
        problems = []
        files = {d.source for d in self.documents if d.kind == "law"}
        for d in self.documents:
            for s in d.sources:
                if s.source not in files:
                    problems.append(f"{d.id}: unknown source file {s.source}")
                elif s.article and (s.source, s.article) not in self._articles:
                    problems.append(f"{d.id}: {s.source} has no {s.article}")
        return problems
