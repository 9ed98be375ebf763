"""The screening pipeline: commit first, screen in the background, retry failures and show them, re-screen."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.extensions import db as _db
from portal.extensions import huey
from portal.models import Comment, DedupBand, ScreeningRecord
from portal.operations import comments as comment_ops
from portal.operations import pipeline
from portal.timeutil import utcnow
from tests.conftest import build_app

SPAM = "代办土地证包过，加V薇信 138 1234 5678，帮你多报补偿面积"
CLEAN = "石桥村五组的机耕路太窄了，建议拓宽到4米，方便收割机进出。我的电话13912345678"
CAMPAIGN = "我们坚决反对把下坪村二组的基本农田调出，祖祖辈辈种了几十年的好地不能占，请重新论证选址方案"


def _store(project, text: str) -> Comment:
    comment = comment_ops.submit_comment(project, project.stages[0].id, text)
    _db.session.commit()
    return comment


def _submit(project, text: str) -> Comment:
    """Store and queue, as the public views do (immediate queue in tests)."""
    comment = _store(project, text)
    assert pipeline.enqueue_comment(comment.id)
    _db.session.expire_all()
    return _db.session.get(Comment, comment.id)


def test_public_submission_is_stored_then_screened(client, db, make_project):
    project = make_project()
    response = client.post(f"/projects/{project.slug}/comment", data={"stage_id": project.stages[0].id, "text": SPAM})
    assert response.status_code == 302
    comment = db.session.execute(db.select(Comment)).scalar_one()
    assert comment.screening_state == "done" and comment.screening_attempts == 1
    assert comment.is_spam and not comment.published
    assert any("薇信" in r for r in comment.screening_reasons)
    assert "5678" in comment.redacted_text and "1234" not in comment.redacted_text


def test_clean_comment_published_redacted(db, make_project):
    comment = _submit(make_project(), CLEAN)
    assert comment.screening_state == "done" and not comment.is_spam and comment.has_pii
    assert comment.published
    assert "13912345678" not in comment.redacted_text and "139****5678" in comment.redacted_text
    assert comment.text == CLEAN  # the original is never changed
    assert db.session.get(ScreeningRecord, comment.id).pii is True


def test_auto_publish_can_be_switched_off(app, make_project):
    app.config["AUTO_PUBLISH_CLEAN"] = False
    comment = _submit(make_project(), CLEAN)
    assert comment.screening_state == "done" and not comment.published


def test_failure_is_recorded_and_the_comment_kept(client, db, make_project, monkeypatch):
    project = make_project()

    def broken(comment):
        raise RuntimeError("模型文件损坏")

    monkeypatch.setattr(pipeline, "screen_comment", broken)
    response = client.post(f"/projects/{project.slug}/comment", data={"stage_id": project.stages[0].id, "text": CLEAN})
    assert response.status_code == 302  # the resident still gets a receipt
    comment = db.session.execute(db.select(Comment)).scalar_one()
    assert comment.text == CLEAN
    assert comment.screening_state == "failed" and comment.screening_attempts == 1
    assert "模型文件损坏" in comment.screening_error
    assert not comment.published and comment.redacted_text is None


def test_failed_task_is_retried_by_the_queue(tmp_path, monkeypatch):
    """A real (non-immediate) Huey queue: the first attempt fails, the retry succeeds."""
    app = build_app(tmp_path, QUEUE_IMMEDIATE=False)
    with app.app_context():
        from portal.models import Project, Stage
        from portal.timeutil import local_today

        project = Project(slug="q", name="队列项目", kind="村庄规划", villages=[])
        _db.session.add(project)
        _db.session.flush()
        _db.session.add(Stage(project=project, kind="planning", opens_on=local_today(), closes_on=local_today()))
        _db.session.commit()
        comment = _store(project, CLEAN)
        real = pipeline.screen_comment
        calls = {"n": 0}

        def flaky(c):
            calls["n"] += 1
            if calls["n"] == 1:
                raise ConnectionError("数据库暂时不可用")
            return real(c)

        monkeypatch.setattr(pipeline, "screen_comment", flaky)
        assert pipeline.enqueue_comment(comment.id)
        assert comment.screening_state == "pending"  # nothing ran in the web process

        task = huey.dequeue()
        huey.execute(task)
        _db.session.expire_all()
        comment = _db.session.get(Comment, comment.id)
        assert comment.screening_state == "failed" and "数据库暂时不可用" in comment.screening_error

        # The retry waits in the schedule; a worker picks it up when it is due.
        later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=1)
        assert huey.read_schedule(later - dt.timedelta(minutes=1)) == []  # not due yet (retry_delay)
        due = huey.read_schedule(later)
        assert len(due) == 1 and due[0].retries == 2
        huey.execute(due[0], later)
        _db.session.expire_all()
        comment = _db.session.get(Comment, comment.id)
        assert comment.screening_state == "done", comment.screening_error
        assert comment.screening_error is None and comment.screening_attempts == 2 and comment.published
        _db.session.remove()
        _db.drop_all()


def test_failure_is_shown_in_the_queue_and_can_be_retried(client, db, login, make_project, monkeypatch):
    project = make_project()
    monkeypatch.setattr(pipeline, "screen_comment", lambda c: (_ for _ in ()).throw(ValueError("分词词典缺失")))
    comment = _submit(project, CLEAN)
    assert comment.screening_state == "failed"
    login("reviewer")
    page = client.get("/staff/review/?flag=failed").get_data(as_text=True)
    assert "筛查失败" in page and "分词词典缺失" in page and f"comment-{comment.id}" in page
    assert "已尝试 1 次" in page
    # not in the list of other filters
    assert f"comment-{comment.id}" not in client.get("/staff/review/?flag=spam").get_data(as_text=True)

    monkeypatch.undo()
    response = client.post("/staff/review/rescreen-failed")
    assert response.status_code == 302
    db.session.expire_all()
    comment = db.session.get(Comment, comment.id)
    assert comment.screening_state == "done" and comment.screening_error is None and comment.published
    assert f"comment-{comment.id}" not in client.get("/staff/review/?flag=failed").get_data(as_text=True)


def test_retries_come_from_configuration(tmp_path, monkeypatch):
    app = build_app(tmp_path, QUEUE_IMMEDIATE=False, QUEUE_RETRIES=0)
    with app.app_context():
        from portal.models import Project, Stage
        from portal.timeutil import local_today

        project = Project(slug="r", name="项目", kind="村庄规划", villages=[])
        _db.session.add(project)
        _db.session.flush()
        _db.session.add(Stage(project=project, kind="planning", opens_on=local_today(), closes_on=local_today()))
        _db.session.commit()
        comment = _store(project, CLEAN)
        monkeypatch.setattr(pipeline, "screen_comment", lambda c: 1 / 0)
        pipeline.enqueue_comment(comment.id)
        huey.execute(huey.dequeue())
        later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=1)
        assert huey.read_schedule(later) == []  # no retry configured: it stays failed for staff
        _db.session.expire_all()
        assert _db.session.get(Comment, comment.id).screening_state == "failed"
        _db.session.remove()
        _db.drop_all()


def test_redis_queue_that_is_down(tmp_path):
    """With REDIS_URL the queue lives in Redis; when Redis is down the comment is still stored and left pending
    for the sweep, and the staff page reports the queue as unavailable instead of failing."""
    from huey.storage import RedisStorage

    from portal.operations import users

    app = build_app(tmp_path, QUEUE_IMMEDIATE=False, REDIS_URL="redis://127.0.0.1:9/0")
    with app.app_context():
        from portal.models import Project, Stage
        from portal.timeutil import local_today

        assert isinstance(huey.storage, RedisStorage)
        project = Project(slug="redis", name="项目", kind="村庄规划", villages=[])
        _db.session.add(project)
        _db.session.flush()
        _db.session.add(Stage(project=project, kind="planning", opens_on=local_today(), closes_on=local_today()))
        users.create_user("rev", "correct-horse", "reviewer")
        _db.session.commit()
        client = app.test_client()
        response = client.post("/projects/redis/comment", data={"stage_id": project.stages[0].id, "text": CLEAN})
        assert response.status_code == 302
        comment = _db.session.execute(_db.select(Comment)).scalar_one()
        assert comment.screening_state == "pending"
        client.post("/staff/login", data={"username": "rev", "password": "correct-horse"})
        page = client.get("/staff/review/?flag=pending").get_data(as_text=True)
        assert "队列不可用" in page and f'id="comment-{comment.id}"' in page
        _db.session.remove()
        _db.drop_all()


def test_stuck_pending_comments_are_requeued(db, make_project):
    comment = _store(make_project(), CLEAN)  # stored but never queued (the queue was down)
    assert comment.screening_state == "pending"
    assert pipeline.requeue_stuck() == 0  # not stuck yet
    later = utcnow() + dt.timedelta(minutes=10)
    assert pipeline.stuck_comment_ids(later) == [comment.id]
    assert pipeline.requeue_stuck(later) == 1
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).screening_state == "done"


def test_enqueue_never_raises(db, make_project, monkeypatch):
    from portal import tasks

    comment = _store(make_project(), CLEAN)

    def down(comment_id, **options):
        raise OSError("queue down")

    monkeypatch.setattr(tasks, "process_comment", down)
    assert pipeline.enqueue_comment(comment.id) is False
    assert db.session.get(Comment, comment.id).screening_state == "pending"


def test_duplicates_form_one_family(db, make_project):
    project = make_project()
    first = _submit(project, CAMPAIGN)
    second = _submit(project, "同意楼上！" + CAMPAIGN + "——下坪村二组全体村民")
    third = _submit(project, CAMPAIGN.replace("几十年", "五十年"))
    other = _submit(project, "安置房的户型太小，三代人住不下，希望增加一百二十平米的户型")
    assert first.duplicate_of_id is None and first.published
    assert second.duplicate_of_id == first.id and third.duplicate_of_id == first.id
    assert not second.published and not third.published
    assert other.duplicate_of_id is None
    assert any(f"#{first.id}" in r for r in second.screening_reasons)
    assert pipeline.family_sizes([first.id, other.id]) == {first.id: 3, other.id: 1}
    assert db.session.execute(db.select(db.func.count(DedupBand.id))).scalar_one() > 0
    # a duplicate in another project is not in this family
    elsewhere = _submit(make_project(), CAMPAIGN)
    assert elsewhere.duplicate_of_id is None


def test_rescreen_command_rescreens_everything(app, db, make_project):
    project = make_project()
    spam = _submit(project, SPAM)
    clean = _submit(project, CLEAN)
    # Pretend an older model got both wrong.
    spam.is_spam, spam.screening_reasons = False, []
    clean.is_spam = True
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["screening", "run"])  # only pending/failed: nothing to do
    assert result.exit_code == 0 and "已筛查 0 条" in result.output
    result = runner.invoke(args=["screening", "run", "--all"])
    assert result.exit_code == 0, result.output
    assert "已筛查 2 条" in result.output
    db.session.expire_all()
    assert db.session.get(Comment, spam.id).is_spam is True
    assert db.session.get(Comment, clean.id).is_spam is False
    assert db.session.get(Comment, spam.id).screening_attempts == 2


def test_rescreen_command_reports_failures(app, db, make_project, monkeypatch):
    comment = _store(make_project(), CLEAN)
    monkeypatch.setattr(pipeline, "screen_comment", lambda c: 1 / 0)
    result = app.test_cli_runner().invoke(args=["screening", "run"])
    assert result.exit_code == 1
    assert f"意见 {comment.id} 筛查失败" in result.output
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).screening_state == "failed"


def test_detector_thresholds_come_from_configuration(app, db, make_project):
    project = make_project()
    app.config["SCREENING_DETECTORS"] = {"low_info": {"max_len": 0}}
    # With max_len 0 every non-empty text counts as "long", so "+1" is no longer content-free.
    comment = _submit(project, "+1")
    assert not comment.is_low_info
    app.config["SCREENING_DETECTORS"] = {}
    assert _submit(project, "+1").is_low_info


@pytest.mark.parametrize("setting, message", [
    ({"spamm": {}}, "未知检测器"),
    ({"spam": {"threshhold": 1}}, "参数无效"),
    ({"spam": 3}, "参数字典"),
    ([1, 2], "必须是字典"),
])
def test_bad_detector_configuration_is_explained(app, setting, message):
    app.config["SCREENING_DETECTORS"] = setting
    with pytest.raises(pipeline.ScreeningConfigError, match=message):
        pipeline.get_screener()
