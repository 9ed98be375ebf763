"""Staff views: thin — parse forms, call operations, commit once, render."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal.extensions import db, limiter
from portal.formtools import attach_error, form_values, page_number
from portal.models import COORDINATOR_ROLES, Comment, Project, Stage
from portal.operations import comments as comment_ops
from portal.operations import pipeline
from portal.operations import projects as project_ops
from portal.operations import users as user_ops
from portal.operations.errors import DomainError, NotFound
from portal.staff import bp
from portal.staff.forms import (
    ActionForm,
    CommentFilterForm,
    DocumentForm,
    LoginForm,
    NoticeForm,
    OfflineCommentForm,
    ProjectForm,
    ReplyForm,
    StageForm,
    StatusForm,
)


def roles_required(*roles: str):
    """Allow only signed-in staff with one of ``roles`` (admins always)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


EDITORS = COORDINATOR_ROLES


def _staff_comment(comment_id: int):
    """The comment, if the signed-in staff member may see it: coordinators see all, department staff only what
    is assigned to their department (a guessed id answers 404, like an id that does not exist)."""
    from portal.respond import operations as respond_ops

    comment = comment_ops.get_comment(comment_id)
    if not current_user.has_role(*EDITORS) and not respond_ops.may_reply(current_user, comment):
        raise NotFound("找不到这条意见。")
    return comment


def _department_scope() -> set[int] | None:
    """None for coordinators; otherwise the ids of the comments assigned to the user's department."""
    from portal.respond import operations as respond_ops

    if current_user.has_role(*EDITORS):
        return None
    if current_user.department_id is None:
        return set()
    return respond_ops.department_comment_ids(current_user.department_id)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = user_ops.authenticate(form.username.data, form.password.data)
        if user is None:
            form.password.errors = [_("用户名或密码不正确。")]
            return render_template("staff/login.html", form=form), 401
        login_user(user)
        target = request.args.get("next", "")
        if not target.startswith("/") or urlsplit(target).netloc or target.startswith("//"):
            target = url_for("staff.comments")
        return redirect(target)
    return render_template("staff/login.html", form=form), (400 if request.method == "POST" else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("已退出登录。"), "info")
    return redirect(url_for("public.index"))


def _project_choices(blank: str) -> list[tuple[str, str]]:
    projects = db.session.execute(db.select(Project).order_by(Project.id)).scalars()
    return [("", blank)] + [(str(p.id), p.name) for p in projects]


@bp.route("/")
@login_required
def comments():
    form = CommentFilterForm(request.args)
    form.project.choices = _project_choices(_("全部项目"))
    form.validate()
    filters = {}
    if not form.errors:
        filters = {
            "project_id": int(form.project.data) if (form.project.data or "").isdigit() else None,
            "stage_kind": form.stage.data or None,
            "status": form.status.data or None,
            "channel": form.channel.data or None,
            "date_from": form.date_from.data,
            "date_to": form.date_to.data,
            "search": (form.q.data or "").strip() or None,
        }
    page = page_number()
    query = comment_ops.comments_query(**filters)
    scope = _department_scope()
    if scope is not None:
        query = query.where(Comment.id.in_(scope))
    pagination = db.paginate(query, page=page,
                             per_page=current_app.config["PAGE_SIZE"], error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("staff/comments.html", form=form, pagination=pagination, args=args)


@bp.route("/comments/<int:comment_id>")
@login_required
def comment(comment_id: int):
    comment = _staff_comment(comment_id)
    status_form = StatusForm(status=comment.status, adoption=comment.adoption or "",
                             adoption_reason=comment.adoption_reason)
    return render_template("staff/comment.html", comment=comment, status_form=status_form,
                           reply_form=ReplyForm(), action_form=ActionForm())


@bp.route("/comments/<int:comment_id>/status", methods=["POST"])
@login_required
def comment_status(comment_id: int):
    comment = _staff_comment(comment_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            comment_ops.set_status(comment, form.status.data, current_user, form.adoption.data,
                                   form.adoption_reason.data)
            db.session.commit()
            flash(_("状态已更新。"), "success")
            return redirect(url_for("staff.comment", comment_id=comment.id))
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc, "status")
    return render_template("staff/comment.html", comment=comment, status_form=form, reply_form=ReplyForm(),
                           action_form=ActionForm()), 400


@bp.route("/comments/<int:comment_id>/reply", methods=["POST"])
@login_required
def comment_reply(comment_id: int):
    comment = _staff_comment(comment_id)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            reply = comment_ops.add_reply(comment, form.text.data, current_user, form.adoption.data,
                                          form.adoption_reason.data)
            db.session.commit()
            if reply.published_at is None:  # department staff: a reviewer publishes it (issue 8)
                flash(_("答复已提交，审核员审核通过后对居民公开。"), "info")
            else:
                flash(_("答复已发布，居民可凭回执码查看。"), "success")
            return redirect(url_for("staff.comment", comment_id=comment.id))
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc, "text")
    status_form = StatusForm(status=comment.status)
    return render_template("staff/comment.html", comment=comment, status_form=status_form, reply_form=form,
                           action_form=ActionForm()), 400


@bp.route("/comments/<int:comment_id>/publish", methods=["POST"])
@roles_required(*EDITORS)
def comment_publish(comment_id: int):
    comment = comment_ops.get_comment(comment_id)
    if ActionForm().validate_on_submit():
        publish = request.form.get("publish") == "1"
        if publish and comment.redacted_text is None:
            flash(_("这条意见还没有完成自动筛查（个人信息脱敏），暂不能公开。"), "warning")
        else:
            comment_ops.set_published(comment, publish, current_user)
            db.session.commit()
            flash(_("已公开。") if publish else _("已取消公开。"), "success")
    return redirect(url_for("staff.comment", comment_id=comment.id))


@bp.route("/comments/<int:comment_id>/rescreen", methods=["POST"])
@roles_required(*EDITORS)
def comment_rescreen(comment_id: int):
    comment = comment_ops.get_comment(comment_id)
    if ActionForm().validate_on_submit():
        comment.screening_state = "pending"
        db.session.commit()
        pipeline.enqueue_comment(comment.id)
        flash(_("已重新加入筛查队列。"), "info")
    return redirect(url_for("staff.comment", comment_id=comment.id))


def _stage_choices() -> list[tuple[int, str]]:
    stages = db.session.execute(db.select(Stage).join(Project).order_by(Project.id, Stage.position)).scalars()
    return [(s.id, f"{s.project.name} — {s.label}") for s in stages]


@bp.route("/comments/new", methods=["GET", "POST"])
@login_required
def comment_new():
    form = OfflineCommentForm()
    form.stage_id.choices = _stage_choices()
    if form.validate_on_submit():
        stage = db.session.get(Stage, form.stage_id.data)
        try:
            if stage is None:
                raise NotFound("请选择项目与阶段。", field="stage_id")
            new = comment_ops.submit_comment(
                stage.project, stage.id, form.text.data, village=form.village.data,
                author_name=form.author_name.data, phone=form.phone.data, channel=form.channel.data,
                entered_by=current_user,
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc, "text")
            return render_template("staff/comment_new.html", form=form), exc.status
        pipeline.enqueue_comment(new.id)
        flash(_("已录入，回执码 %(code)s，请告知居民。", code=comment_ops.format_receipt_code(new.receipt_code)),
              "success")
        return redirect(url_for("staff.comment", comment_id=new.id))
    return render_template("staff/comment_new.html", form=form), (400 if request.method == "POST" else 200)


# ---- projects -------------------------------------------------------------------------------------------

PROJECT_FORM_FIELDS = ("name", "slug", "kind", "region", "villages", "summary", "body", "department", "status")


@bp.route("/projects")
@login_required
def projects():
    rows = db.session.execute(db.select(Project).order_by(Project.id)).scalars().all()
    return render_template("staff/projects.html", projects=rows)


@bp.route("/projects/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def project_new():
    form = ProjectForm()
    if form.validate_on_submit():
        try:
            project = project_ops.save_project(form_values(form, *PROJECT_FORM_FIELDS), current_user)
            db.session.commit()
            flash(_("项目已创建。"), "success")
            return redirect(url_for("staff.project", project_id=project.id))
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc, "name")
    return render_template("staff/project_form.html", form=form, project=None), (
        400 if request.method == "POST" else 200)


@bp.route("/projects/<int:project_id>")
@login_required
def project(project_id: int):
    project = project_ops.get_project(project_id)
    return render_template("staff/project.html", project=project, action_form=ActionForm())


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def project_edit(project_id: int):
    project = project_ops.get_project(project_id)
    form = ProjectForm(obj=project) if request.method == "GET" else ProjectForm()
    if request.method == "GET":
        form.villages.data = "\n".join(project.villages or [])
    if form.validate_on_submit():
        try:
            project_ops.save_project(form_values(form, *PROJECT_FORM_FIELDS), current_user, project)
            db.session.commit()
            flash(_("项目已保存。"), "success")
            return redirect(url_for("staff.project", project_id=project.id))
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc, "name")
    return render_template("staff/project_form.html", form=form, project=project), (
        400 if request.method == "POST" else 200)


@bp.route("/projects/<int:project_id>/stages/new", methods=["GET", "POST"])
@bp.route("/projects/<int:project_id>/stages/<int:stage_id>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def stage_form(project_id: int, stage_id: int | None = None):
    project = project_ops.get_project(project_id)
    stage = next((s for s in project.stages if s.id == stage_id), None) if stage_id else None
    if stage_id and stage is None:
        abort(404)
    form = StageForm(obj=stage) if request.method == "GET" and stage else StageForm()
    if form.validate_on_submit():
        try:
            project_ops.save_stage(project, form_values(form, "kind", "opens_on", "closes_on", "description"),
                                   current_user, stage)
            db.session.commit()
            flash(_("阶段已保存。"), "success")
            return redirect(url_for("staff.project", project_id=project.id))
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc, "kind")
    return render_template("staff/stage_form.html", form=form, project=project, stage=stage), (
        400 if request.method == "POST" else 200)


@bp.route("/projects/<int:project_id>/notices/new", methods=["GET", "POST"])
@bp.route("/projects/<int:project_id>/notices/<int:notice_id>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def notice_form(project_id: int, notice_id: int | None = None):
    project = project_ops.get_project(project_id)
    notice = project_ops.get_notice(notice_id, project) if notice_id else None
    form = NoticeForm(obj=notice) if request.method == "GET" and notice else NoticeForm()
    form.stage_id.choices = [("", _("不关联阶段"))] + [(str(s.id), s.label) for s in project.stages]
    if request.method == "GET" and notice:
        form.stage_id.data = str(notice.stage_id or "")
    if form.validate_on_submit():
        values = form_values(form, "kind", "title", "body", "starts_on", "ends_on", "short_period_reason",
                             "published", "stage_id")
        try:
            project_ops.save_notice(project, values, current_user, notice)
            db.session.commit()
            flash(_("公告已保存。"), "success")
            return redirect(url_for("staff.project", project_id=project.id))
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc, "title")
    minimum = project_ops.minimum_notice_days(project, "公示")
    return render_template("staff/notice_form.html", form=form, project=project, notice=notice,
                           minimum=minimum), (400 if request.method == "POST" else 200)


@bp.route("/projects/<int:project_id>/documents/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def document_new(project_id: int):
    project = project_ops.get_project(project_id)
    form = DocumentForm()
    form.notice_id.choices = [("", _("不关联"))] + [(str(n.id), n.title) for n in project.notices]
    if form.validate_on_submit():
        upload = form.file.data
        try:
            project_ops.save_document(project, upload.stream, upload.filename, form.title.data,
                                      form.doc_type.data, current_user, form.notice_id.data or None)
            db.session.commit()
            flash(_("文件已上传。"), "success")
            return redirect(url_for("staff.project", project_id=project.id))
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc, "file")
    return render_template("staff/document_form.html", form=form, project=project), (
        400 if request.method == "POST" else 200)


@bp.route("/documents/<int:document_id>/delete", methods=["POST"])
@roles_required(*EDITORS)
def document_delete(document_id: int):
    document = project_ops.get_document(document_id)
    project_id = document.project_id
    if ActionForm().validate_on_submit():
        project_ops.delete_document(document, current_user)
        db.session.commit()
        flash(_("文件已删除。"), "success")
    return redirect(url_for("staff.project", project_id=project_id))

