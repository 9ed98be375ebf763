"""Routing and supervision (issue 8): departments, assignments, due dates, reassignment, task lists, reminders."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.extensions import db
from portal.models import (
    Assignment,
    AssignmentStatus,
    AuditEvent,
    CommentStatus,
    Department,
    Notification,
    Topic,
    TopicAssignment,
)
from portal.operations.errors import Conflict, NotFound, PermissionDenied, ValidationError
from portal.respond import operations as ops
from tests.portal import respond_helpers
from tests.portal.respond_helpers import add_comment, login_as

world = respond_helpers.world  # the shared fixture


def test_working_days_skip_weekends_and_holidays(app):
    friday = dt.date(2026, 12, 4)
    assert friday.weekday() == 4
    assert ops.add_working_days(friday, 1, set()) == dt.date(2026, 12, 7)  # Monday
    assert ops.add_working_days(friday, 5, set()) == dt.date(2026, 12, 11)
    assert ops.add_working_days(friday, 1, {dt.date(2026, 12, 7)}) == dt.date(2026, 12, 8)
    app.config["RESPOND_HOLIDAYS"] = ("2026-12-07", "not-a-date")
    assert ops.add_working_days(friday, 1) == dt.date(2026, 12, 8)


def test_seed_departments_is_idempotent(app):
    first = ops.seed_departments()
    assert first == len(app.config["RESPOND_STANDARD_DEPARTMENTS"])
    assert ops.seed_departments() == 0


def test_assign_comment_with_default_due_date(world, today):
    land = world["departments"]["自然资源局"]
    item = ops.assign("comment", department_id=land.id, user=world["admin"], comment_id=world["c1"].id, today=today)
    db.session.commit()
    assert item.due_on == ops.add_working_days(today, 15)
    assert item.department_id == land.id and item.status == AssignmentStatus.OPEN
    assert world["c1"].status == CommentStatus.PROCESSING
    assert [e.action for e in item.events] == ["assigned"]
    assert db.session.execute(db.select(AuditEvent).filter_by(action="assignment.create")).scalar_one()
    # the department's staff are told, the other department's are not
    notes = db.session.execute(db.select(Notification).filter_by(user_id=world["land"].id)).scalars().all()
    assert len(notes) == 1 and "新交办" in notes[0].message
    assert not db.session.execute(db.select(Notification).filter_by(user_id=world["farm"].id)).first()


def test_project_deadline_overrides_default(world, today):
    ops.set_project_deadline(world["project"].id, 5, world["admin"])
    item = ops.assign("comment", department_id=world["departments"]["住建局"].id, user=world["admin"],
                      comment_id=world["c2"].id, today=today)
    assert item.due_on == ops.add_working_days(today, 5)
    with pytest.raises(ValidationError):
        ops.set_project_deadline(world["project"].id, 0, world["admin"])
    with pytest.raises(ValidationError):
        ops.set_project_deadline(world["project"].id, "abc", world["admin"])


def test_due_date_in_the_past_is_refused(world, today):
    with pytest.raises(ValidationError, match="不能早于今天"):
        ops.assign("comment", department_id=world["departments"]["交通运输局"].id, user=world["admin"],
                   comment_id=world["c2"].id, due_on=today - dt.timedelta(days=1), today=today)
    with pytest.raises(ValidationError, match="太远"):
        ops.assign("comment", department_id=world["departments"]["交通运输局"].id, user=world["admin"],
                   comment_id=world["c2"].id, due_on=today + dt.timedelta(days=400), today=today)


def test_missing_or_inactive_department_is_refused(world):
    with pytest.raises(NotFound, match="部门"):
        ops.assign("comment", department_id=99999, user=world["admin"], comment_id=world["c2"].id)
    with pytest.raises(NotFound):
        ops.assign("comment", department_id="", user=world["admin"], comment_id=world["c2"].id)
    traffic = world["departments"]["交通运输局"]
    traffic.active = False
    with pytest.raises(NotFound):
        ops.assign("comment", department_id=traffic.id, user=world["admin"], comment_id=world["c2"].id)


def test_missing_comment_and_bad_target(world):
    land = world["departments"]["自然资源局"].id
    with pytest.raises(NotFound):
        ops.assign("comment", department_id=land, user=world["admin"], comment_id=424242)
    with pytest.raises(ValidationError):
        ops.assign("village", department_id=land, user=world["admin"], comment_id=world["c1"].id)
    with pytest.raises(NotFound):
        ops.assign("topic", department_id=land, user=world["admin"], topic_id=5555)


def test_department_staff_cannot_assign(world):
    with pytest.raises(PermissionDenied):
        ops.assign("comment", department_id=world["departments"]["自然资源局"].id, user=world["land"],
                   comment_id=world["c1"].id)


def test_family_assignment_covers_every_member_and_is_not_duplicated(world):
    land = world["departments"]["自然资源局"].id
    item = ops.assign("family", department_id=land, user=world["admin"], comment_id=world["dup2"].id)
    assert item.comment_id == world["c1"].id  # the representative holds the family
    members = {c.id for c in ops.assignment_members(item)}
    assert members == {world["c1"].id, world["dup1"].id, world["dup2"].id}
    with pytest.raises(Conflict):
        ops.assign("family", department_id=land, user=world["admin"], comment_id=world["dup1"].id)


def test_topic_assignment(world):
    project = world["project"]
    topic = Topic(project_id=project.id, label="征地补偿", keywords=["征地", "补偿"], representative_id=world["c1"].id)
    db.session.add(topic)
    db.session.flush()
    for c in (world["c1"], world["dup1"]):
        db.session.add(TopicAssignment(comment_id=c.id, topic_id=topic.id))
    db.session.flush()
    suggestions = ops.suggest_departments(ops.topic_members(topic), topic)
    assert suggestions[0]["department"].name == "自然资源局"
    item = ops.assign("topic", department_id=suggestions[0]["department"].id, user=world["admin"], topic_id=topic.id)
    assert item.topic_id == topic.id and item.title.startswith("议题")
    assert {c.id for c in ops.assignment_members(item)} == {world["c1"].id, world["dup1"].id}


def test_routing_suggestions_from_keywords(world):
    road = ops.suggest_departments([world["c2"]])
    assert road[0]["department"].name == "交通运输局"
    assert "机耕路" in road[0]["keywords"]
    nothing = add_comment(world["project"], "谢谢你们辛苦了")
    assert ops.suggest_departments([nothing]) == []


def test_reassign_needs_a_reason_and_keeps_history(world):
    land, farm = world["departments"]["自然资源局"], world["departments"]["农业农村局"]
    item = ops.assign("comment", department_id=land.id, user=world["admin"], comment_id=world["c2"].id)
    with pytest.raises(ValidationError, match="理由"):
        ops.reassign(item, farm.id, "  ", world["admin"])
    with pytest.raises(ValidationError):
        ops.reassign(item, land.id, "同一个部门", world["admin"])
    with pytest.raises(NotFound):
        ops.reassign(item, 987654, "不存在的部门", world["admin"])
    with pytest.raises(PermissionDenied):
        ops.reassign(item, farm.id, "部门自己改派", world["land"])
    ops.reassign(item, farm.id, "机耕路属于高标准农田项目", world["admin"])
    db.session.commit()
    assert item.department_id == farm.id
    last = item.events[-1]
    assert (last.action, last.from_department_id, last.to_department_id) == ("reassigned", land.id, farm.id)
    assert last.reason == "机耕路属于高标准农田项目"
    ops.complete(item, world["farm"])
    with pytest.raises(Conflict):
        ops.reassign(item, land.id, "办结后改派", world["admin"])


def test_task_list_buckets_and_board(world, today):
    land = world["departments"]["自然资源局"]
    soon = ops.assign("comment", department_id=land.id, user=world["admin"], comment_id=world["c1"].id,
                      due_on=today + dt.timedelta(days=1), today=today)
    later = ops.assign("comment", department_id=land.id, user=world["admin"], comment_id=world["c2"].id,
                       today=today)
    late = ops.assign("comment", department_id=land.id, user=world["admin"], comment_id=world["dup1"].id,
                      today=today)
    late.due_on = today - dt.timedelta(days=2)  # an item that ran past its deadline
    db.session.commit()
    lists = ops.task_list(land.id, today)
    assert [a.id for a in lists["overdue"]] == [late.id]
    assert [a.id for a in lists["due_soon"]] == [soon.id]
    assert [a.id for a in lists["open"]] == [later.id]
    assert ops.task_list(world["departments"]["农业农村局"].id, today)["open"] == []
    board = ops.supervision_board(today)
    row = next(r for r in board["rows"] if r["department"].id == land.id)
    assert (row["overdue"], row["due_soon"], row["open"]) == (1, 1, 1)
    assert [a.id for a in board["overdue"]] == [late.id]


def test_reminders_once_per_day_with_email_when_configured(world, today, app, monkeypatch):
    land = world["departments"]["自然资源局"]
    land.email = "zrzy@example.gov.cn"
    late = ops.assign("comment", department_id=land.id, user=world["admin"], comment_id=world["c1"].id, today=today)
    late.due_on = today - dt.timedelta(days=1)
    db.session.commit()
    sent = []
    monkeypatch.setattr(ops.smtplib, "SMTP", _fake_smtp(sent))
    counts = ops.send_reminders(today)  # no SMTP host: no e-mail
    assert counts["items"] == 1 and counts["emails"] == 0 and not sent
    assert counts["notifications"] == 2  # the department's staff and the admin
    assert ops.send_reminders(today)["notifications"] == 0  # not twice the same day
    app.config["RESPOND_SMTP_HOST"] = "smtp.example"
    counts = ops.send_reminders(today + dt.timedelta(days=1))
    assert counts["emails"] == 1 and sent[0]["To"] == "zrzy@example.gov.cn" and "超期" in sent[0].get_content()
    assert ops.unread_count(world["land"]) == 3
    assert ops.mark_read(world["land"]) == 3 and ops.unread_count(world["land"]) == 0


def _fake_smtp(sent):
    class FakeSMTP:
        def __init__(self, host, port, timeout=None):
            self.host = host

        def __enter__(self):
            return self

        def __exit__(self, *args):
            return False

        def send_message(self, message):
            sent.append(message)

    return FakeSMTP


def test_department_crud(world):
    admin = world["admin"]
    dep = ops.save_department({"name": "  文旅局 ", "email": "wl@example.cn"}, None, admin)
    assert dep.name == "文旅局"
    with pytest.raises(ValidationError, match="已存在"):
        ops.save_department({"name": "文旅局"}, None, admin)
    with pytest.raises(ValidationError):
        ops.save_department({"name": ""}, None, admin)
    with pytest.raises(ValidationError, match="邮箱"):
        ops.save_department({"name": "林业局", "email": "nope"}, None, admin)
    ops.save_department({"name": "文旅局", "active": False}, dep, admin)
    assert dep not in ops.departments()


def test_views_assign_flow_and_bad_input(client, world, today):
    login_as(client, world["admin"])
    page = client.get(f"/staff/respond/assign?comment_id={world['c2'].id}")
    assert page.status_code == 200 and "交通运输局" in page.get_data(as_text=True)
    traffic = world["departments"]["交通运输局"].id
    bad = client.post("/staff/respond/assign", data={"target": "comment", "comment_id": world["c2"].id,
                                                      "department_id": traffic,
                                                      "due_on": (today - dt.timedelta(days=3)).isoformat()})
    assert bad.status_code == 400 and "不能早于今天" in bad.get_data(as_text=True)
    missing = client.post("/staff/respond/assign", data={"target": "comment", "comment_id": world["c2"].id,
                                                          "department_id": "777"})
    assert missing.status_code == 400 and "找不到这个部门" in missing.get_data(as_text=True)
    gone = client.get("/staff/respond/assign?comment_id=999999")
    assert gone.status_code == 404 and "找不到" in gone.get_data(as_text=True)
    ok = client.post("/staff/respond/assign", data={"target": "comment", "comment_id": world["c2"].id,
                                                     "department_id": traffic})
    assert ok.status_code == 302
    item = db.session.execute(db.select(Assignment)).scalar_one()
    assert client.get(ok.headers["Location"]).status_code == 200
    assert client.get("/staff/respond/board").status_code == 200
    no_reason = client.post(f"/staff/respond/assignments/{item.id}/reassign",
                            data={"department_id": world["departments"]["自然资源局"].id, "reason": ""},
                            follow_redirects=True)
    assert "改派必须说明理由" in no_reason.get_data(as_text=True)
    assert db.session.get(Assignment, item.id).department_id == traffic


def test_department_admin_pages(client, world):
    login_as(client, world["admin"])
    assert client.get("/staff/respond/departments").status_code == 200
    created = client.post("/staff/respond/departments", data={"name": "林业局", "active": "y"})
    assert created.status_code == 302
    assert db.session.execute(db.select(Department).filter_by(name="林业局")).scalar_one()
    dup = client.post("/staff/respond/departments", data={"name": "林业局", "active": "y"})
    assert dup.status_code == 400 and "已存在" in dup.get_data(as_text=True)
    bad_days = client.post(f"/staff/respond/projects/{world['project'].id}/deadline", data={"working_days": "-3"},
                           follow_redirects=True)
    assert "1 到" in bad_days.get_data(as_text=True)
    assert client.post("/staff/respond/projects/98765/deadline", data={"working_days": "5"}).status_code == 404


def test_admin_adds_department_staff(client, world):
    farm = world["departments"]["农业农村局"]
    login_as(client, world["reviewer"])
    assert client.post(f"/staff/respond/departments/{farm.id}/staff",
                       data={"username": "x1", "password": "long-enough"}).status_code == 403
    login_as(client, world["admin"])
    short = client.post(f"/staff/respond/departments/{farm.id}/staff",
                        data={"username": "nong2", "password": "short"}, follow_redirects=True)
    assert "密码至少" in short.get_data(as_text=True)
    assert client.post("/staff/respond/departments/9999/staff",
                       data={"username": "x2", "password": "long-enough"}).status_code == 404
    ok = client.post(f"/staff/respond/departments/{farm.id}/staff",
                     data={"username": "nong2", "display_name": "农业局小王", "password": "long-enough"})
    assert ok.status_code == 302
    from portal.models import User

    user = db.session.execute(db.select(User).filter_by(username="nong2")).scalar_one()
    assert user.role == "department" and user.department_id == farm.id and user.display_name == "农业局小王"
    assert db.session.execute(db.select(AuditEvent).filter_by(action="user.create")).scalar_one()


def test_board_remind_now(client, world, today):
    late = ops.assign("comment", department_id=world["departments"]["自然资源局"].id, user=world["admin"],
                      comment_id=world["c1"].id, today=today)
    late.due_on = today - dt.timedelta(days=3)
    db.session.commit()
    login_as(client, world["land"])
    assert client.post("/staff/respond/board/remind").status_code == 403
    login_as(client, world["reviewer"])
    board = client.get("/staff/respond/board").get_data(as_text=True)
    assert "已超期 3 天" in board and "remind-now" in board
    response = client.post("/staff/respond/board/remind", follow_redirects=True)
    assert "已提醒：1 项" in response.get_data(as_text=True)
    assert any("已超期 3 天" in n.message for n in ops.notifications_for(world["land"]))
