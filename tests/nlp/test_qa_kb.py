"""Knowledge base: law files split into articles, the starter FAQ, extra entries and the content hash."""

from __future__ import annotations

import json
import re

import pytest

from nlp.qa.kb import (
    DEFAULT_KB_DIR,
    KBError,
    KnowledgeBase,
    entry_to_document,
    load_faq,
    load_laws,
    split_law,
)

LAWS_DIR = DEFAULT_KB_DIR / "laws"
ARTICLE_LINE = re.compile(r"^第[一二三四五六七八九十百零]+条", re.M)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def test_all_law_files_are_shipped_with_their_names():
    names = {p.name for p in LAWS_DIR.glob("*.md") if p.name != "README.md"}
    assert len(names) == 36
    assert "土地管理法_2019-08-26.md" in names


def test_every_article_line_becomes_one_document(kb):
    for path in LAWS_DIR.glob("*.md"):
        if path.name == "README.md":
            continue
        expected = len(ARTICLE_LINE.findall(path.read_text(encoding="utf-8")))
        got = [d for d in kb.documents if d.kind == "law" and d.source == path.name]
        assert len(got) == expected, path.name


def test_article_keeps_title_chapter_number_and_paragraphs(kb):
    doc = kb.article("土地管理法_2019-08-26.md", "第四十七条")
    assert doc is not None
    assert doc.title == "中华人民共和国土地管理法"
    assert doc.chapter == "第五章 建设用地"
    assert doc.text.startswith("国家征收土地的")
    assert "听证会" in doc.text  # third paragraph of the same article
    assert "第四十八条" not in doc.text
    assert doc.url == "laws/土地管理法_2019-08-26.md#第四十七条"


def test_sections_are_part_of_the_chapter_label(kb):
    doc = kb.article("行政许可法_2019-04-23.md", "第四十七条")
    assert doc is not None and "听证" in doc.chapter


def test_split_law_ignores_the_header_before_info_end():
    text = "# 某条例\n\n第一条 不是条文（在元信息里）\n<!-- INFO END -->\n## 第一章 总则\n第一条 正文一。\n第二款。\n第二条 正文二。\n"
    docs = split_law(text, "x.md")
    assert [d.article for d in docs] == ["第一条", "第二条"]
    assert docs[0].text == "正文一。\n第二款。"
    assert docs[0].chapter == "第一章 总则"


def test_readme_is_not_a_law(kb):
    assert not any(d.source.lower().startswith("readme") for d in kb.documents)
    assert len(load_laws(LAWS_DIR)) == sum(d.kind == "law" for d in kb.documents)


def test_starter_faq_is_large_and_complete():
    entries = json.loads((DEFAULT_KB_DIR / "faq.json").read_text(encoding="utf-8"))
    assert len(entries) >= 40
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids))
    for e in entries:
        assert e["question"].strip() and e["answer"].strip(), e["id"]
        assert len(e["alternatives"]) >= 2, e["id"]
        assert e["sources"], e["id"]


def test_every_faq_source_exists_in_the_shipped_kb(kb):
    assert kb.check_sources() == []
    assert sum(d.kind == "faq" for d in kb.documents) == len(load_faq(DEFAULT_KB_DIR / "faq.json"))


def test_check_sources_reports_unknown_files_and_articles():
    kb = KnowledgeBase.load(extra=[
        {"id": "x1", "question": "问", "answer": "答", "sources": [{"source": "没有这个法.md", "article": "第一条"}]},
        {"id": "x2", "question": "问", "answer": "答",
         "sources": [{"source": "土地管理法_2019-08-26.md", "article": "第九百条"}]},
    ])
    problems = kb.check_sources()
    assert any("没有这个法.md" in p for p in problems)
    assert any("第九百条" in p for p in problems)


def test_extra_entries_become_replies_and_faqs():
    kb = KnowledgeBase.load(extra=[
        {"id": 7, "kind": "reply", "question": "柳河村规划什么时候公示？", "answer": "已于本月公示。", "source": "staff"},
        {"id": "s1", "question": "问题", "alternatives": ["说法"], "answer": "回答"},
    ])
    reply = kb.get("reply:7")
    assert reply is not None and reply.kind == "reply" and reply.source == "staff"
    assert kb.get("faq:s1").questions == ["问题", "说法"]


@pytest.mark.parametrize("entry, message", [
    ({"question": "问", "answer": "答"}, "missing id"),
    ({"id": "a", "answer": "答"}, "missing question"),
    ({"id": "a", "question": "问", "answer": "答", "kind": "law"}, "kind must be"),
    ({"id": "a", "question": "问", "answer": "答", "alternatives": [1]}, "list of strings"),
    ({"id": "a", "question": "问", "answer": "答", "sources": ["土地管理法"]}, "source"),
    ("not a dict", "must be an object"),
])
def test_bad_entries_are_rejected(entry, message):
    with pytest.raises(KBError, match=message):
        entry_to_document(entry)


def test_duplicate_extra_id_is_rejected():
    with pytest.raises(KBError, match="duplicate"):
        KnowledgeBase.load(extra=[{"id": "zd-items", "question": "问", "answer": "答"}])


def test_malformed_faq_file(tmp_path):
    (tmp_path / "faq.json").write_text("[{", encoding="utf-8")
    with pytest.raises(KBError, match="not valid JSON"):
        load_faq(tmp_path / "faq.json")


def test_missing_kb_folder(tmp_path):
    with pytest.raises(FileNotFoundError):
        KnowledgeBase.load(tmp_path / "nope")


def test_content_hash_changes_with_content(kb):
    same = KnowledgeBase.load()
    more = KnowledgeBase.load(extra=[{"id": "n", "question": "问", "answer": "答"}])
    assert kb.content_hash() == same.content_hash() != more.content_hash()
