"""Who may do what in the respond area — including guessing URLs and ids — and the ``flask respond`` commands."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import Assignment, Department, Notification, Reply, User
from portal.respond import operations as ops
from tests.portal import respond_helpers
from tests.portal.respond_helpers import login_as

world = respond_helpers.world  # the shared fixture

REASON = "已列入明年计划。"

COORDINATOR_PAGES = ["/staff/respond/board", "/staff/respond/dashboard", "/staff/respond/reports",
                     "/staff/respond/exports", "/staff/respond/exports/comments.csv"]
ADMIN_PAGES = ["/staff/respond/departments", "/staff/respond/audit"]
STAFF_PAGES = ["/staff/respond/tasks", "/staff/respond/review", "/staff/respond/templates",
               "/staff/respond/notifications"]


@pytest.fixture
def assigned(world):
    """c1's family with 自然资源局, c2 with 农业农村局; a pending reply from each department."""
    land = ops.assign("family", department_id=world["departments"]["自然资源局"].id, user=world["admin"],
                      comment_id=world["c1"].id)
    farm = ops.assign("comment", department_id=world["departments"]["农业农村局"].id, user=world["admin"],
                      comment_id=world["c2"].id)
    land_batch = ops.write_replies(ops.assignment_members(land), "答复一", world["land"], "adopted", REASON)
    farm_batch = ops.write_replies([world["c2"]], "答复二", world["farm"], "adopted", REASON)
    db.session.commit()
    return {**world, "land_item": land, "farm_item": farm, "land_batch": land_batch, "farm_batch": farm_batch}


def test_anonymous_visitors_are_sent_to_login(client):
    for url in COORDINATOR_PAGES + ADMIN_PAGES + STAFF_PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"], url


@pytest.mark.parametrize("who, allowed", [
    ("admin", COORDINATOR_PAGES + ADMIN_PAGES + STAFF_PAGES),
    ("reviewer", COORDINATOR_PAGES + STAFF_PAGES),
    ("land", STAFF_PAGES),
])
def test_pages_by_role(client, world, who, allowed):
    login_as(client, world[who])
    for url in COORDINATOR_PAGES + ADMIN_PAGES + STAFF_PAGES:
        status = client.get(url).status_code
        assert (status == 200) == (url in allowed), (who, url, status)
        assert status in (200, 403)


def test_department_sees_only_its_own_tasks(client, assigned):
    login_as(client, assigned["land"])
    tasks = client.get("/staff/respond/tasks").get_data(as_text=True)
    assert f"/assignments/{assigned['land_item'].id}" in tasks
    assert f"/assignments/{assigned['farm_item'].id}" not in tasks
    # asking for another department's list is ignored
    tasks = client.get(f"/staff/respond/tasks?department_id={assigned['departments']['农业农村局'].id}")
    assert f"/assignments/{assigned['farm_item'].id}" not in tasks.get_data(as_text=True)


def test_guessing_ids_of_another_department(client, assigned):
    login_as(client, assigned["land"])
    other = assigned["farm_item"].id
    assert client.get(f"/staff/respond/assignments/{other}").status_code == 404
    assert client.get("/staff/respond/assignments/999999").status_code == 404
    assert client.post(f"/staff/respond/assignments/{other}/done").status_code == 404
    assert client.post(f"/staff/respond/assignments/{other}/reply",
                       data={"text": "x", "adoption": "adopted", "adoption_reason": REASON}).status_code == 404
    assert client.post(f"/staff/respond/assignments/{other}/reassign",
                       data={"department_id": 1, "reason": "x"}).status_code == 403
    assert client.get(f"/staff/respond/review/{assigned['farm_batch']}").status_code == 404
    assert client.post(f"/staff/respond/review/{assigned['farm_batch']}/revise",
                       data={"text": "改掉", "adoption": "adopted", "adoption_reason": REASON}).status_code == 404
    # direct reply to a comment of another department
    reply = client.post(f"/staff/respond/reply?target=comment&comment_id={assigned['c2'].id}",
                        data={"text": "x", "adoption": "adopted", "adoption_reason": REASON})
    assert reply.status_code == 400 and "没有交办给您的部门" in reply.get_data(as_text=True)
    assert db.session.get(Assignment, other).status == "open"
    assert db.session.execute(db.select(Reply).filter_by(text="改掉")).first() is None
    # own items work
    assert client.get(f"/staff/respond/assignments/{assigned['land_item'].id}").status_code == 200
    assert client.get(f"/staff/respond/review/{assigned['land_batch']}").status_code == 200


def test_department_staff_cannot_publish_or_return(client, assigned):
    login_as(client, assigned["land"])
    client.post(f"/staff/respond/review/{assigned['land_batch']}/approve")
    client.post(f"/staff/respond/review/{assigned['land_batch']}/return", data={"note": "x"})
    assert {r.state for r in ops.batch_replies(assigned["land_batch"])} == {"pending"}
    assert "待审核的答复" not in client.get("/staff/respond/review").get_data(as_text=True)


def test_department_staff_cannot_assign_or_edit_departments(client, assigned):
    login_as(client, assigned["land"])
    assert client.get(f"/staff/respond/assign?comment_id={assigned['c2'].id}").status_code == 403
    assert client.post("/staff/respond/departments", data={"name": "黑客局"}).status_code == 403
    assert db.session.execute(db.select(Department).filter_by(name="黑客局")).first() is None


def test_reviewer_publishes_but_cannot_administer(client, assigned):
    login_as(client, assigned["reviewer"])
    assert client.post(f"/staff/respond/review/{assigned['farm_batch']}/approve").status_code == 302
    assert all(r.published_at for r in ops.batch_replies(assigned["farm_batch"]))
    assert client.get("/staff/respond/audit").status_code == 403
    assert client.post(f"/staff/respond/projects/{assigned['project'].id}/deadline",
                       data={"working_days": 3}).status_code == 403


def test_notifications_belong_to_their_user(client, assigned):
    other = db.session.execute(db.select(Notification).filter_by(user_id=assigned["farm"].id)).scalars().first()
    assert other is not None
    login_as(client, assigned["land"])
    page = client.get("/staff/respond/notifications").get_data(as_text=True)
    assert f'name="id" value="{other.id}"' not in page
    mine = db.session.execute(db.select(Notification).filter_by(user_id=assigned["land"].id)).scalars().first()
    assert f'name="id" value="{mine.id}"' in page
    client.post("/staff/respond/notifications", data={"id": other.id})
    assert db.session.get(Notification, other.id).read_at is None
    # an open redirect is not possible
    response = client.post("/staff/respond/notifications", data={"url": "//evil.example"})
    assert response.headers["Location"].endswith("/staff/respond/notifications")


def test_cli_commands(app, world, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["respond", "seed-departments"])
    assert result.exit_code == 0 and "新建 0 个部门" in result.output
    result = runner.invoke(args=["respond", "seed-demo", "--password", "demo-password"])
    assert result.exit_code == 0, result.output
    assert db.session.execute(db.select(User).filter_by(username="reviewer")).scalar_one()
    assert db.session.execute(db.select(Assignment)).first() is not None
    result = runner.invoke(args=["respond", "remind"])
    assert result.exit_code == 0 and "提醒" in result.output
    csv_path = tmp_path / "c.csv"
    result = runner.invoke(args=["respond", "export", "comments", str(csv_path)])
    assert result.exit_code == 0 and "4 行" in result.output
    result = runner.invoke(args=["respond", "export", "comments", str(tmp_path / "c.txt")])
    assert result.exit_code == 1 and "错误" in result.output
    result = runner.invoke(args=["respond", "report", str(world["project"].id), str(tmp_path / "r.docx")])
    assert result.exit_code == 0 and (tmp_path / "r.docx").stat().st_size > 1000
    result = runner.invoke(args=["respond", "report", "9999", str(tmp_path / "r.docx")])
    assert result.exit_code == 1 and "找不到" in result.output
    result = runner.invoke(args=["respond", "send-messages"])
    assert result.exit_code == 0
