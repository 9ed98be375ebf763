"""Resident Q&A chatbot in the portal: chat page, JSON API, feedback and tickets, staff FAQ, charts, CLI.

The QA index is real (nlp.qa with its embedder) and is built once per test session in a temporary folder
(``qa_index_dir``); every app of this module points ``QA_INDEX_DIR`` at it.
"""

from __future__ import annotations

import json
import shutil

import pytest

from portal.extensions import db as _db
from portal.models import AuditEvent, FaqEntry, QaQuestion, QaTicket, Role
from tests.conftest import build_app

IN_SCOPE = "宅机地能不能卖给城里人"
OUT_OF_SCOPE = "今天天气怎么样，会下雨吗"
LAND_LAW = "土地管理法_2019-08-26.md"


@pytest.fixture(scope="session")
def qa_index_dir(tmp_path_factory):
    """One saved QA index for the whole session (building it embeds ~2,000 texts: slow on a shared CPU)."""
    from nlp.qa.answer import Answerer
    from nlp.qa.index import default_index_root

    root = tmp_path_factory.mktemp("qa_index")
    # Reuse vectors someone already computed on this machine (only speed; the index is still built here).
    for cache in default_index_root().glob("embeddings-*.npz") if default_index_root().is_dir() else []:
        shutil.copy(cache, root / cache.name)
    Answerer.from_kb(index_root=root)
    return root


@pytest.fixture
def app(tmp_path, qa_index_dir):
    app = build_app(tmp_path, QA_INDEX_DIR=str(qa_index_dir), QA_RELOAD_CHECK_SECONDS=0)
    with app.app_context():
        yield app
        _db.session.remove()
        _db.drop_all()


def _ask(client, text, **extra):
    return client.post("/qa", data={"question": text, **extra})


def _api(client, payload):
    return client.post("/api/qa/ask", data=json.dumps(payload), content_type="application/json")


def _questions():
    return _db.session.execute(_db.select(QaQuestion).order_by(QaQuestion.id)).scalars().all()


# -- chat page ---------------------------------------------------------------------------------------------


def test_chat_page_is_a_plain_form(client):
    response = client.get("/qa")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "政策问答" in html
    assert 'method="post"' in html and 'name="question"' in html


def test_in_scope_question_is_answered_with_citations_and_logged(client):
    response = _ask(client, IN_SCOPE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-answered="true"' in html
    assert 'id="citations"' in html and "/qa/laws/" in html
    assert "不构成法律意见" in html
    assert 'id="feedback-form"' in html
    [row] = _questions()
    assert row.answered and row.text == IN_SCOPE and row.channel == "web"
    assert row.citations and all({"source", "article", "score"} <= set(c) for c in row.citations)
    assert row.topic == "宅基地与建房"


def test_out_of_scope_question_is_refused_and_offers_handover(client):
    response = _ask(client, OUT_OF_SCOPE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-answered="false"' in html
    assert 'id="handover"' in html and "转交" in html
    assert 'id="citations"' not in html  # no unrelated article presented as an answer
    [row] = _questions()
    assert not row.answered and row.reason


@pytest.mark.parametrize("text, message", [("", "请输入"), ("   \n ", "请输入"), ("征地" * 5000, "问题太长")])
def test_empty_or_huge_question_gets_a_clear_error(client, text, message):
    response = _ask(client, text)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _questions() == []


def test_emoji_and_html_never_break_the_page(client):
    response = _ask(client, "😀😀🙏")
    assert response.status_code == 200
    assert 'data-answered="false"' in response.get_data(as_text=True)
    response = _ask(client, "<script>alert(1)</script>征地补偿标准")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_unknown_project_is_rejected(client):
    response = _ask(client, IN_SCOPE, project="999")
    assert response.status_code == 400
    assert "所选项目不存在" in response.get_data(as_text=True)


def test_question_can_be_tied_to_a_project(client, make_project):
    project = make_project()
    assert _ask(client, IN_SCOPE, project=str(project.id)).status_code == 200
    assert _questions()[0].project_id == project.id


def test_law_page_has_article_anchors(client):
    response = client.get(f"/qa/laws/{LAND_LAW}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="第四十七条"' in html and "土地管理法" in html
    missing = client.get("/qa/laws/不存在的法.md")
    assert missing.status_code == 404
    assert "知识库中没有这部法规" in missing.get_data(as_text=True)


# -- JSON API ----------------------------------------------------------------------------------------------


def test_api_returns_the_cli_structure(client):
    response = _api(client, {"question": IN_SCOPE})
    assert response.status_code == 200
    data = response.get_json()
    assert set(data) == {"question_id", "token", "answered", "answer", "citations"}
    assert data["answered"] is True and data["answer"]
    assert 1 <= len(data["citations"]) <= 5
    assert all(set(c) == {"source", "article", "score"} for c in data["citations"])
    scores = [c["score"] for c in data["citations"]]
    assert scores == sorted(scores, reverse=True)
    assert _questions()[0].channel == "api"


def test_api_refusal_still_lists_citations_and_is_logged(client):
    data = _api(client, {"question": OUT_OF_SCOPE}).get_json()
    assert data["answered"] is False and "工作人员" in data["answer"]
    assert len(_questions()) == 1


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"征地"', ""])
def test_api_invalid_json_is_a_clear_400(client, body):
    response = client.post("/api/qa/ask", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("payload, message", [
    ({"question": ""}, "请输入"), ({}, "请输入"), ({"question": 42}, "必须是文字"),
    ({"question": "征" * 10000}, "问题太长"), ({"question": IN_SCOPE, "project_id": "abc"}, "项目不存在"),
])
def test_api_bad_questions(client, payload, message):
    response = _api(client, payload)
    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]


def test_api_emoji_only_is_a_refusal_not_an_error(client):
    response = _api(client, {"question": "🙂🙂🙂"})
    assert response.status_code == 200
    assert response.get_json()["answered"] is False


def test_api_is_rate_limited(tmp_path, qa_index_dir):
    app = build_app(tmp_path, QA_INDEX_DIR=str(qa_index_dir), RATELIMIT_ENABLED=True,
                    QA_RATE_LIMIT="2 per minute")
    client = app.test_client()
    codes = [_api(client, {"question": OUT_OF_SCOPE}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    flood = _api(client, {"question": OUT_OF_SCOPE})
    assert flood.status_code == 429 and "太频繁" in flood.get_json()["error"]["message"]
    with app.app_context():
        _db.drop_all()


# -- feedback and tickets ----------------------------------------------------------------------------------


def test_helpful_feedback_is_recorded_without_ticket(client):
    data = _api(client, {"question": IN_SCOPE}).get_json()
    response = client.post(f"/qa/q/{data['question_id']}/feedback", data={"token": data["token"], "yes": "有帮助"})
    assert response.status_code == 200 and "谢谢" in response.get_data(as_text=True)
    row = _questions()[0]
    assert row.helpful is True and row.ticket is None


def test_unhelpful_feedback_creates_a_ticket_with_code(client):
    data = _api(client, {"question": IN_SCOPE}).get_json()
    response = client.post(f"/qa/q/{data['question_id']}/feedback", data={"token": data["token"], "no": "没有帮助"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="ticket-code"' in html
    ticket = _db.session.execute(_db.select(QaTicket)).scalar_one()
    assert ticket.text == IN_SCOPE and ticket.status == "open"
    assert ticket.code[:4] in html


def test_feedback_needs_the_askers_token(client):
    data = _api(client, {"question": IN_SCOPE}).get_json()
    response = client.post(f"/qa/q/{data['question_id']}/feedback", data={"token": "x" * 32, "no": "1"})
    assert response.status_code == 404
    assert client.post("/qa/q/9999/handover", data={"token": "x"}).status_code == 404
    api = client.post(f"/api/qa/questions/{data['question_id']}/feedback", json={"token": "bad", "helpful": False})
    assert api.status_code == 404 and api.get_json()["error"]["message"]


def test_api_feedback_bad_value_and_ticket(client):
    data = _api(client, {"question": IN_SCOPE}).get_json()
    url = f"/api/qa/questions/{data['question_id']}/feedback"
    assert client.post(url, json={"token": data["token"], "helpful": "maybe"}).status_code == 400
    response = client.post(url, json={"token": data["token"], "helpful": False, "contact": "13800001111"})
    assert response.status_code == 200
    assert response.get_json()["ticket_code"]
    assert _db.session.execute(_db.select(QaTicket)).scalar_one().contact == "13800001111"


def test_handover_keeps_contact_private_and_code_lookup_works(client):
    data = _api(client, {"question": OUT_OF_SCOPE}).get_json()
    response = client.post(f"/qa/q/{data['question_id']}/handover",
                           data={"token": data["token"], "contact": "王大爷 13800002222"})
    assert response.status_code == 200
    ticket = _db.session.execute(_db.select(QaTicket)).scalar_one()
    assert ticket.contact == "王大爷 13800002222"
    lookup = client.get("/qa/ticket", query_string={"code": ticket.code.lower()})
    assert lookup.status_code == 302 and ticket.code in lookup.headers["Location"]
    page = client.get(f"/qa/ticket/{ticket.code}").get_data(as_text=True)
    assert "待答复" in page and "13800002222" not in page and "王大爷" not in page
    # A second hand-over does not create a second ticket.
    client.post(f"/qa/q/{data['question_id']}/handover", data={"token": data["token"]})
    assert len(_db.session.execute(_db.select(QaTicket)).scalars().all()) == 1


def test_handover_contact_too_long(client):
    data = _api(client, {"question": OUT_OF_SCOPE}).get_json()
    response = client.post(f"/qa/q/{data['question_id']}/handover", data={"token": data["token"], "contact": "1" * 200})
    assert response.status_code == 400 and "120" in response.get_data(as_text=True)


@pytest.mark.parametrize("code, status", [("", 400), ("ABC", 400), ("ABCD-2345", 404)])
def test_ticket_lookup_bad_codes(client, code, status):
    response = client.get("/qa/ticket", query_string={"code": code})
    assert response.status_code == status
    assert "编号" in response.get_data(as_text=True) or "回执码" in response.get_data(as_text=True)


# -- staff ---------------------------------------------------------------------------------------------------


def _ticket(client, text=OUT_OF_SCOPE) -> QaTicket:
    data = _api(client, {"question": text}).get_json()
    client.post(f"/qa/q/{data['question_id']}/handover", data={"token": data["token"], "contact": "13800003333"})
    return _db.session.execute(_db.select(QaTicket).order_by(QaTicket.id.desc())).scalars().first()


def test_staff_pages_need_login_and_roles(client, login):
    for url in ("/staff/qa/tickets", "/staff/qa/faq", "/staff/qa/stats"):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    login(Role.DEPARTMENT)
    page = client.get("/staff/qa/tickets")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="qa-subnav"' in html and "/staff/qa/stats" in html and "/staff/qa/faq" not in html
    assert client.get("/staff/qa/stats").status_code == 200
    assert client.get("/staff/qa/faq").status_code == 403
    assert client.post("/staff/qa/faq/new", data={"question": "q", "answer": "a"}).status_code == 403


def test_staff_answer_ticket_resident_sees_it_and_promotes_to_faq(client, login):
    ticket = _ticket(client, "俺们村的集体土地征收公告贴在哪里能看到")
    user = login(Role.REVIEWER)
    page = client.get(f"/staff/qa/tickets/{ticket.id}").get_data(as_text=True)
    assert "13800003333" in page  # staff see the private contact
    # promoting before answering is refused
    response = client.post(f"/staff/qa/tickets/{ticket.id}/promote", follow_redirects=True)
    assert "请先答复" in response.get_data(as_text=True)
    assert client.post(f"/staff/qa/tickets/{ticket.id}", data={"answer": "  "}).status_code == 400
    response = client.post(f"/staff/qa/tickets/{ticket.id}", data={"answer": "征收土地公告在乡（镇）和村、村民小组范围内张贴。"})
    assert response.status_code == 302
    resident = client.get(f"/qa/ticket/{ticket.code}").get_data(as_text=True)
    assert "已答复" in resident and "村民小组范围内张贴" in resident
    response = client.post(f"/staff/qa/tickets/{ticket.id}/promote")
    assert response.status_code == 302 and "/staff/qa/faq/" in response.headers["Location"]
    entry = _db.session.execute(_db.select(FaqEntry)).scalar_one()
    assert entry.question == ticket.text and entry.created_by_id == user.id
    again = client.post(f"/staff/qa/tickets/{ticket.id}/promote", follow_redirects=True)
    assert "已经加入常见问题" in again.get_data(as_text=True)
    actions = set(_db.session.execute(_db.select(AuditEvent.action)).scalars())
    assert {"qa.ticket_answer", "qa.ticket_promote"} <= actions
    # the promoted entry is now searchable
    data = _api(client, {"question": "俺们村的集体土地征收公告贴在哪里能看到"}).get_json()
    assert data["answered"] and "村民小组范围内张贴" in data["answer"]


def test_department_cannot_promote_but_can_close(client, login):
    ticket = _ticket(client)
    login(Role.DEPARTMENT)
    assert client.post(f"/staff/qa/tickets/{ticket.id}/promote").status_code == 403
    assert client.post(f"/staff/qa/tickets/{ticket.id}/close").status_code == 302
    assert _db.session.get(QaTicket, ticket.id).status == "closed"
    assert client.get("/staff/qa/tickets/9999").status_code == 404


def test_faq_crud_and_source_validation(client, login):
    login(Role.REVIEWER)
    bad = client.post("/staff/qa/faq/new", data={"question": "公示栏在哪", "answer": "在村委会门口。",
                                                  "sources": "不存在法 第一条", "active": "y"})
    assert bad.status_code == 400 and "没有" in bad.get_data(as_text=True)
    bad = client.post("/staff/qa/faq/new", data={"question": "公示栏在哪", "answer": "在村委会门口。",
                                                  "sources": "随便写写", "active": "y"})
    assert bad.status_code == 400 and "格式不对" in bad.get_data(as_text=True)
    assert client.post("/staff/qa/faq/new", data={"question": "", "answer": "x"}).status_code == 400
    ok = client.post("/staff/qa/faq/new", data={
        "question": "柳河村的规划公示栏设在哪里？", "alternatives": "柳河村公示栏在哪\n柳河村规划在哪看",
        "answer": "柳河村的规划公示栏设在村委会门口和文化礼堂。", "sources": "《土地管理法》第四十七条", "active": "y"})
    assert ok.status_code == 302
    entry = _db.session.execute(_db.select(FaqEntry)).scalar_one()
    assert entry.alternatives == ["柳河村公示栏在哪", "柳河村规划在哪看"]
    assert entry.sources == [{"source": LAND_LAW, "article": "第四十七条"}]
    form = client.get(f"/staff/qa/faq/{entry.id}").get_data(as_text=True)
    assert "土地管理法 第四十七条" in form
    data = _api(client, {"question": "柳河村公示栏在哪"}).get_json()
    assert data["answered"] and "文化礼堂" in data["answer"]
    assert client.post(f"/staff/qa/faq/{entry.id}", data={"question": entry.question, "answer": "改在村部。",
                                                          "active": ""}).status_code == 302
    assert _db.session.get(FaqEntry, entry.id).active is False
    assert client.post(f"/staff/qa/faq/{entry.id}/delete").status_code == 302
    assert _db.session.get(FaqEntry, entry.id) is None
    assert client.get("/staff/qa/faq/9999").status_code == 404


def test_published_replies_are_staff_entries(app, make_project):
    from portal.models import Comment, Reply
    from portal.qa import operations as ops

    project = make_project()
    comment = Comment(project=project, stage=project.stages[0], text="原文", redacted_text="机耕路能不能修宽一点",
                      receipt_code="ABCD2345", published=True)
    hidden = Comment(project=project, stage=project.stages[0], text="未公开", redacted_text="未公开的意见",
                     receipt_code="ABCD2346", published=False)
    _db.session.add_all([comment, hidden])
    _db.session.flush()
    before = ops.entries_signature()
    _db.session.add_all([Reply(comment=comment, text="机耕路将拓宽至4米。", published_at=comment.created_at),
                         Reply(comment=hidden, text="不应出现", published_at=comment.created_at)])
    _db.session.commit()
    entries = ops.staff_entries()
    assert [e["answer"] for e in entries] == ["机耕路将拓宽至4米。"]
    assert entries[0]["kind"] == "reply" and entries[0]["question"] == "机耕路能不能修宽一点"
    assert ops.entries_signature() != before


def test_stats_page_and_numbers(client, login, make_project):
    project = make_project()
    _ask(client, IN_SCOPE, project=str(project.id))
    _ask(client, "征地补偿款多久能发下来")
    _ask(client, OUT_OF_SCOPE)
    from portal.qa import operations as ops

    data = ops.stats(30)
    assert data["total"] == 3 and data["answered"] + data["unanswered"] == 3 and data["unanswered"] >= 1
    names = {t["name"]: t["count"] for t in data["topics"]}
    assert names["宅基地与建房"] == 1 and names["征地补偿"] == 1
    assert sum(sum(t["series"]) for t in data["topics"]) == 3
    assert {p["name"] for p in data["per_project"]} == {project.name, "（未指定项目）"}
    assert data["top_articles"] and data["top_articles"][0]["name"].startswith("《")
    login(Role.REVIEWER)
    html = client.get("/staff/qa/stats?days=abc").get_data(as_text=True)
    assert 'id="chart-topics"' in html and "vendor/echarts/echarts.min.js" in html
    assert 'id="total">3<' in html
    assert OUT_OF_SCOPE[:10] in html  # listed among recent unanswered questions


# -- command line ------------------------------------------------------------------------------------------------


def test_kb_import_faq_json_and_xlsx(app, tmp_path):
    from openpyxl import Workbook

    faq = tmp_path / "faq.json"
    faq.write_text(json.dumps([{"question": "复垦验收由谁组织？", "alternatives": ["复垦谁来验收"],
                                "answer": "由县级以上自然资源主管部门会同有关部门组织验收。",
                                "sources": [{"source": "土地复垦条例_2011-03-05.md", "article": "第二十八条"}]}],
                              ensure_ascii=False), encoding="utf-8")
    book = Workbook()
    sheet = book.active
    sheet.append(["问题", "其他问法", "答案", "依据"])
    sheet.append(["听证怎么申请？", "想开听证会；要求听证", "在告知的期限内向主管部门提出书面申请。", ""])
    book.save(tmp_path / "faq.xlsx")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["kb", "import", str(faq), "--no-reindex"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["kb", "import", str(tmp_path / "faq.xlsx"), "--no-reindex"])
    assert result.exit_code == 0, result.output
    entries = _db.session.execute(_db.select(FaqEntry).order_by(FaqEntry.id)).scalars().all()
    assert [e.question for e in entries] == ["复垦验收由谁组织？", "听证怎么申请？"]
    assert entries[1].alternatives == ["想开听证会", "要求听证"]


def test_kb_import_rejects_bad_files(app, tmp_path):
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.json"
    bad.write_text("{oops", encoding="utf-8")
    result = runner.invoke(args=["kb", "import", str(bad), "--no-reindex"])
    assert result.exit_code == 1 and "不是有效的 JSON" in result.output
    wrong_source = tmp_path / "src.json"
    wrong_source.write_text(json.dumps([{"question": "问", "answer": "答", "sources": [{"source": "x.md",
                                                                                        "article": "第一条"}]}]),
                            encoding="utf-8")
    result = runner.invoke(args=["kb", "import", str(wrong_source), "--no-reindex"])
    assert result.exit_code == 1 and "依据不存在" in result.output
    not_law = tmp_path / "notes.md"
    not_law.write_text("# 笔记\n没有条文", encoding="utf-8")
    result = runner.invoke(args=["kb", "import", str(not_law), "--no-reindex"])
    assert result.exit_code == 1 and "第X条" in result.output
    assert _db.session.execute(_db.select(FaqEntry)).first() is None


def test_kb_import_law_into_kb_folder(app, tmp_path):
    kb = tmp_path / "kb"
    (kb / "laws").mkdir(parents=True)
    app.config["QA_KB_DIR"] = str(kb)
    law = tmp_path / "测试条例_2024-01-01.md"
    law.write_text("# 测试条例\n\n## 第一章 总则\n\n第一条 为了测试，制定本条例。\n\n第二条 本条例自公布之日起施行。\n",
                   encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["kb", "import", str(law), "--no-reindex"])
    assert result.exit_code == 0, result.output
    assert "法规 1 部（2 条）" in result.output
    assert (kb / "laws" / law.name).read_text(encoding="utf-8").startswith("# 测试条例")


def test_kb_reindex_command(app):
    result = app.test_cli_runner().invoke(args=["kb", "reindex"])
    assert result.exit_code == 0, result.output
    assert "索引已就绪" in result.output


def test_api_handover(client):
    data = _api(client, {"question": OUT_OF_SCOPE}).get_json()
    url = f"/api/qa/questions/{data['question_id']}/handover"
    assert client.post(url, json={"token": data["token"], "contact": ["x"]}).status_code == 400
    response = client.post(url, json={"token": data["token"], "contact": "13800006666"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["ticket_code"][4] == "-" and body["url"].startswith("/qa/ticket/")
    assert client.post(url, data="nope", content_type="application/json").status_code == 400
    assert client.post(url, json={"token": "wrong"}).status_code == 404


def test_law_label_and_sources_of_local_laws(app):
    from portal.qa import operations as ops

    assert ops.law_label("地方_浙江省土地管理条例_2021-09-30.md") == "浙江省土地管理条例"
    assert ops.law_label("土地管理法_2019-08-26.md") == "土地管理法"
    kb = ops.current_kb()
    parsed = ops.parse_sources("浙江省土地管理条例 第一条\n《中华人民共和国土地管理法》第四十七条", kb)
    assert parsed == [{"source": "地方_浙江省土地管理条例_2021-09-30.md", "article": "第一条"},
                      {"source": LAND_LAW, "article": "第四十七条"}]
    assert ops.parse_sources(ops.format_sources(parsed), kb) == parsed
    with pytest.raises(ops.ValidationError, match="没有第九百九十九条"):
        ops.parse_sources("土地管理法 第九百九十九条", kb)


def test_published_reply_becomes_searchable(client, make_project):
    from portal.models import Comment, Reply

    project = make_project(name="柳河村村庄规划")
    comment = Comment(project=project, stage=project.stages[0], text="原文",
                      redacted_text="柳河村三组的宅基地复垦以后，复垦出来的耕地归谁种？", receipt_code="ABCD2347",
                      published=True)
    _db.session.add(comment)
    _db.session.flush()
    _db.session.add(Reply(comment=comment, text="复垦后的耕地仍归柳河村三组集体所有，由原承包户继续耕种。",
                          published_at=comment.created_at))
    _db.session.commit()
    data = _api(client, {"question": "柳河村三组宅基地复垦以后耕地归谁种"}).get_json()
    assert data["answered"] and "由原承包户继续耕种" in data["answer"]
    html = _ask(client, "柳河村三组宅基地复垦以后耕地归谁种").get_data(as_text=True)
    assert 'id="reply-sources"' in html and f"/projects/{project.slug}/comments" in html


def test_index_is_not_rebuilt_per_request(client, monkeypatch):
    from portal.qa import operations as ops

    _api(client, {"question": IN_SCOPE})

    def forbidden(*args, **kwargs):
        raise AssertionError("the index must not be loaded or built again")

    monkeypatch.setattr(ops, "_saved_answerer", forbidden)
    monkeypatch.setattr(ops, "rebuild_index", forbidden)
    for _ in range(3):
        assert _api(client, {"question": "征地补偿款多久能发下来"}).status_code == 200


def test_changed_entries_keep_old_index_until_background_rebuild(app, monkeypatch):
    import uuid

    from portal.qa import operations as ops

    old = ops.get_answerer()
    queued = []
    monkeypatch.setattr(ops, "schedule_reindex", lambda: queued.append(1))
    _db.session.add(FaqEntry(question=f"测试问题{uuid.uuid4().hex}", alternatives=[], answer="答案", sources=[]))
    _db.session.commit()
    assert ops.get_answerer() is old  # no saved index for the new entries yet: the old one keeps answering
    assert ops.get_answerer() is old
    assert queued == [1]  # one background rebuild requested, not one per request


def test_staff_question_log_and_ticket_from_log(client, login):
    _ask(client, OUT_OF_SCOPE)
    _ask(client, IN_SCOPE)
    login(Role.DEPARTMENT)
    html = client.get("/staff/qa/questions").get_data(as_text=True)
    assert OUT_OF_SCOPE[:8] in html and IN_SCOPE not in html  # default filter: unanswered
    assert IN_SCOPE in client.get("/staff/qa/questions?filter=all").get_data(as_text=True)
    assert client.get("/staff/qa/questions?filter=bogus").status_code == 200
    question = _questions()[0]
    response = client.post(f"/staff/qa/questions/{question.id}/ticket")
    assert response.status_code == 302
    ticket = _db.session.execute(_db.select(QaTicket)).scalar_one()
    assert ticket.question_id == question.id and ticket.contact is None
    client.post(f"/staff/qa/questions/{question.id}/ticket")
    assert len(_db.session.execute(_db.select(QaTicket)).scalars().all()) == 1
    assert client.post("/staff/qa/questions/9999/ticket").status_code == 404


def test_example_links_prefill_the_box(client):
    html = client.get("/qa").get_data(as_text=True)
    assert 'id="examples"' in html
    html = client.get("/qa", query_string={"q": "宅基地能不能卖给城里人？"}).get_data(as_text=True)
    assert "宅基地能不能卖给城里人？</textarea>" in html
