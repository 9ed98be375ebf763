"""Review queue views: thin — parse forms, call ``portal.review.operations``, commit once, render."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.formtools import first_form_error, page_number
from portal.models import Comment, Project, Role
from portal.operations import comments as comment_ops
from portal.operations import pipeline
from portal.operations.errors import DomainError, ValidationError
from portal.review import bp
from portal.review import operations as ops
from portal.review.forms import (
    BulkActionForm,
    CampaignActionForm,
    CommentActionForm,
    ExportForm,
    QueueFilterForm,
)
from portal.staff.forms import ActionForm
from portal.staff.views import roles_required
from portal.timeutil import utcnow

REVIEWERS = (Role.ADMIN, Role.REVIEWER)


def _project_choices() -> list[tuple[str, str]]:
    projects = db.session.execute(db.select(Project).order_by(Project.id)).scalars()
    return [("", _("全部项目"))] + [(str(p.id), p.name) for p in projects]


def _back() -> str:
    """Where to return after an action: the queue page the reviewer came from (same site, this area only)."""
    target = request.form.get("next") or ""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path != url_for("review.queue"):
        return url_for("review.queue")
    return target


def _render_queue(status: int = 200, error: str | None = None, bulk_form: BulkActionForm | None = None):
    form = QueueFilterForm(request.args)
    form.project.choices = _project_choices()
    filters: dict = {}
    if form.validate():
        filters = {
            "flag": form.flag.data or None,
            "project_id": int(form.project.data) if form.project.data else None,
            "stage_kind": form.stage.data or None,
            "family_id": int(form.family.data) if form.family.data else None,
            "search": (form.q.data or "").strip() or None,
        }
    family = None
    if filters.get("family_id"):
        family = db.session.get(Comment, filters["family_id"])
        if family is None:
            filters["family_id"] = None
    page = page_number()
    pagination = db.paginate(ops.queue_query(**filters), page=page,
                             per_page=current_app.config.get("REVIEW_PAGE_SIZE", 30), error_out=False)
    ids = [c.id for c in pagination.items]
    sizes = pipeline.family_sizes([c.id for c in pagination.items if c.duplicate_of_id is None])
    failures = ops.failed_comments(limit=20) if not filters.get("family_id") else []
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "review/queue.html", form=form, pagination=pagination, sizes=sizes, overrides=ops.last_overrides(ids),
        counts=ops.screening_counts(), failures=failures, family=family, args=args, error=error,
        bulk_form=bulk_form or BulkActionForm(formdata=None), action_form=CommentActionForm(formdata=None),
        campaign_form=CampaignActionForm(formdata=None), actions=ops.ACTIONS, field_labels=ops.FIELD_LABELS,
        review_labels=ops.REVIEW_LABELS, value_labels=ops.VALUE_LABELS, export_form=_export_form(),
        # After an action, come back to this listing (a failed POST re-renders the plain queue).
        next_url=request.full_path.rstrip("?") if request.method == "GET" else url_for("review.queue"),
    ), status


def _export_form() -> ExportForm:
    form = ExportForm(formdata=None)
    form.project.choices = _project_choices()
    return form


@bp.route("/")
@roles_required(*REVIEWERS)
def queue():
    return _render_queue()


def _done(changed: int, total: int, action: ops.Action, queued: int | None = None) -> None:
    if action.name == "rescreen":
        flash(_("已将 %(n)s 条意见重新加入筛查队列。", n=queued if queued is not None else changed), "info")
    elif changed:
        flash(_("已对 %(n)s 条意见执行“%(action)s”。", n=changed, action=action.label), "success")
    else:
        flash(_("选中的意见已经是“%(action)s”，没有变化。", action=action.label), "info")


@bp.route("/comments/<int:comment_id>/action", methods=["POST"])
@roles_required(*REVIEWERS)
def comment_action(comment_id: int):
    comment = comment_ops.get_comment(comment_id)
    form = CommentActionForm()
    if not form.validate_on_submit():
        return _render_queue(400, first_form_error(form))
    action = ops.ACTIONS[form.action.data]
    try:
        changed = ops.apply_action([comment], action, current_user, form.note.data)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _render_queue(exc.status, exc.message)
    queued = ops.queue_rescreen([comment.id]) if action.name == "rescreen" else None
    _done(changed, 1, action, queued)
    return redirect(_back())


@bp.route("/bulk", methods=["POST"])
@roles_required(*REVIEWERS)
def bulk_action():
    form = BulkActionForm()
    if not form.validate_on_submit():
        return _render_queue(400, first_form_error(form), bulk_form=form)
    action = ops.ACTIONS[form.action.data]
    try:
        comments = ops.get_comments(form.comment_ids())
        changed = ops.apply_action(comments, action, current_user, form.note.data)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _render_queue(exc.status, exc.message, bulk_form=form)
    queued = ops.queue_rescreen([c.id for c in comments]) if action.name == "rescreen" else None
    _done(changed, len(comments), action, queued)
    return redirect(_back())


@bp.route("/campaigns/<int:comment_id>/action", methods=["POST"])
@roles_required(*REVIEWERS)
def campaign_action(comment_id: int):
    form = CampaignActionForm()
    if not form.validate_on_submit():
        return _render_queue(400, first_form_error(form))
    action = ops.ACTIONS[form.action.data]
    try:
        family = ops.get_family(comment_id)
        changed = ops.apply_action(family, action, current_user, form.note.data)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _render_queue(exc.status, exc.message)
    queued = ops.queue_rescreen([c.id for c in family]) if action.name == "rescreen" else None
    _done(changed, len(family), action, queued)
    return redirect(_back())


@bp.route("/rescreen-failed", methods=["POST"])
@roles_required(*REVIEWERS)
def rescreen_failed():
    if not ActionForm().validate_on_submit():
        return _render_queue(400, _("页面已过期，请刷新后重试。"))
    failed = ops.failed_comments()
    if not failed:
        flash(_("没有筛查失败的意见。"), "info")
        return redirect(_back())
    ids = ops.mark_for_rescreen(failed, current_user)
    db.session.commit()
    queued = ops.queue_rescreen(ids)
    flash(_("已将 %(n)s 条筛查失败的意见重新加入队列。", n=queued), "info")
    return redirect(_back())


@bp.route("/export")
@roles_required(*REVIEWERS)
def export():
    form = ExportForm(request.args)
    form.project.choices = _project_choices()
    if not form.validate():
        raise ValidationError(first_form_error(form))
    project_id = int(form.project.data) if form.project.data else None
    rows = ops.labelled_rows(project_id)
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    if form.format.data == "jsonl":
        body, mimetype = ops.export_jsonl(rows), "application/x-ndjson; charset=utf-8"
    else:
        body, mimetype = ops.export_csv(rows), "text/csv; charset=utf-8"
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename=screening-overrides-{stamp}.{form.format.data}"
    return response
