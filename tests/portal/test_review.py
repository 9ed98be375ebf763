"""The staff review queue: filters, overrides (single, bulk, campaign), permissions, labelled export, public view."""

from __future__ import annotations

import csv
import io
import json

import pytest

from portal.extensions import db as _db
from portal.models import AuditEvent, Comment, ScreeningOverride
from portal.operations import comments as comment_ops
from portal.operations import pipeline

SPAM = "代办土地证包过，加V薇信 138 1234 5678，帮你多报补偿面积"
CLEAN = "石桥村五组的机耕路太窄了，建议拓宽到4米，方便收割机进出。我的电话13912345678"
LOW = "+1"
CAMPAIGN = "我们坚决反对把下坪村二组的基本农田调出，祖祖辈辈种了几十年的好地不能占，请重新论证选址方案"


@pytest.fixture
def submit(db, make_project):
    """Factory: store a comment in a (shared) project and screen it, as the public form does."""
    state: dict = {}

    def factory(text: str, project=None) -> Comment:
        if project is None:
            project = state.setdefault("project", make_project())
        comment = comment_ops.submit_comment(project, project.stages[0].id, text)
        db.session.commit()
        pipeline.enqueue_comment(comment.id)
        db.session.expire_all()
        return db.session.get(Comment, comment.id)

    return factory


@pytest.fixture
def reviewer(login):
    return login("reviewer")


def _reload(comment: Comment) -> Comment:
    _db.session.expire_all()
    return _db.session.get(Comment, comment.id)


def _page(client, url: str = "/staff/review/") -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# ---- permissions -----------------------------------------------------------------------------------------

REVIEW_URLS = [
    ("get", "/staff/review/"),
    ("get", "/staff/review/?flag=spam"),
    ("get", "/staff/review/export?format=jsonl"),
    ("post", "/staff/review/comments/{id}/action"),
    ("post", "/staff/review/bulk"),
    ("post", "/staff/review/campaigns/{id}/action"),
    ("post", "/staff/review/rescreen-failed"),
]


def test_queue_requires_sign_in(client, submit):
    comment = submit(SPAM)
    for method, url in REVIEW_URLS:
        response = getattr(client, method)(url.format(id=comment.id), data={"action": "not_spam", "ids": [comment.id]})
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"], url
    assert _reload(comment).is_spam


def test_department_staff_cannot_reach_the_queue(client, login, submit):
    comment = submit(SPAM)
    login("department")
    for method, url in REVIEW_URLS:
        response = getattr(client, method)(url.format(id=comment.id), data={"action": "not_spam", "ids": [comment.id]})
        assert response.status_code == 403, url
        assert "没有权限" in response.get_data(as_text=True)
    assert _reload(comment).is_spam
    assert _db.session.execute(_db.select(ScreeningOverride)).first() is None
    # and the staff navigation does not offer it
    assert "/staff/review/" not in client.get("/staff/").get_data(as_text=True)


def test_admin_and_reviewer_reach_the_queue(client, login, submit):
    submit(SPAM)
    login("admin")
    assert "筛查审核" in _page(client)


# ---- the queue -------------------------------------------------------------------------------------------


def test_queue_shows_flags_reasons_and_redaction(client, reviewer, submit):
    spam, clean = submit(SPAM), submit(CLEAN)
    page = _page(client)
    assert f"comment-{spam.id}" in page and f"comment-{clean.id}" in page
    assert "含联系方式变体" in page and "广告" in page
    assert "139****5678" in page  # what the public sees is shown next to the original


@pytest.mark.parametrize("flag", ["spam", "low_info", "pii", "unreviewed"])
def test_filters_by_flag(client, reviewer, submit, flag):
    spam, clean, low = submit(SPAM), submit(CLEAN), submit(LOW)
    page = _page(client, f"/staff/review/?flag={flag}")
    shown = {c.id for c in (spam, clean, low) if f'id="comment-{c.id}"' in page}
    expected = {
        "spam": {spam.id},
        "low_info": {low.id},
        "pii": {spam.id, clean.id},
        "unreviewed": {spam.id, clean.id, low.id},
    }[flag]
    assert shown == expected


def test_reviewed_and_unreviewed_filters_follow_any_human_decision(client, reviewer, submit):
    spam, low = submit(SPAM), submit(LOW)
    client.post(f"/staff/review/comments/{spam.id}/action", data={"action": "not_spam"})
    reviewed = _page(client, "/staff/review/?flag=reviewed")
    unreviewed = _page(client, "/staff/review/?flag=unreviewed")
    assert f'id="comment-{spam.id}"' in reviewed and f'id="comment-{low.id}"' not in reviewed
    assert f'id="comment-{low.id}"' in unreviewed and f'id="comment-{spam.id}"' not in unreviewed


def test_abusive_filter(client, reviewer, submit):
    rude = submit("你们这些狗官tmd就知道收钱，补偿款到现在都没发")
    assert rude.is_abusive
    page = _page(client, "/staff/review/?flag=abusive")
    assert f'id="comment-{rude.id}"' in page and "补偿款到现在都没发" in page  # the grievance stays visible


def test_campaign_filter_shows_each_family_once(client, reviewer, submit):
    first = submit(CAMPAIGN)
    submit("同意楼上！" + CAMPAIGN)
    submit(CAMPAIGN + "——下坪村二组全体村民")
    single = submit(CLEAN)
    page = _page(client, "/staff/review/?flag=campaign")
    assert page.count('class="review-row"') == 1 and f'id="comment-{first.id}"' in page
    assert "3 位居民提出" in page and f'id="comment-{single.id}"' not in page
    family = _page(client, f"/staff/review/?family={first.id}")
    assert family.count('class="review-row"') == 3 and "整组执行" in family


def test_search_by_text_and_receipt_code(client, reviewer, submit):
    spam, clean = submit(SPAM), submit(CLEAN + " 增产100%")
    code = spam.receipt_code
    page = _page(client, f"/staff/review/?q={code[:4]}-{code[4:].lower()}")
    assert f'id="comment-{spam.id}"' in page and f'id="comment-{clean.id}"' not in page
    page = _page(client, "/staff/review/?q=机耕路")
    assert f'id="comment-{clean.id}"' in page and f'id="comment-{spam.id}"' not in page
    page = _page(client, "/staff/review/?q=0%25")  # a literal "%", not a wildcard
    assert f'id="comment-{clean.id}"' in page and f'id="comment-{spam.id}"' not in page
    assert f'id="comment-{spam.id}"' not in _page(client, "/staff/review/?q=_")


def test_bad_filters_do_not_break_the_page(client, reviewer, submit):
    submit(SPAM)
    for url in ["/staff/review/?flag=nonsense", "/staff/review/?project=abc", "/staff/review/?family=x",
                "/staff/review/?family=999999", "/staff/review/?page=-3", "/staff/review/?q=" + "长" * 500]:
        response = client.get(url)
        assert response.status_code == 200, url


# ---- single actions --------------------------------------------------------------------------------------


def test_not_spam_publishes_redacted_and_records_the_override(client, reviewer, submit):
    comment = submit("村里有人打着政府旗号代办土地证收钱，加V薇信 13812345678，大家不要上当")
    if not comment.is_spam:  # make the test independent of the classifier's mood on this text
        comment.is_spam, comment.published = True, False
        _db.session.commit()
    response = client.post(f"/staff/review/comments/{comment.id}/action", data={"action": "not_spam", "note": "提醒乡亲"})
    assert response.status_code == 302
    comment = _reload(comment)
    assert not comment.is_spam and comment.published
    assert comment.reviewed_by_id == reviewer.id and comment.reviewed_at is not None
    override = _db.session.execute(_db.select(ScreeningOverride)).scalar_one()
    assert (override.field, override.old_value, override.new_value, override.user_id, override.note) == (
        "spam", "true", "false", reviewer.id, "提醒乡亲")
    actions = [e.action for e in _db.session.execute(_db.select(AuditEvent).order_by(AuditEvent.id)).scalars()]
    assert "screening.override" in actions and "comment.publish" in actions
    public = client.get(f"/projects/{comment.project.slug}/comments").get_data(as_text=True)
    assert "138****5678" in public and "13812345678" not in public


def test_approve_and_reject(client, reviewer, submit):
    low = submit(LOW)
    assert not low.published
    client.post(f"/staff/review/comments/{low.id}/action", data={"action": "approve"})
    assert _reload(low).published and _reload(low).review == "approved"
    client.post(f"/staff/review/comments/{low.id}/action", data={"action": "reject"})
    low = _reload(low)
    assert not low.published and low.review == "rejected"
    rows = _db.session.execute(_db.select(ScreeningOverride).order_by(ScreeningOverride.id)).scalars().all()
    assert [(r.old_value, r.new_value) for r in rows] == [("none", "approved"), ("approved", "rejected")]


def test_repeating_an_action_records_nothing_new(client, reviewer, submit):
    spam = submit(SPAM)
    client.post(f"/staff/review/comments/{spam.id}/action", data={"action": "spam"})
    assert _db.session.execute(_db.select(ScreeningOverride)).first() is None
    response = client.post(f"/staff/review/comments/{spam.id}/action", data={"action": "spam"}, follow_redirects=True)
    assert "没有变化" in response.get_data(as_text=True)


def test_overrides_survive_a_rescreen(client, reviewer, submit):
    spam = submit(SPAM)
    client.post(f"/staff/review/comments/{spam.id}/action", data={"action": "not_spam"})
    pipeline.process_comment(spam.id)
    spam = _reload(spam)
    assert spam.screening_attempts == 2 and not spam.is_spam and spam.published


def test_not_duplicate_detaches_from_the_family(client, reviewer, submit):
    first, copy = submit(CAMPAIGN), submit("同意楼上！" + CAMPAIGN)
    assert copy.duplicate_of_id == first.id
    client.post(f"/staff/review/comments/{copy.id}/action", data={"action": "not_duplicate"})
    copy = _reload(copy)
    assert copy.duplicate_of_id is None and copy.published
    pipeline.process_comment(copy.id)  # re-screening does not glue it back
    assert _reload(copy).duplicate_of_id is None


@pytest.mark.parametrize("data, status, message", [
    ({"action": "delete_everything"}, 400, "未知的操作"),
    ({"action": ""}, 400, "请选择要执行的操作"),
    ({}, 400, "请选择要执行的操作"),
    ({"action": "approve", "note": "长" * 1001}, 400, "1000"),
])
def test_bad_single_actions(client, reviewer, submit, data, status, message):
    spam = submit(SPAM)
    response = client.post(f"/staff/review/comments/{spam.id}/action", data=data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert _reload(spam).review is None


def test_actions_return_to_the_filtered_queue_only(client, reviewer, submit):
    low = submit(LOW)
    response = client.post(f"/staff/review/comments/{low.id}/action",
                           data={"action": "approve", "next": "/staff/review/?flag=low_info&page=2"})
    assert response.headers["Location"] == "/staff/review/?flag=low_info&page=2"
    for target in ["https://evil.example/staff/review/", "//evil.example/", "/staff/review/bulk", "/staff/"]:
        response = client.post(f"/staff/review/comments/{low.id}/action", data={"action": "reject", "next": target})
        assert response.headers["Location"] == "/staff/review/", target
    # a page re-rendered after a failed POST sends the next action back to the queue, not to the POST URL
    page = client.post("/staff/review/bulk", data={"action": "approve"}).get_data(as_text=True)
    assert 'name="next" value="/staff/review/"' in page


def test_huge_ids_are_refused_not_crashing(client, reviewer, submit):
    low = submit(LOW)
    huge = "9" * 30
    assert client.get(f"/staff/review/?family={huge}").status_code == 200
    assert client.get(f"/staff/review/?project={huge}").status_code == 200
    assert client.get(f"/staff/review/?page={huge}").status_code == 200
    assert client.get(f"/projects/{low.project.slug}/comments?page={huge}").status_code == 200
    response = client.post("/staff/review/bulk", data={"action": "approve", "ids": [low.id, huge]})
    assert response.status_code == 400 and "编号无效" in response.get_data(as_text=True)
    response = client.get(f"/staff/review/export?format=csv&project={huge}")
    assert response.status_code == 400 and "项目选择无效" in response.get_data(as_text=True)
    assert client.post(f"/staff/review/comments/{huge}/action", data={"action": "approve"}).status_code == 404
    assert client.post(f"/staff/review/campaigns/{huge}/action", data={"action": "approve"}).status_code == 404
    assert _reload(low).review is None


def test_unknown_comment_is_404(client, reviewer):
    response = client.post("/staff/review/comments/424242/action", data={"action": "approve"})
    assert response.status_code == 404 and "找不到" in response.get_data(as_text=True)
    response = client.post("/staff/review/campaigns/424242/action", data={"action": "approve"})
    assert response.status_code == 404 and "找不到" in response.get_data(as_text=True)


def test_rescreen_button_queues_a_failed_comment(client, reviewer, submit, monkeypatch):
    monkeypatch.setattr(pipeline, "screen_comment", lambda c: 1 / 0)
    comment = submit(CLEAN)
    assert comment.screening_state == "failed"
    assert "重新筛查" in _page(client, "/staff/review/?flag=failed")
    monkeypatch.undo()
    response = client.post(f"/staff/review/comments/{comment.id}/action", data={"action": "rescreen"},
                           follow_redirects=True)
    assert "重新加入筛查队列" in response.get_data(as_text=True)
    assert _reload(comment).screening_state == "done"
    assert _db.session.execute(_db.select(AuditEvent).where(AuditEvent.action == "screening.rescreen")).first()


def test_rescreen_failed_with_nothing_failed(client, reviewer):
    response = client.post("/staff/review/rescreen-failed", follow_redirects=True)
    assert response.status_code == 200 and "没有筛查失败的意见" in response.get_data(as_text=True)


# ---- bulk and campaign actions ---------------------------------------------------------------------------


def test_bulk_action_on_a_selection(client, reviewer, submit):
    a, b, c = submit(LOW), submit("666"), submit(CLEAN)
    response = client.post("/staff/review/bulk", data={"action": "reject", "ids": [a.id, b.id]})
    assert response.status_code == 302
    assert _reload(a).review == "rejected" and _reload(b).review == "rejected" and _reload(c).review is None
    assert _db.session.execute(_db.select(_db.func.count(ScreeningOverride.id))).scalar_one() == 2


@pytest.mark.parametrize("data, status, message", [
    ({"action": "approve"}, 400, "请至少勾选一条意见"),
    ({"action": "approve", "ids": ["abc"]}, 400, "编号无效"),
    ({"action": "approve", "ids": ["{id}", "999999"]}, 404, "#999999"),
    ({"action": "explode", "ids": ["{id}"]}, 400, "未知的操作"),
    ({"ids": ["{id}"]}, 400, "请选择要执行的操作"),
])
def test_bad_bulk_actions(client, reviewer, submit, data, status, message):
    low = submit(LOW)
    if "ids" in data:
        data = {**data, "ids": [v.format(id=low.id) for v in data["ids"]]}
    response = client.post("/staff/review/bulk", data=data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert _reload(low).review is None  # nothing half-done
    assert _db.session.execute(_db.select(ScreeningOverride)).first() is None


def test_bulk_limit(app, client, reviewer, submit):
    app.config["REVIEW_BULK_LIMIT"] = 1
    a, b = submit(LOW), submit("666")
    response = client.post("/staff/review/bulk", data={"action": "approve", "ids": [a.id, b.id]})
    assert response.status_code == 400 and "一次最多处理 1 条" in response.get_data(as_text=True)


def test_campaign_action_treats_the_whole_family(client, reviewer, submit):
    first = submit(CAMPAIGN)
    members = [submit("同意楼上！" + CAMPAIGN), submit(CAMPAIGN + "——下坪村二组全体村民")]
    unrelated = submit(CLEAN)
    # Asking through a member works too: the whole family is treated.
    response = client.post(f"/staff/review/campaigns/{members[0].id}/action", data={"action": "reject", "note": "刷屏"})
    assert response.status_code == 302
    for c in [first, *members]:
        assert _reload(c).review == "rejected" and not _reload(c).published
    assert _reload(unrelated).review is None
    notes = _db.session.execute(_db.select(ScreeningOverride.note)).scalars().all()
    assert notes == ["刷屏"] * 3


def test_campaign_action_bad_input(client, reviewer, submit):
    first = submit(CAMPAIGN)
    response = client.post(f"/staff/review/campaigns/{first.id}/action", data={"action": "nope"})
    assert response.status_code == 400 and "未知的操作" in response.get_data(as_text=True)


# ---- labelled export -------------------------------------------------------------------------------------


def _two_overrides(client, submit):
    spam, low = submit(SPAM), submit(LOW)
    client.post(f"/staff/review/comments/{spam.id}/action", data={"action": "not_spam", "note": "=HYPERLINK(1)"})
    client.post(f"/staff/review/comments/{low.id}/action", data={"action": "approve"})
    return spam, low


def test_export_jsonl(client, reviewer, submit):
    spam, low = _two_overrides(client, submit)
    response = client.get("/staff/review/export?format=jsonl")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert len(rows) == 2
    first = rows[0]
    assert first["comment_id"] == spam.id and first["text"] == SPAM
    assert (first["field"], first["automatic"], first["staff"], first["previous"]) == ("spam", "true", "false", "true")
    assert first["user"] == reviewer.username and first["at"]
    assert "1234" not in first["redacted_text"]
    assert rows[1]["field"] == "review" and rows[1]["automatic"] == "held" and rows[1]["staff"] == "approved"


def test_export_csv(client, reviewer, submit):
    _two_overrides(client, submit)
    response = client.get("/staff/review/export?format=csv")
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff") and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert [r["field"] for r in rows] == ["spam", "review"]
    assert rows[0]["note"] == "'=HYPERLINK(1)"  # no formula injection into Excel
    assert rows[0]["text"] == SPAM


def test_export_filters_by_project_and_rejects_bad_input(client, reviewer, submit, make_project):
    _two_overrides(client, submit)
    other = make_project()
    assert client.get(f"/staff/review/export?format=jsonl&project={other.id}").get_data(as_text=True) == ""
    for url, message in [("/staff/review/export?format=xml", "导出格式无效"),
                         ("/staff/review/export?format=csv&project=abc", "项目选择无效")]:
        response = client.get(url)
        assert response.status_code == 400 and message in response.get_data(as_text=True), url


# ---- public side -----------------------------------------------------------------------------------------


def test_campaign_shows_once_publicly_with_a_count(client, reviewer, submit):
    first = submit(CAMPAIGN)
    submit("同意楼上！" + CAMPAIGN)
    submit(CAMPAIGN + "——下坪村二组全体村民")
    # Even after the reviewer approves the whole family, it is one opinion signed by three.
    client.post(f"/staff/review/campaigns/{first.id}/action", data={"action": "approve"})
    public = client.get(f"/projects/{first.project.slug}/comments").get_data(as_text=True)
    assert public.count("祖祖辈辈") == 1
    assert "3 位居民提出" in public


def test_receipt_and_api_never_show_unredacted_text(client, submit):
    comment = submit(CLEAN)
    receipt = client.get(f"/receipt/{comment.receipt_code}").get_data(as_text=True)
    assert "139****5678" in receipt and "13912345678" not in receipt
    api = client.get(f"/api/receipts/{comment.receipt_code}").get_data(as_text=True)
    assert "13912345678" not in api


# ---- with CSRF on, as in production -----------------------------------------------------------------------


def _token(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_forms_carry_csrf_tokens(tmp_path):
    from portal.operations import users
    from tests.conftest import build_app

    app = build_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        from portal.models import Project, Stage
        from portal.timeutil import local_today

        project = Project(slug="c", name="项目", kind="村庄规划", villages=[])
        _db.session.add(project)
        _db.session.flush()
        _db.session.add(Stage(project=project, kind="planning", opens_on=local_today(), closes_on=local_today()))
        users.create_user("rev", "correct-horse", "reviewer")
        _db.session.commit()
        comment = comment_ops.submit_comment(project, project.stages[0].id, LOW)
        _db.session.commit()
        pipeline.enqueue_comment(comment.id)
        client = app.test_client()
        login_page = client.get("/staff/login").get_data(as_text=True)
        client.post("/staff/login", data={"username": "rev", "password": "correct-horse", "csrf_token": _token(login_page)})
        page = client.get("/staff/review/").get_data(as_text=True)
        # without a token: refused with a Chinese message, nothing changes
        response = client.post(f"/staff/review/comments/{comment.id}/action", data={"action": "approve"})
        assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
        assert _reload(comment).review is None
        token = _token(page)
        response = client.post(f"/staff/review/comments/{comment.id}/action", data={"action": "approve", "csrf_token": token})
        assert response.status_code == 302 and _reload(comment).review == "approved"
        response = client.post("/staff/review/bulk", data={"action": "reject", "ids": [comment.id], "csrf_token": token})
        assert response.status_code == 302 and _reload(comment).review == "rejected"
        response = client.post(f"/staff/review/campaigns/{comment.id}/action",
                               data={"action": "approve", "csrf_token": token})
        assert response.status_code == 302 and _reload(comment).review == "approved"
        assert client.post("/staff/review/rescreen-failed", data={"csrf_token": token}).status_code == 302
        _db.session.remove()
        _db.drop_all()
