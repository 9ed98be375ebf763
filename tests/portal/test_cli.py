"""``flask`` commands: users and demo data, good and bad arguments."""

from __future__ import annotations

from portal.models import Comment, Project, User


def test_users_create_and_list(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "wang", "--role", "department", "--department", "农业农村局",
                                 "--password", "long-enough-pw"])
    assert result.exit_code == 0, result.output
    user = db.session.execute(db.select(User).filter_by(username="wang")).scalar_one()
    assert user.department.name == "农业农村局" and user.check_password("long-enough-pw")
    assert user.password_hash != "long-enough-pw"
    assert "wang" in runner.invoke(args=["users", "list"]).output


def test_users_create_bad_arguments(app):
    runner = app.test_cli_runner()
    short = runner.invoke(args=["users", "create", "li", "--password", "short"])
    assert short.exit_code == 1 and "密码至少" in short.output
    no_dept = runner.invoke(args=["users", "create", "li", "--role", "department", "--password", "long-enough-pw"])
    assert no_dept.exit_code == 1 and "部门" in no_dept.output
    bad_role = runner.invoke(args=["users", "create", "li", "--role", "boss", "--password", "long-enough-pw"])
    assert bad_role.exit_code != 0
    runner.invoke(args=["users", "create", "li", "--password", "long-enough-pw"])
    dup = runner.invoke(args=["users", "create", "li", "--password", "long-enough-pw"])
    assert dup.exit_code == 1 and "已存在" in dup.output


def test_demo_load_is_idempotent(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load", "--no-screen"])
    assert first.exit_code == 0, first.output
    projects = db.session.execute(db.select(db.func.count(Project.id))).scalar_one()
    comments = db.session.execute(db.select(db.func.count(Comment.id))).scalar_one()
    assert projects == 3 and comments >= 150
    second = runner.invoke(args=["demo", "load", "--no-screen"])
    assert second.exit_code == 0 and "3 个已存在" in second.output
    assert db.session.execute(db.select(db.func.count(Comment.id))).scalar_one() == comments
    assert db.session.execute(db.select(User).filter_by(username="admin")).scalar_one().role == "admin"


def test_demo_load_bad_file(app, tmp_path):
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["demo", "load", "--path", str(tmp_path / "nope.json")])
    assert missing.exit_code == 1 and "找不到" in missing.output
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    result = runner.invoke(args=["demo", "load", "--path", str(broken)])
    assert result.exit_code == 1 and "不是合法的 JSON" in result.output
