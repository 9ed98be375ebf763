"""Respond views: thin — parse forms, call ``portal.respond.operations``/``reports``/``exports``, commit once.

Department staff see only their own department's items: an id of another department's assignment or reply
answers 404, exactly like an id that does not exist, so ids cannot be probed.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import (
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.extensions import db
from portal.formtools import form_error_text, page_number
from portal.models import (
    COORDINATOR_ROLES,
    AdoptionReport,
    AssignmentTarget,
    Comment,
    Project,
    ReplyState,
    ReplyTemplate,
    Role,
    User,
)
from portal.operations import audit
from portal.operations.errors import DomainError, NotFound
from portal.respond import bp, exports, reports, tasks
from portal.respond import operations as ops
from portal.respond.forms import (
    AssignForm,
    AuditFilterForm,
    DeadlineForm,
    DepartmentForm,
    ReassignForm,
    ReplyBatchForm,
    ReturnForm,
    TemplateForm,
)
from portal.staff.forms import ActionForm
from portal.staff.views import roles_required
from portal.timeutil import local_today

P = "/staff/respond"
COORDINATORS = COORDINATOR_ROLES


def _department_choices(blank: str | None = None) -> list[tuple[str, str]]:
    choices = [("", blank)] if blank else []
    return choices + [(str(d.id), d.name) for d in ops.departments()]


def _fail(exc: DomainError, target: str):
    db.session.rollback()
    flash(exc.message, "danger")
    return redirect(target)


def _int_arg(name: str) -> int | None:
    value = request.values.get(name, "")
    return int(value) if value.isdigit() else None


# ---- task list, board, notifications -----------------------------------------------------------------------

@bp.route(f"{P}/tasks")
@login_required
def tasks_view():
    """工作清单: department staff see their department's; coordinators may pick a department."""
    if current_user.has_role(*COORDINATORS):
        department_id = _int_arg("department_id")
    else:
        department_id = current_user.department_id or -1
    lists = ops.task_list(department_id)
    return render_template("respond/tasks.html", lists=lists, department_id=department_id,
                           departments=ops.departments(), coordinator=current_user.has_role(*COORDINATORS),
                           unread=ops.unread_count(current_user))


@bp.route(f"{P}/board")
@roles_required(*COORDINATORS)
def board():
    return render_template("respond/board.html", board=ops.supervision_board(), action_form=ActionForm())


@bp.route(f"{P}/board/remind", methods=["POST"])
@roles_required(*COORDINATORS)
def remind_now():
    """督办: send today's reminders at once (each item is still reminded at most once a day)."""
    counts = ops.send_reminders()
    audit.record(current_user, "assignment.remind", current_user, None, counts)
    db.session.commit()
    flash(_("已提醒：%(items)s 项即将到期或超期，%(n)s 条新通知，%(e)s 封邮件。", items=counts["items"],
            n=counts["notifications"], e=counts["emails"]), "success")
    return redirect(url_for("respond.board"))


@bp.route(f"{P}/notifications", methods=["GET", "POST"])
@login_required
def notifications():
    if request.method == "POST":
        ops.mark_read(current_user, _int_arg("id"))
        db.session.commit()
        target = request.form.get("url") or ""
        if target.startswith("/") and not target.startswith("//"):
            return redirect(target)
        return redirect(url_for("respond.notifications"))
    return render_template("respond/notifications.html", notes=ops.notifications_for(current_user),
                           form=ActionForm())


# ---- assigning ---------------------------------------------------------------------------------------------

def _target_from_args() -> tuple[str, Comment | None, object | None, list[Comment]]:
    target = request.values.get("target") or AssignmentTarget.COMMENT
    comment = topic = None
    if target == AssignmentTarget.TOPIC:
        topic = ops.get_topic(request.values.get("topic_id"))
    else:
        comment_id = _int_arg("comment_id")
        comment = db.session.get(Comment, comment_id) if comment_id else None
        if comment is None:
            raise NotFound(_("找不到这条意见（可能已被删除）。"))
        if target == AssignmentTarget.FAMILY:
            comment = ops.family_root(comment)
    members = ops.target_members(target, comment=comment, topic=topic)
    return target, comment, topic, members


@bp.route(f"{P}/assign", methods=["GET", "POST"])
@roles_required(*COORDINATORS)
def assign():
    target, comment, topic, members = _target_from_args()
    form = AssignForm(target=target)
    form.department_id.choices = _department_choices(_("请选择部门"))
    suggestions = ops.suggest_departments(members, topic)  # type: ignore[arg-type]
    if request.method == "GET" and suggestions:
        form.department_id.data = str(suggestions[0]["department"].id)
    project_id = topic.project_id if topic else comment.project_id  # type: ignore[union-attr]
    if request.method == "POST" and form.validate_on_submit():
        try:
            assignment = ops.assign(target, department_id=form.department_id.data, user=current_user,
                                    comment_id=comment.id if comment else None,
                                    topic_id=topic.id if topic else None,  # type: ignore[union-attr]
                                    due_on=form.due_on.data, note=form.note.data)
            db.session.commit()
            flash(_("已交办给%(name)s，办理期限 %(due)s。", name=assignment.department.name,
                    due=assignment.due_on.isoformat()), "success")
            return redirect(url_for("respond.assignment", assignment_id=assignment.id))
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
    status = 400 if request.method == "POST" else 200
    return render_template("respond/assign.html", form=form, target=target, comment=comment, topic=topic,
                           members=members[:20], member_count=len(members), suggestions=suggestions,
                           default_due=ops.default_due_on(project_id)), status


@bp.route(f"{P}/assignments/<int:assignment_id>")
@login_required
def assignment(assignment_id: int):
    item = ops.get_assignment(assignment_id, current_user)
    members = ops.assignment_members(item)
    reassign_form = ReassignForm()
    reassign_form.department_id.choices = _department_choices(_("请选择部门"))
    reply_form = ReplyBatchForm()
    sample = " ".join((m.redacted_text or m.text or "") for m in members[:5])
    return render_template("respond/assignment.html", item=item, members=members[:50], member_count=len(members),
                           reassign_form=reassign_form, reply_form=reply_form, action_form=ActionForm(),
                           templates=ops.templates_for(current_user), suggestions=ops.suggest_replies(sample),
                           coordinator=current_user.has_role(*COORDINATORS), today=local_today())


@bp.route(f"{P}/assignments/<int:assignment_id>/reassign", methods=["POST"])
@roles_required(*COORDINATORS)
def reassign(assignment_id: int):
    item = ops.get_assignment(assignment_id, current_user)
    back = url_for("respond.assignment", assignment_id=item.id)
    form = ReassignForm()
    form.department_id.choices = _department_choices()
    if not form.validate_on_submit():
        flash(_("改派表单填写有误。"), "danger")
        return redirect(back)
    try:
        ops.reassign(item, form.department_id.data, form.reason.data, current_user, form.due_on.data)
        db.session.commit()
        flash(_("已改派。"), "success")
    except DomainError as exc:
        return _fail(exc, back)
    return redirect(back)


@bp.route(f"{P}/assignments/<int:assignment_id>/done", methods=["POST"])
@login_required
def assignment_done(assignment_id: int):
    item = ops.get_assignment(assignment_id, current_user)
    back = url_for("respond.assignment", assignment_id=item.id)
    try:
        ops.complete(item, current_user, request.form.get("note"))
        db.session.commit()
        flash(_("已办结。"), "success")
    except DomainError as exc:
        return _fail(exc, back)
    return redirect(back)


@bp.route(f"{P}/assignments/<int:assignment_id>/reply", methods=["POST"])
@login_required
def assignment_reply(assignment_id: int):
    item = ops.get_assignment(assignment_id, current_user)
    back = url_for("respond.assignment", assignment_id=item.id)
    form = ReplyBatchForm()
    if not form.validate_on_submit():
        flash(form_error_text(form), "danger")
        return redirect(back)
    try:
        batch = ops.write_replies(ops.assignment_members(item), form.text.data, current_user, form.adoption.data,
                                  form.adoption_reason.data, submit=not form.draft.data)
        db.session.commit()
    except DomainError as exc:
        return _fail(exc, back)
    flash(_("答复已保存为草稿。") if form.draft.data else _("答复已提交，审核员审核通过后对居民公开。"), "success")
    return redirect(url_for("respond.batch", batch_id=batch))


@bp.route(f"{P}/reply", methods=["GET", "POST"])
@login_required
def reply():
    """Reply directly to a comment, its family or a topic (coordinators; department staff for their items)."""
    target, comment, topic, members = _target_from_args()
    form = ReplyBatchForm(scope=target)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                batch = ops.write_replies(members, form.text.data, current_user, form.adoption.data,
                                          form.adoption_reason.data, submit=not form.draft.data)
                db.session.commit()
                flash(_("答复已提交，审核员审核通过后对居民公开。") if not form.draft.data
                      else _("答复已保存为草稿。"), "success")
                return redirect(url_for("respond.batch", batch_id=batch))
            except DomainError as exc:
                db.session.rollback()
                flash(exc.message, "danger")
        return render_template("respond/reply.html", form=form, target=target, comment=comment, topic=topic,
                               members=members[:20], member_count=len(members), templates=[],
                               suggestions=[]), 400
    sample = " ".join((m.redacted_text or m.text or "") for m in members[:5])
    return render_template("respond/reply.html", form=form, target=target, comment=comment, topic=topic,
                           members=members[:20], member_count=len(members),
                           templates=ops.templates_for(current_user), suggestions=ops.suggest_replies(sample))


# ---- review ------------------------------------------------------------------------------------------------

@bp.route(f"{P}/review")
@login_required
def review():
    queue = ops.review_queue() if current_user.has_role(Role.REVIEWER) else []
    return render_template("respond/review.html", queue=queue, mine=ops.my_batches(current_user))


@bp.route(f"{P}/review/<batch_id>")
@login_required
def batch(batch_id: str):
    replies = ops.get_batch(batch_id, current_user)
    first = replies[0]
    form = ReplyBatchForm(text=first.text, adoption=first.adoption or "", adoption_reason=first.adoption_reason)
    return render_template("respond/batch.html", replies=replies, first=first, batch_id=batch_id, form=form,
                           return_form=ReturnForm(), action_form=ActionForm(), ReplyState=ReplyState,
                           reviewer=current_user.has_role(Role.REVIEWER))


@bp.route(f"{P}/review/<batch_id>/approve", methods=["POST"])
@login_required
def approve(batch_id: str):
    ops.get_batch(batch_id, current_user)  # 404 for a batch the user may not see, before anything else
    back = url_for("respond.batch", batch_id=batch_id)
    try:
        result = ops.approve_batch(batch_id, current_user)
        db.session.commit()
    except DomainError as exc:
        return _fail(exc, back)
    tasks.enqueue_messages(result["messages"])
    db.session.commit()
    flash(_("已发布 %(n)s 条答复，居民可凭回执码查看。", n=result["published"]), "success")
    return redirect(url_for("respond.review"))


@bp.route(f"{P}/review/<batch_id>/return", methods=["POST"])
@login_required
def return_(batch_id: str):
    ops.get_batch(batch_id, current_user)  # 404 for a batch the user may not see, before anything else
    back = url_for("respond.batch", batch_id=batch_id)
    form = ReturnForm()
    form.validate_on_submit()
    try:
        ops.return_batch(batch_id, form.note.data, current_user)
        db.session.commit()
        flash(_("已退回修改。"), "success")
    except DomainError as exc:
        return _fail(exc, back)
    return redirect(url_for("respond.review"))


@bp.route(f"{P}/review/<batch_id>/revise", methods=["POST"])
@login_required
def revise(batch_id: str):
    ops.get_batch(batch_id, current_user)  # 404 for a batch the user may not see, before anything else
    back = url_for("respond.batch", batch_id=batch_id)
    form = ReplyBatchForm()
    if not form.validate_on_submit():
        flash(form_error_text(form), "danger")
        return redirect(back)
    try:
        ops.revise_batch(batch_id, form.text.data, form.adoption.data, form.adoption_reason.data, current_user,
                         submit=not form.draft.data)
        db.session.commit()
        flash(_("答复已修改。"), "success")
    except DomainError as exc:
        return _fail(exc, back)
    return redirect(back)


# ---- templates and suggestions -----------------------------------------------------------------------------

@bp.route(f"{P}/templates", methods=["GET", "POST"])
@login_required
def templates():
    form = TemplateForm()
    form.department_id.choices = _department_choices(_("所有部门通用"))
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                ops.save_template({"title": form.title.data, "body": form.body.data,
                                   "department_id": form.department_id.data}, None, current_user)
                db.session.commit()
                flash(_("模板已保存。"), "success")
                return redirect(url_for("respond.templates"))
            except DomainError as exc:
                db.session.rollback()
                flash(exc.message, "danger")
        return render_template("respond/templates.html", form=form, items=ops.templates_for(current_user),
                               action_form=ActionForm()), 400
    return render_template("respond/templates.html", form=form, items=ops.templates_for(current_user),
                           action_form=ActionForm())


@bp.route(f"{P}/templates/<int:template_id>/delete", methods=["POST"])
@login_required
def template_delete(template_id: int):
    try:
        ops.delete_template(template_id, current_user)
        db.session.commit()
        flash(_("模板已删除。"), "success")
    except DomainError as exc:
        return _fail(exc, url_for("respond.templates"))
    return redirect(url_for("respond.templates"))


@bp.route(f"{P}/templates/<int:template_id>.json")
@login_required
def template_json(template_id: int):
    item = db.session.get(ReplyTemplate, template_id)
    if item is None or item not in ops.templates_for(current_user):
        abort(404)
    return jsonify({"title": item.title, "body": item.body})


@bp.route(f"{P}/suggestions")
@login_required
def suggestions():
    return jsonify({"suggestions": ops.suggest_replies(request.args.get("q", "")[:2000])})


# ---- departments and deadlines -----------------------------------------------------------------------------

@bp.route(f"{P}/departments", methods=["GET", "POST"])
@bp.route(f"{P}/departments/<int:department_id>", methods=["POST"])
@roles_required(Role.ADMIN)
def departments(department_id: int | None = None):
    form = DepartmentForm()
    status = 200
    if request.method == "POST":
        from portal.models import Department

        department = db.session.get(Department, department_id) if department_id else None
        if department_id and department is None:
            abort(404)
        if form.validate_on_submit():
            try:
                ops.save_department({"name": form.name.data, "description": form.description.data,
                                     "contact": form.contact.data, "email": form.email.data,
                                     "active": form.active.data}, department, current_user)
                db.session.commit()
                flash(_("部门已保存。"), "success")
                return redirect(url_for("respond.departments"))
            except DomainError as exc:
                db.session.rollback()
                flash(exc.message, "danger")
        status = 400
    staff = db.session.execute(db.select(User).where(User.department_id.is_not(None))).scalars()
    by_department: dict[int, list[User]] = {}
    for user in staff:
        by_department.setdefault(user.department_id, []).append(user)  # type: ignore[arg-type]
    projects = db.session.execute(db.select(Project).order_by(Project.id)).scalars().all()
    return render_template("respond/departments.html", form=form, items=ops.departments(active_only=False),
                           staff=by_department, projects=projects, deadline_form=DeadlineForm(),
                           working_days={p.id: ops.working_days_for(p.id) for p in projects}), status


@bp.route(f"{P}/departments/<int:department_id>/staff", methods=["POST"])
@roles_required(Role.ADMIN)
def department_staff(department_id: int):
    department = ops.get_department(department_id)
    try:
        staff = ops.add_department_staff(department, request.form, current_user)
        db.session.commit()
    except DomainError as exc:
        return _fail(exc, url_for("respond.departments"))
    flash(_("已为%(d)s添加工作人员 %(u)s。", d=department.name, u=staff.username), "success")
    return redirect(url_for("respond.departments"))


@bp.route(f"{P}/projects/<int:project_id>/deadline", methods=["POST"])
@roles_required(Role.ADMIN)
def project_deadline(project_id: int):
    reports.get_project(project_id)
    try:
        ops.set_project_deadline(project_id, request.form.get("working_days"), current_user)
        db.session.commit()
        flash(_("办理时限已保存。"), "success")
    except DomainError as exc:
        return _fail(exc, url_for("respond.departments"))
    return redirect(url_for("respond.departments"))


# ---- reports -----------------------------------------------------------------------------------------------

def _report_scope():
    project_id = request.values.get("project_id")
    if not project_id:
        return None, None
    project = reports.get_project(project_id)
    return project, reports.get_stage(project, request.values.get("stage_id"))


@bp.route(f"{P}/reports")
@roles_required(*COORDINATORS)
def report_view():
    project, stage = _report_scope()
    content = reports.build_report(project, stage) if project else None
    projects = db.session.execute(db.select(Project).order_by(Project.id)).scalars().all()
    return render_template("respond/reports.html", project=project, stage=stage, content=content,
                           projects=projects, published=reports.reports_of(project.id) if project else [],
                           action_form=ActionForm())


@bp.route(f"{P}/reports/download.<fmt>")
@roles_required(*COORDINATORS)
def report_download(fmt: str):
    project, stage = _report_scope()
    if project is None or fmt not in ("docx", "xlsx"):
        abort(404)
    content = reports.build_report(project, stage)
    data = reports.report_docx(content) if fmt == "docx" else reports.report_xlsx(content)
    audit.record(current_user, "report.export", project, None, {"format": fmt, "stage_id": stage.id if stage else None})
    db.session.commit()
    mimetype = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document" if fmt == "docx"
                else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return Response(data, mimetype=mimetype, headers=_attachment(f"{content['title']}.{fmt}"))


@bp.route(f"{P}/reports/publish", methods=["POST"])
@roles_required(*COORDINATORS)
def report_publish():
    project, stage = _report_scope()
    if project is None:
        abort(404)
    back = url_for("respond.report_view", project_id=project.id, stage_id=stage.id if stage else "")
    try:
        report = reports.publish_report(project, stage, current_user)
        db.session.commit()
    except DomainError as exc:
        return _fail(exc, back)
    flash(_("报告已在项目页面公开。"), "success")
    return redirect(url_for("respond.public_report", slug=project.slug, report_id=report.id))


@bp.route(f"{P}/reports/<int:report_id>/unpublish", methods=["POST"])
@roles_required(*COORDINATORS)
def report_unpublish(report_id: int):
    try:
        report = reports.unpublish_report(report_id, current_user)
        db.session.commit()
    except DomainError as exc:
        return _fail(exc, url_for("respond.report_view"))
    flash(_("报告已撤下。"), "success")
    return redirect(url_for("respond.report_view", project_id=report.project_id))


@bp.route("/projects/<slug>/reports/<int:report_id>")
def public_report(slug: str, report_id: int):
    """A published adoption report on the public site (a frozen snapshot, redacted text only)."""
    report = db.session.get(AdoptionReport, report_id)
    if report is None or not report.published or report.project.slug != slug:
        abort(404)
    return render_template("respond/public_report.html", report=report, content=report.content)


@bp.app_context_processor
def _public_reports():
    """``adoption_reports(project)`` for the public project page (published reports, newest first)."""
    return {"adoption_reports": lambda project: reports.published_reports(project.id)}


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename=export; filename*=UTF-8''{quote(filename)}"}


# ---- exports -----------------------------------------------------------------------------------------------

@bp.route(f"{P}/exports")
@roles_required(*COORDINATORS)
def exports_view():
    projects = db.session.execute(db.select(Project).order_by(Project.id)).scalars().all()
    return render_template("respond/exports.html", projects=projects)


@bp.route(f"{P}/exports/<kind>.<fmt>")
@roles_required(*COORDINATORS)
def export(kind: str, fmt: str):
    if kind not in exports.KINDS or fmt not in exports.FORMATS:
        abort(404)
    project_id = _int_arg("project_id")
    if project_id:
        reports.get_project(project_id)
    audit.record(current_user, "export", current_user, None, {"kind": kind, "format": fmt, "project_id": project_id})
    db.session.commit()
    header, rows = exports.rows_for(kind, project_id)
    name = f"tingjian-{kind}-{local_today().isoformat()}.{fmt}"
    if fmt == "csv":
        body = exports.stream_csv(header, rows)
        mimetype = "text/csv; charset=utf-8"
    else:
        body = exports.stream_xlsx(header, rows, title=kind)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(stream_with_context(body), mimetype=mimetype, headers=_attachment(name))


# ---- dashboard and audit -----------------------------------------------------------------------------------

@bp.route(f"{P}/dashboard")
@roles_required(*COORDINATORS)
def dashboard():
    projects = db.session.execute(db.select(Project).order_by(Project.id)).scalars().all()
    project_id = _int_arg("project_id")
    return render_template("respond/dashboard.html", data=reports.dashboard(project_id), projects=projects,
                           project_id=project_id)


@bp.route(f"{P}/dashboard.json")
@roles_required(*COORDINATORS)
def dashboard_json():
    return jsonify(reports.dashboard(_int_arg("project_id")))


@bp.route(f"{P}/audit")
@roles_required(Role.ADMIN)
def audit_view():
    form = AuditFilterForm(request.args)
    users = db.session.execute(db.select(User).order_by(User.username)).scalars().all()
    form.user.choices = [("", _("全部人员"))] + [(str(u.id), u.display_name or u.username) for u in users]
    filters: dict = {}
    if form.validate():
        filters = {"user_id": int(form.user.data) if (form.user.data or "").isdigit() else None,
                   "action": form.action.data or None, "object_type": (form.object_type.data or "").strip() or None,
                   "object_id": form.object_id.data, "date_from": form.date_from.data, "date_to": form.date_to.data}
    from flask import current_app

    pagination = db.paginate(ops.audit_query(**filters), page=page_number(),
                             per_page=current_app.config["RESPOND_AUDIT_PAGE_SIZE"], error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("respond/audit.html", form=form, pagination=pagination, args=args,
                           users={u.id: u for u in users}), (200 if not form.errors else 400)
