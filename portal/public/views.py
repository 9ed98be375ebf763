"""Resident views: parse the request, call operations, render."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _

from portal.extensions import db, limiter
from portal.formtools import page_number
from portal.models import Comment, Project, ProjectStatus
from portal.operations import comments as comment_ops
from portal.operations import pipeline
from portal.operations import projects as project_ops
from portal.operations.errors import DomainError
from portal.public import bp
from portal.public.forms import CommentForm, LookupForm
from portal.templating import LARGE_TEXT_COOKIE


def _comment_limit() -> str:
    return current_app.config["COMMENT_RATE_LIMIT"]


def _lookup_limit() -> str:
    return current_app.config["LOOKUP_RATE_LIMIT"]


@bp.route("/")
def index():
    projects = db.session.execute(
        db.select(Project).where(Project.status != ProjectStatus.DRAFT).order_by(Project.id)
    ).scalars().all()
    notices = [n for p in projects for n in p.current_notices()]
    notices.sort(key=lambda n: n.ends_on)
    return render_template("public/index.html", projects=projects, notices=notices, lookup_form=LookupForm())


@bp.route("/projects/<slug>")
def project(slug: str):
    project = project_ops.get_project_by_slug(slug)
    published = db.session.execute(
        db.select(db.func.count(Comment.id)).where(Comment.project_id == project.id, Comment.published.is_(True))
    ).scalar_one()
    total = db.session.execute(
        db.select(db.func.count(Comment.id)).where(Comment.project_id == project.id)
    ).scalar_one()
    return render_template("public/project.html", project=project, published_count=published, total_count=total)


@bp.route("/projects/<slug>/notices/<int:notice_id>")
def notice(slug: str, notice_id: int):
    project = project_ops.get_project_by_slug(slug)
    notice = project_ops.get_notice(notice_id, project)
    if not notice.published:
        abort(404)
    return render_template("public/notice.html", project=project, notice=notice)


def _submitter_key() -> str:
    raw = f"{request.remote_addr}|{request.user_agent.string}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


@bp.route("/projects/<slug>/comment", methods=["GET", "POST"])
@limiter.limit(_comment_limit, methods=["POST"])
def comment(slug: str):
    project = project_ops.get_project_by_slug(slug)
    open_stages = project.open_stages()
    form = CommentForm()
    form.village.choices = [("", _("不选择"))] + [(v, v) for v in project.villages]
    stage_id = request.values.get("stage", type=int) or request.form.get("stage_id", type=int)
    stage = next((s for s in project.stages if s.id == stage_id), None)
    if stage is None and len(open_stages) == 1:
        stage = open_stages[0]
    if stage is not None:
        form.stage_id.data = str(stage.id)
    if stage is None or not stage.is_open():
        status = 409 if stage is not None else 200
        return render_template("public/comment_closed.html", project=project, stage=stage,
                               open_stages=open_stages), status
    if form.validate_on_submit():
        try:
            new = comment_ops.submit_comment(
                project, stage.id, form.text.data,
                village=form.village.data, author_name=form.author_name.data, phone=form.phone.data,
                submitter_key=_submitter_key(),
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            target = getattr(form, exc.field or "", None) or form.text
            target.errors = [*target.errors, exc.message] if isinstance(target.errors, list) else [exc.message]
            return render_template("public/comment.html", project=project, stage=stage, form=form), exc.status
        # Stored first; screening and the rest run in the background and may retry.
        pipeline.enqueue_comment(new.id)
        session["new_receipt"] = new.receipt_code
        return redirect(url_for("public.receipt", code=new.receipt_code))
    status = 400 if request.method == "POST" else 200
    return render_template("public/comment.html", project=project, stage=stage, form=form), status


@bp.route("/receipt/<code>")
@limiter.limit(_lookup_limit)
def receipt(code: str):
    comment = comment_ops.find_by_receipt(code)
    is_new = session.pop("new_receipt", None) == comment.receipt_code
    return render_template("public/receipt.html", comment=comment, is_new=is_new)


@bp.route("/lookup")
@limiter.limit(_lookup_limit)
def lookup():
    form = LookupForm(request.args)
    if "code" in request.args:
        if form.validate():
            try:
                comment = comment_ops.find_by_receipt(form.code.data)
                return redirect(url_for("public.receipt", code=comment.receipt_code))
            except DomainError as exc:
                form.code.errors = [exc.message]
                return render_template("public/lookup.html", form=form), exc.status
        return render_template("public/lookup.html", form=form), 400
    return render_template("public/lookup.html", form=form)


@bp.route("/projects/<slug>/comments")
def published_comments(slug: str):
    project = project_ops.get_project_by_slug(slug)
    page = page_number()
    query = (
        db.select(Comment)
        .where(Comment.project_id == project.id, Comment.published.is_(True))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )
    # A campaign (duplicate family) shows once, with how many residents stand behind it (issue 5).
    from portal.review.operations import fold_public_families

    query = fold_public_families(query)
    pagination = db.paginate(query, page=page, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    family_sizes = pipeline.family_sizes([c.id for c in pagination.items if c.duplicate_of_id is None])
    return render_template("public/comments.html", project=project, pagination=pagination,
                           family_sizes=family_sizes)


@bp.route("/documents/<int:document_id>")
def document(document_id: int):
    document = project_ops.get_document(document_id)
    if document.project.status == ProjectStatus.DRAFT:
        abort(404)
    inline = document.extension in ("pdf", "png", "jpg", "jpeg")
    try:
        response = send_file(
            project_ops.document_path(document), mimetype=document.mimetype,
            as_attachment=not inline, download_name=document.original_name, max_age=3600,
        )
    except FileNotFoundError:
        abort(404)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


def _safe_next(target: str | None) -> str:
    if not target:
        return url_for("public.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return url_for("public.index")
    return target


@bp.route("/large-text")
def large_text():
    """Switch the large-text, high-contrast mode (适老化) on or off; remembered in a cookie."""
    on = request.args.get("on") == "1"
    response = make_response(redirect(_safe_next(request.args.get("next"))))
    response.set_cookie(LARGE_TEXT_COOKIE, "1" if on else "0", max_age=365 * 24 * 3600, samesite="Lax")
    flash(_("已切换为大字模式。") if on else _("已恢复标准字号。"), "info")
    return response


@bp.route("/healthz")
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/favicon.ico")
def favicon():
    """Browsers and feed readers still ask for /favicon.ico; the icon is the SVG in static/."""
    return redirect(url_for("static", filename="img/favicon.svg"), 301)
