"""Staff topics pages: thin — parse forms, call ``portal.topics.operations``, commit once, render.

Every signed-in staff member may look at topics and export them; renaming, merging, splitting, moving
comments and re-clustering are for admins and reviewers.
"""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.extensions import db
from portal.formtools import first_form_error, page_number
from portal.models import COORDINATOR_ROLES, StageKind
from portal.operations.errors import DomainError, ValidationError
from portal.staff.forms import ActionForm
from portal.staff.views import roles_required
from portal.topics import bp
from portal.topics import operations as ops
from portal.topics.forms import MergeForm, MoveForm, RenameForm, SplitForm, TopicFilterForm, parse_ids

EDITORS = COORDINATOR_ROLES


def _filters(project) -> tuple[TopicFilterForm, str | None, str | None]:
    """The GET filter form and the stage kind / village it selects (invalid values are ignored)."""
    form = TopicFilterForm(request.args)
    form.village.choices = [("", _("全部村"))] + [(v, v) for v in ops.project_villages(project)]
    if not form.validate():
        return form, None, None
    stage = form.stage.data if form.stage.data in {str(k) for k in StageKind} else None
    return form, stage, (form.village.data or None)


def _failed(exc: DomainError, project, topic_id: int | None = None):
    """Roll back, show the message and the page again with the error's status (400/403/404/409)."""
    db.session.rollback()
    flash(exc.message, "danger")
    if topic_id is not None:
        topic = ops.find_topic(topic_id)
        if topic is not None:
            return _topic_page(project, topic, exc.status)
    return _project_page(project, exc.status)


def _back(project, topic_id: int | None = None):
    if topic_id is not None:
        return redirect(url_for("topics.topic", slug=project.slug, topic_id=topic_id))
    return redirect(url_for("topics.project", slug=project.slug))


@bp.route("/")
@login_required
def index():
    return render_template("topics/index.html", projects=ops.projects_summary(),
                           can_edit=current_user.has_role(*EDITORS), action_form=ActionForm(formdata=None))


@bp.route("/<slug>")
@login_required
def project(slug: str):
    return _project_page(ops.get_project_by_slug(slug))


def _project_page(project, status: int = 200):
    form, stage, village = _filters(project)
    data = ops.overview(project, stage, village)
    return render_template(
        "topics/project.html", project=project, form=form, data=data, stage=stage, village=village,
        run=ops.latest_run(project), in_progress=ops.run_in_progress(project),
        can_edit=current_user.has_role(*EDITORS), action_form=ActionForm(formdata=None),
        min_comments=current_app.config["TOPICS_MIN_COMMENTS"]), status


@bp.route("/<slug>/recluster", methods=["POST"])
@roles_required(*EDITORS)
def recluster(slug: str):
    project = ops.get_project_by_slug(slug)
    form = ActionForm()
    try:
        if not form.validate():
            raise ValidationError(first_form_error(form))
        run = ops.request_recluster(project, current_user)
    except DomainError as exc:
        return _failed(exc, project)
    db.session.commit()
    if ops.enqueue_run(run):
        run = db.session.get(type(run), run.id)
        if run.state == "done":
            flash(_("重新聚类完成：%(t)s 个议题，%(u)s 条意见未归入议题。", t=run.topics, u=run.unassigned), "success")
        elif run.state == "failed":
            flash(_("重新聚类失败：%(e)s", e=run.error), "danger")
        else:
            flash(_("已开始重新聚类，完成后刷新本页即可看到新的议题。"), "info")
    else:
        flash(_("任务队列暂时不可用，重新聚类没有开始，请稍后再试。"), "danger")
    return _back(project)


@bp.route("/<slug>/topics/<int:topic_id>")
@login_required
def topic(slug: str, topic_id: int):
    project = ops.get_project_by_slug(slug)
    topic = ops.get_topic(project, topic_id)
    if topic.merged_into_id is not None:
        final = ops.final_topic(topic)
        flash(_("议题“%(a)s”已合并到“%(b)s”。", a=topic.display_name, b=final.display_name), "info")
        return redirect(url_for("topics.topic", slug=slug, topic_id=final.id, **request.args))
    return _topic_page(project, topic)


def _topic_page(project, topic, status: int = 200):
    if topic.merged_into_id is not None or not topic.active:
        return _project_page(project, status)
    form, stage, village = _filters(project)
    page = page_number()
    pagination = db.paginate(ops.topic_comments_query(topic, stage, village), page=page,
                             per_page=current_app.config["TOPICS_PAGE_SIZE"], error_out=False)
    others = [t for t in ops.visible_topics(project) if t.id != topic.id]
    move_form = _move_form(others)
    move_form.target_choice.choices.append(("none", _("移出议题（不归入任何议题）")))
    merge_form = MergeForm(formdata=None)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "topics/topic.html", project=project, topic=topic, form=form, pagination=pagination, others=others,
        assignments=ops.assignments_for(c.id for c in pagination.items), args=args,
        can_edit=current_user.has_role(*EDITORS), rename_form=RenameForm(formdata=None, name=topic.display_name),
        merge_form=merge_form, split_form=SplitForm(formdata=None), move_form=move_form,
        action_form=ActionForm(formdata=None)), status


@bp.route("/<slug>/topics/<int:topic_id>/rename", methods=["POST"])
@roles_required(*EDITORS)
def rename(slug: str, topic_id: int):
    project = ops.get_project_by_slug(slug)
    topic = ops.get_topic(project, topic_id)
    form = RenameForm()
    try:
        if not form.validate():
            raise ValidationError(first_form_error(form), field="name")
        ops.rename(topic, form.name.data, current_user)
    except DomainError as exc:
        return _failed(exc, project, topic_id)
    db.session.commit()
    flash(_("议题已改名为“%(name)s”，重新聚类后仍会保留。", name=topic.display_name), "success")
    return _back(project, topic_id)


@bp.route("/<slug>/topics/<int:topic_id>/reset-name", methods=["POST"])
@roles_required(*EDITORS)
def reset_name(slug: str, topic_id: int):
    project = ops.get_project_by_slug(slug)
    topic = ops.get_topic(project, topic_id)
    try:
        ops.reset_name(topic, current_user)
    except DomainError as exc:
        return _failed(exc, project, topic_id)
    db.session.commit()
    flash(_("已恢复为自动生成的名称。"), "success")
    return _back(project, topic_id)


@bp.route("/<slug>/topics/<int:topic_id>/merge", methods=["POST"])
@roles_required(*EDITORS)
def merge(slug: str, topic_id: int):
    project = ops.get_project_by_slug(slug)
    topic = ops.get_topic(project, topic_id)
    form = MergeForm()
    try:
        if not form.validate():
            raise ValidationError(first_form_error(form), field="target")
        target = ops.find_topic(form.target.data)
        if target is None:
            raise ValidationError(_("找不到要合并到的议题，请刷新页面后重试。"), field="target")
        target = ops.merge(topic, target, current_user)
    except DomainError as exc:
        return _failed(exc, project, topic_id)
    db.session.commit()
    flash(_("已合并到议题“%(name)s”。", name=target.display_name), "success")
    return _back(project, target.id)


@bp.route("/<slug>/topics/<int:topic_id>/split", methods=["POST"])
@roles_required(*EDITORS)
def split(slug: str, topic_id: int):
    project = ops.get_project_by_slug(slug)
    topic = ops.get_topic(project, topic_id)
    form = SplitForm()
    try:
        if not form.validate():
            raise ValidationError(first_form_error(form), field="name")
        try:
            ids = parse_ids(request.form.getlist("comment_ids"))
        except Exception as exc:  # wtforms' ValidationError carries the Chinese message
            raise ValidationError(str(exc), field="comment_ids") from exc
        new = ops.split(topic, ids, form.name.data, current_user)
    except DomainError as exc:
        return _failed(exc, project, topic_id)
    db.session.commit()
    flash(_("已把 %(n)s 条意见拆分为新议题“%(name)s”。", n=len(ids), name=new.display_name), "success")
    return _back(project, new.id)


@bp.route("/<slug>/unassigned")
@login_required
def unassigned(slug: str):
    return _unassigned_page(ops.get_project_by_slug(slug))


def _move_form(others) -> MoveForm:
    form = MoveForm(formdata=None)
    form.target_choice.choices = [("", _("选择议题…"))] + [(str(t.id), t.display_name) for t in others]
    return form


def _unassigned_page(project, status: int = 200):
    form, stage, village = _filters(project)
    page = page_number()
    pagination = db.paginate(ops.unassigned_query(project, stage, village), page=page,
                             per_page=current_app.config["TOPICS_PAGE_SIZE"], error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "topics/unassigned.html", project=project, form=form, pagination=pagination, args=args,
        assignments={}, can_edit=current_user.has_role(*EDITORS), move_form=_move_form(ops.visible_topics(project)),
        action_form=ActionForm(formdata=None)), status


@bp.route("/<slug>/unassigned/move", methods=["POST"])
@roles_required(*EDITORS)
def move_unassigned(slug: str):
    return _move(ops.get_project_by_slug(slug), None)


@bp.route("/<slug>/topics/<int:topic_id>/move", methods=["POST"])
@roles_required(*EDITORS)
def move(slug: str, topic_id: int):
    project = ops.get_project_by_slug(slug)
    ops.get_topic(project, topic_id)  # 404 for a topic of another project
    return _move(project, topic_id)


def _move(project, topic_id: int | None):
    """Move the ticked comments of a topic's page (``topic_id``) or of the unassigned page (None)."""
    form = MoveForm()
    try:
        if not form.validate():
            raise ValidationError(first_form_error(form), field="target")
        try:
            ids = parse_ids(request.form.getlist("comment_ids"))
        except Exception as exc:
            raise ValidationError(str(exc), field="comment_ids") from exc
        target = None
        if form.target_choice.data != "none":
            target = ops.find_topic(int(form.target_choice.data))
            if target is None:
                raise ValidationError(_("找不到目标议题，请刷新页面后重试。"), field="target")
        moved = ops.move_comments(project, ids, target, current_user)
    except DomainError as exc:
        if topic_id is None:
            db.session.rollback()
            flash(exc.message, "danger")
            return _unassigned_page(project, exc.status)
        return _failed(exc, project, topic_id)
    db.session.commit()
    if target is None:
        flash(_("已把 %(n)s 条意见移出议题。", n=moved), "success")
    else:
        flash(_("已把 %(n)s 条意见移到议题“%(name)s”。", n=moved, name=ops.final_topic(target).display_name),
              "success")
    if topic_id is None:
        return redirect(url_for("topics.unassigned", slug=project.slug))
    return _back(project, topic_id)


@bp.route("/<slug>/export.xlsx")
@login_required
def export(slug: str):
    project = ops.get_project_by_slug(slug)
    _form, stage, village = _filters(project)
    data = ops.export_workbook(project, stage, village)
    filename = f"topics-{project.slug}.xlsx"
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})
