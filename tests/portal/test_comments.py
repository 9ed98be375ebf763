"""Submitting comments, receipt codes and lookup — good and bad input."""

from __future__ import annotations

import re

import pytest

from portal.models import Comment, CommentStatus
from portal.operations import comments as ops
from portal.operations.errors import Conflict, NotFound, ValidationError


def _stage(project, kind="planning"):
    return next(s for s in project.stages if s.kind == kind)


def test_receipt_codes_are_unambiguous_and_random():
    codes = {ops.generate_receipt_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == 8
        assert not set(code) & set("01ILO")


@pytest.mark.parametrize("typed", ["abcd-2345", " ABCD 2345 ", "ＡＢＣＤ－２３４５", "abcd2345"])
def test_parse_receipt_code_accepts_what_residents_type(typed):
    assert ops.parse_receipt_code(typed) == "ABCD2345"


@pytest.mark.parametrize("typed", ["", "   ", "ABC", "ABCD-23450", "ABCD-0000", "<script>", "ABCD-234I"])
def test_parse_receipt_code_rejects_malformed(typed):
    with pytest.raises(ValidationError):
        ops.parse_receipt_code(typed)


def test_submit_stores_comment_with_receipt(app, db, make_project):
    project = make_project()
    comment = ops.submit_comment(project, _stage(project).id, "  补偿标准太低了\x00\x07 ", village="下坪村",
                                 author_name="陈大爷", phone="138 0000 5678")
    db.session.commit()
    stored = db.session.get(Comment, comment.id)
    assert stored.text == "补偿标准太低了"  # control characters removed, whitespace trimmed
    assert stored.status == CommentStatus.RECEIVED
    assert stored.phone == "138 0000 5678"
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", stored.receipt_code)


@pytest.mark.parametrize("text", ["", "   \n\t  ", "\x00\x01"])
def test_empty_comment_is_rejected(app, make_project, text):
    project = make_project()
    with pytest.raises(ValidationError, match="不能为空"):
        ops.submit_comment(project, _stage(project).id, text)


def test_overlong_comment_is_rejected_with_limit(app, make_project):
    project = make_project()
    app.config["COMMENT_MAX_LENGTH"] = 50
    with pytest.raises(ValidationError, match="50 字以内"):
        ops.submit_comment(project, _stage(project).id, "长" * 51)
    assert ops.submit_comment(project, _stage(project).id, "长" * 50).id


def test_closed_and_upcoming_stages_refuse_residents_but_not_staff(app, make_project, make_user):
    project = make_project(stages="open closed upcoming")
    for kind in ("implementation", "acceptance"):
        with pytest.raises(Conflict, match="不能提交意见"):
            ops.submit_comment(project, _stage(project, kind).id, "意见")
    staff = make_user()
    offline = ops.submit_comment(project, _stage(project, "implementation").id, "纸质意见表：路太窄",
                                 channel="纸质意见表", entered_by=staff)
    assert offline.entered_by_id == staff.id


def test_stage_of_another_project_is_not_found(app, make_project):
    first, second = make_project(), make_project()
    with pytest.raises(NotFound):
        ops.submit_comment(first, _stage(second).id, "意见")
    with pytest.raises(NotFound):
        ops.submit_comment(first, 999999, "意见")


def test_unknown_village_and_bad_phone_are_rejected(app, make_project):
    project = make_project()
    with pytest.raises(ValidationError, match="村"):
        ops.submit_comment(project, _stage(project).id, "意见", village="火星村")
    with pytest.raises(ValidationError, match="电话"):
        ops.submit_comment(project, _stage(project).id, "意见", phone="call me maybe")


def test_find_by_receipt(app, db, make_project):
    project = make_project()
    comment = ops.submit_comment(project, _stage(project).id, "意见")
    db.session.commit()
    assert ops.find_by_receipt(ops.format_receipt_code(comment.receipt_code).lower()).id == comment.id
    with pytest.raises(NotFound, match="没有找到"):
        ops.find_by_receipt("ZZZZ-ZZZZ" if comment.receipt_code != "ZZZZZZZZ" else "YYYY-YYYY")


def test_adoption_requires_reason(app, db, make_project, make_user):
    project = make_project()
    staff = make_user()
    comment = ops.submit_comment(project, _stage(project).id, "意见")
    with pytest.raises(ValidationError, match="理由"):
        ops.set_status(comment, "answered", staff, adoption="adopted", reason="  ")
    with pytest.raises(ValidationError):
        ops.set_status(comment, "lost", staff)
    ops.set_status(comment, "processing", staff, adoption="partial", reason="部分路段可以拓宽")
    assert comment.status == "processing" and comment.adoption == "partial"


def test_reply_marks_answered_and_is_audited(app, db, make_project, make_user):
    from portal.models import AuditEvent

    project = make_project()
    staff = make_user()
    comment = ops.submit_comment(project, _stage(project).id, "机耕路太窄")
    reply = ops.add_reply(comment, "已纳入设计，路面拓宽到4米。", staff, "adopted", "符合规范")
    db.session.commit()
    assert comment.status == CommentStatus.ANSWERED
    assert comment.published_replies == [reply]
    actions = {e.action for e in db.session.execute(db.select(AuditEvent)).scalars()}
    assert {"comment.reply", "comment.status"} <= actions
    with pytest.raises(ValidationError):
        ops.add_reply(comment, "   ", staff)
