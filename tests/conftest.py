"""Shared fixtures: an app on a throw-away database (SQLite, or PostgreSQL when
``TINGJIAN_TEST_DATABASE_URL`` is set), a client, and factories for projects, stages and staff."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from portal import create_app
from portal.extensions import db as _db
from portal.models import Project, Role, Stage, StageKind
from portal.operations import users as user_ops

TEST_DATABASE_URL = os.environ.get("TINGJIAN_TEST_DATABASE_URL")


def _test_config(tmp_path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test",
        "DATABASE_URL": TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'test.sqlite'}",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "QUEUE_IMMEDIATE": True,
        "QUEUE_PATH": str(tmp_path / "queue.sqlite"),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return config


def build_app(tmp_path, **overrides):
    """An app with a fresh schema; used by the ``app`` fixture and by tests needing special config."""
    app = create_app(_test_config(tmp_path, **overrides))
    app.instance_path = str(tmp_path)
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    return app


@pytest.fixture
def app(tmp_path):
    app = build_app(tmp_path)
    with app.app_context():
        yield app
        _db.session.remove()
        _db.drop_all()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def today():
    from portal.timeutil import local_today

    return local_today()


@pytest.fixture
def make_project(app, today):
    """Factory: a project with an open 规划 stage (and optionally closed/upcoming others)."""
    counter = {"n": 0}

    def factory(kind: str = "村庄规划", villages: list[str] | None = None, stages: str = "open", **fields):
        counter["n"] += 1
        project = Project(
            slug=fields.pop("slug", f"project-{counter['n']}"),
            name=fields.pop("name", f"测试项目{counter['n']}"),
            kind=kind,
            region="青川县石桥镇",
            villages=villages if villages is not None else ["石桥村", "下坪村"],
            summary="测试用项目",
            body="项目介绍",
            **fields,
        )
        _db.session.add(project)
        _db.session.flush()
        day = dt.timedelta(days=1)
        if "open" in stages:
            _db.session.add(Stage(project=project, kind=StageKind.PLANNING, position=0,
                                  opens_on=today - 5 * day, closes_on=today + 20 * day))
        if "closed" in stages:
            _db.session.add(Stage(project=project, kind=StageKind.IMPLEMENTATION, position=1,
                                  opens_on=today - 60 * day, closes_on=today - 30 * day))
        if "upcoming" in stages:
            _db.session.add(Stage(project=project, kind=StageKind.ACCEPTANCE, position=2,
                                  opens_on=today + 60 * day, closes_on=today + 90 * day))
        _db.session.commit()
        return project

    return factory


@pytest.fixture
def make_user(app):
    def factory(username: str = "staff", role: str = Role.ADMIN, department: str | None = None,
                password: str = "correct-horse"):
        user = user_ops.create_user(username, password, role, department)
        _db.session.commit()
        return user

    return factory


@pytest.fixture
def login(client, make_user):
    """Sign in a new staff member (admin by default) through the login form."""

    def do_login(role: str = Role.ADMIN, username: str | None = None, department: str | None = None):
        user = make_user(username or f"{role}-user", role, department or ("自然资源局" if role == "department" else None))
        response = client.post("/staff/login", data={"username": user.username, "password": "correct-horse"})
        assert response.status_code == 302, response.data
        return user

    return do_login
