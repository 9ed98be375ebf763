"""Fixtures shared by the respond tests (issue 8): departments, staff of each role, screened comments."""

from __future__ import annotations

import pytest

from portal.extensions import db as _db
from portal.models import Comment, Role
from portal.operations import comments as comment_ops
from portal.respond import operations as ops


def add_comment(project, text: str, *, phone: str | None = None, duplicate_of: Comment | None = None,
                village: str | None = None) -> Comment:
    """A stored comment that screening found clean (so it counts in reports)."""
    comment = comment_ops.submit_comment(project, project.stages[0].id, text, phone=phone, village=village)
    comment.screening_state = "done"
    comment.redacted_text = text
    comment.published = True
    if duplicate_of is not None:
        comment.duplicate_of_id = duplicate_of.id
    _db.session.flush()
    return comment


@pytest.fixture
def world(app, make_project, make_user):
    """A project with comments, the standard departments, and an admin, a reviewer and two department staff."""
    ops.seed_departments()
    project = make_project()
    admin = make_user("boss", Role.ADMIN)
    reviewer = make_user("rev", Role.REVIEWER)
    land = make_user("land", Role.DEPARTMENT, "自然资源局")
    farm = make_user("farm", Role.DEPARTMENT, "农业农村局")
    c1 = add_comment(project, "征地补偿标准太低了，希望提高补偿。", phone="13800001111")
    c2 = add_comment(project, "机耕路太窄，农机下不了田，希望拓宽道路。")
    dup1 = add_comment(project, "征地补偿标准太低了，希望提高补偿！", duplicate_of=c1)
    dup2 = add_comment(project, "征地补偿标准太低，希望提高补偿", duplicate_of=c1, phone="13900002222")
    _db.session.commit()
    departments = {d.name: d for d in ops.departments()}
    return {"project": project, "admin": admin, "reviewer": reviewer, "land": land, "farm": farm,
            "c1": c1, "c2": c2, "dup1": dup1, "dup2": dup2, "departments": departments}


def login_as(client, user) -> None:
    client.post("/staff/logout")
    response = client.post("/staff/login", data={"username": user.username, "password": "correct-horse"})
    assert response.status_code == 302, response.data
