"""Replies to a comment, a family or a topic; draft → review → publish; templates, suggestions, resident messages."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import (
    Assignment,
    AssignmentStatus,
    Comment,
    CommentStatus,
    Reply,
    ReplyState,
    ResidentMessage,
)
from portal.operations import comments as comment_ops
from portal.operations.errors import Conflict, NotFound, PermissionDenied, ValidationError
from portal.respond import operations as ops
from portal.respond.senders import MemorySender
from tests.portal import respond_helpers
from tests.portal.respond_helpers import login_as

world = respond_helpers.world  # the shared fixture

REASON = "补偿标准依照省政府公布的区片综合地价执行，本项目将按新标准复核。"


@pytest.fixture
def memory_sender(app):
    app.config["RESPOND_RESIDENT_SENDER"] = "portal.respond.senders.MemorySender"
    MemorySender.sent = []
    return MemorySender


def _family_assignment(world):
    return ops.assign("family", department_id=world["departments"]["自然资源局"].id, user=world["admin"],
                      comment_id=world["c1"].id)


def test_family_reply_review_publish_and_notify(world, memory_sender):
    item = _family_assignment(world)
    db.session.commit()
    batch = ops.write_replies(ops.assignment_members(item), "您好，已按新标准复核补偿。", world["land"],
                              "partial", REASON)
    db.session.commit()
    replies = ops.batch_replies(batch)
    assert len(replies) == 3 and {r.state for r in replies} == {ReplyState.PENDING}
    assert all(r.published_at is None for r in replies)
    # nothing public before review
    assert world["c1"].published_replies == [] and world["c1"].status == CommentStatus.PROCESSING
    queue = ops.review_queue()
    assert queue[0]["batch_id"] == batch and queue[0]["size"] == 3
    with pytest.raises(PermissionDenied):
        ops.approve_batch(batch, world["land"])  # department staff cannot publish
    result = ops.approve_batch(batch, world["reviewer"])
    db.session.commit()
    assert result["published"] == 3 and result["closed"] == 1
    for comment in (world["c1"], world["dup1"], world["dup2"]):
        db.session.refresh(comment)
        assert comment.status == CommentStatus.ANSWERED
        assert comment.adoption == "partial" and comment.adoption_reason == REASON
        assert comment.published_replies[0].text == "您好，已按新标准复核补偿。"
    assert db.session.get(Assignment, item.id).status == AssignmentStatus.DONE
    # two residents left a phone number: two messages, sent by the configured sender
    messages = db.session.execute(db.select(ResidentMessage).order_by(ResidentMessage.id)).scalars().all()
    assert len(messages) == 2
    from portal.respond import tasks

    tasks.enqueue_messages(result["messages"])  # immediate queue in tests
    db.session.commit()
    assert [m.status for m in db.session.execute(db.select(ResidentMessage)).scalars()] == ["sent", "sent"]
    assert {to for to, _ in memory_sender.sent} == {"13800001111", "13900002222"}
    assert all("回执码" in body for _, body in memory_sender.sent)
    with pytest.raises(Conflict):
        ops.approve_batch(batch, world["reviewer"])  # not twice


def test_publishing_without_a_reason_is_refused(world):
    with pytest.raises(ValidationError, match="理由"):
        ops.write_replies([world["c2"]], "已收到。", world["admin"], "rejected", "")
    # a reply with no adoption decision cannot be published either
    batch = ops.write_replies([world["c2"]], "已收到，正在研究。", world["admin"])
    with pytest.raises(ValidationError, match="采纳情况"):
        ops.approve_batch(batch, world["reviewer"])
    # nor one whose reason went missing afterwards
    reply = ops.batch_replies(batch)[0]
    reply.adoption, reply.adoption_reason = "rejected", None
    with pytest.raises(ValidationError):
        ops.approve_batch(batch, world["reviewer"])
    assert reply.published_at is None


def test_replying_to_a_deleted_comment(world, db):
    comment_id = world["c2"].id
    db.session.delete(world["c2"])
    db.session.commit()
    with pytest.raises(NotFound, match="删除"):
        ops.reply_to_comment_id(comment_id, "答复", world["admin"], "adopted", REASON)
    assert db.session.execute(db.select(Reply)).first() is None


def test_department_staff_reply_only_to_their_items(world):
    with pytest.raises(PermissionDenied):
        ops.write_replies([world["c2"]], "我们来答复", world["land"], "adopted", REASON)
    _family_assignment(world)
    ops.write_replies([world["dup1"]], "本部门答复", world["land"], "adopted", REASON)  # a member of its family
    with pytest.raises(PermissionDenied):
        ops.write_replies([world["dup1"]], "别的部门", world["farm"], "adopted", REASON)


def test_return_and_revise(world):
    batch = ops.write_replies([world["c2"]], "初稿", world["admin"], "adopted", REASON, submit=False)
    assert ops.batch_replies(batch)[0].state == ReplyState.DRAFT
    assert ops.review_queue() == []
    ops.revise_batch(batch, "第二稿", "adopted", REASON, world["admin"])
    with pytest.raises(ValidationError, match="退回"):
        ops.return_batch(batch, "", world["reviewer"])
    ops.return_batch(batch, "请写明道路拓宽的时间。", world["reviewer"])
    reply = ops.batch_replies(batch)[0]
    assert reply.state == ReplyState.RETURNED and reply.review_note.startswith("请写明")
    assert ops.my_batches(world["admin"])[0]["batch_id"] == batch
    with pytest.raises(Conflict):
        ops.approve_batch(batch, world["reviewer"])
    with pytest.raises(NotFound):  # another department's staff cannot even see it
        ops.revise_batch(batch, "别人改", "adopted", REASON, world["land"])
    ops.revise_batch(batch, "第三稿：明年春耕前拓宽。", "adopted", REASON, world["admin"])
    ops.approve_batch(batch, world["reviewer"])
    assert world["c2"].published_replies[0].text == "第三稿：明年春耕前拓宽。"


def test_batch_of_another_department_is_not_found(world):
    batch = ops.write_replies([world["c2"]], "答复", world["admin"], "adopted", REASON)
    with pytest.raises(NotFound):
        ops.get_batch(batch, world["farm"])
    with pytest.raises(NotFound):
        ops.get_batch("nope", world["admin"])


def test_batch_limit_and_empty(world, app):
    with pytest.raises(ValidationError):
        ops.write_replies([], "x", world["admin"])
    app.config["RESPOND_BATCH_LIMIT"] = 2
    with pytest.raises(ValidationError, match="最多"):
        ops.write_replies(ops.family_members(world["c1"]), "x", world["admin"])
    with pytest.raises(ValidationError, match="不能为空"):
        ops.write_replies([world["c2"]], "   ", world["admin"])


def test_templates_and_suggestions(world):
    template = ops.save_template({"title": "补偿标准", "body": "补偿按区片综合地价执行。"}, None, world["admin"])
    assert template in ops.templates_for(world["land"])
    own = ops.save_template({"title": "农田", "body": "农田建设按标准实施。", "department_id": 1}, None, world["farm"])
    assert own.department_id == world["farm"].department_id  # staff templates stay in their department
    assert own not in ops.templates_for(world["land"])
    with pytest.raises(NotFound):
        ops.delete_template(own.id, world["land"])
    with pytest.raises(ValidationError):
        ops.save_template({"title": "", "body": "x"}, None, world["admin"])
    assert ops.suggest_replies("征地补偿太低") == []  # nothing published yet
    comment_ops.add_reply(world["c1"], "补偿标准已按区片综合地价复核上调。", world["reviewer"], "adopted", REASON,
                          publish=True)
    comment_ops.add_reply(world["c2"], "机耕路拓宽列入明年计划。", world["reviewer"], "adopted", REASON,
                          publish=True)
    suggestions = ops.suggest_replies("我家的征地补偿标准太低")
    assert suggestions and suggestions[0]["text"].startswith("补偿标准")
    assert all("机耕路" not in s["text"] for s in suggestions[:1])


def test_failed_sender_is_recorded(world, app):
    app.config["RESPOND_RESIDENT_SENDER"] = "tests.portal.test_respond_replies.BrokenSender"
    ids = ops.queue_resident_messages([world["c1"]])
    counts = ops.deliver_messages(ids)
    message = db.session.get(ResidentMessage, ids[0])
    assert counts == {"sent": 0, "failed": 1} and message.status == "failed" and "gateway down" in message.error


class BrokenSender:
    def send(self, to, body):
        raise RuntimeError("gateway down")


def test_views_reply_review_publish(client, world, memory_sender):
    item = _family_assignment(world)
    db.session.commit()
    login_as(client, world["land"])
    page = client.get(f"/staff/respond/assignments/{item.id}")
    assert page.status_code == 200 and "包含的意见" in page.get_data(as_text=True)
    no_reason = client.post(f"/staff/respond/assignments/{item.id}/reply",
                            data={"text": "答复", "adoption": "rejected", "adoption_reason": ""},
                            follow_redirects=True)
    assert "理由" in no_reason.get_data(as_text=True) and db.session.execute(db.select(Reply)).first() is None
    sent = client.post(f"/staff/respond/assignments/{item.id}/reply",
                       data={"text": "已复核补偿标准。", "adoption": "adopted", "adoption_reason": REASON})
    assert sent.status_code == 302
    batch = db.session.execute(db.select(Reply.batch_id)).scalars().first()
    assert client.post(f"/staff/respond/review/{batch}/approve", follow_redirects=True).status_code == 200
    assert db.session.execute(db.select(Reply).where(Reply.published_at.is_not(None))).first() is None
    login_as(client, world["reviewer"])
    assert batch in client.get("/staff/respond/review").get_data(as_text=True)
    assert client.get(f"/staff/respond/review/{batch}").status_code == 200
    assert client.post(f"/staff/respond/review/{batch}/approve").status_code == 302
    receipt = client.get(f"/receipt/{world['dup2'].receipt_code}").get_data(as_text=True)
    assert "已复核补偿标准。" in receipt
    assert len(memory_sender.sent) == 2


def test_view_reply_to_deleted_comment_is_friendly(client, world):
    login_as(client, world["admin"])
    gone = world["c2"].id
    db.session.delete(db.session.get(Comment, gone))
    db.session.commit()
    response = client.post(f"/staff/respond/reply?target=comment&comment_id={gone}",
                           data={"text": "答复", "adoption": "adopted", "adoption_reason": REASON})
    assert response.status_code == 404 and "删除" in response.get_data(as_text=True)


def test_hourly_task_sends_reminders_and_messages(world, app, memory_sender, today):
    import datetime as dt

    from portal.respond import tasks

    item = _family_assignment(world)
    item.due_on = today - dt.timedelta(days=1)
    ops.queue_resident_messages([world["c1"]])
    db.session.commit()
    app.config["RESPOND_REMINDER_HOUR"] = 0  # any hour of the day
    result = tasks.hourly_reminders.call_local()
    assert result["sent"] == 1 and result["items"] == 1 and result["notifications"] >= 2
    assert memory_sender.sent and memory_sender.sent[0][0] == "13800001111"


def test_reply_pages_for_topic_and_json_helpers(client, world):
    from portal.models import Topic, TopicAssignment

    topic = Topic(project_id=world["project"].id, label="征地补偿", keywords=["补偿"])
    db.session.add(topic)
    db.session.flush()
    db.session.add(TopicAssignment(comment_id=world["c1"].id, topic_id=topic.id))
    template = ops.save_template({"title": "通用", "body": "感谢您的意见。"}, None, world["admin"])
    db.session.commit()
    login_as(client, world["reviewer"])
    page = client.get(f"/staff/respond/reply?target=topic&topic_id={topic.id}")
    assert page.status_code == 200 and "征地补偿" in page.get_data(as_text=True)
    assert "感谢您的意见。" in page.get_data(as_text=True)  # the template is offered
    posted = client.post(f"/staff/respond/reply?target=topic&topic_id={topic.id}",
                         data={"text": "统一答复", "adoption": "partial", "adoption_reason": REASON})
    assert posted.status_code == 302
    assert [r.comment_id for r in db.session.execute(db.select(Reply)).scalars()] == [world["c1"].id]
    assert client.get("/staff/respond/reply?target=topic&topic_id=999").status_code == 404
    assert client.get(f"/staff/respond/templates/{template.id}.json").json["body"] == "感谢您的意见。"
    assert client.get("/staff/respond/templates/999.json").status_code == 404
    assert client.get("/staff/respond/suggestions?q=补偿").json == {"suggestions": []}
