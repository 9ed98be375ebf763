"""Participation views: thin — parse forms, call the operations modules, commit once, render.

Public pages sit at the site root (surveys, meetings, hearing requests, posters, feeds, how to take part);
staff pages under ``/staff/participation``.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db, limiter
from portal.formtools import attach_error, form_values
from portal.models import (
    COORDINATOR_ROLES,
    GATE_LABELS,
    HearingRequest,
    Meeting,
    Project,
    Representative,
    Survey,
)
from portal.operations import comments as comment_ops
from portal.operations import pipeline
from portal.operations import projects as project_ops
from portal.operations.errors import DomainError, NotFound, ValidationError
from portal.participation import bp, publicity
from portal.participation import imports as import_ops
from portal.participation import meetings as meeting_ops
from portal.participation import representatives as rep_ops
from portal.participation import surveys as survey_ops
from portal.participation.common import aware, csv_bytes, get_row, xlsx_bytes
from portal.participation.forms import (
    AnswerForm,
    HearingDecisionForm,
    HearingRequestForm,
    ImportForm,
    MeetingForm,
    QuestionForm,
    RegistrationForm,
    RepresentativeForm,
    SignoffForm,
    SurveyForm,
    TranscriptForm,
)
from portal.staff.forms import ActionForm
from portal.staff.views import roles_required
from portal.timeutil import local_today, to_local, utcnow

EDITORS = COORDINATOR_ROLES
STAFF = "/staff/participation"


def _comment_limit() -> str:
    return current_app.config["COMMENT_RATE_LIMIT"]


def _staff_project(project_id: int | None) -> Project:
    """A project by id for staff pages (drafts included); NotFound also for ids no row can have."""
    project = get_row(Project, project_id)
    if project is None:
        raise NotFound(_("找不到这个项目。"))
    return project


def _village_choices(project: Project) -> list[tuple[str, str]]:
    return [("", _("不选择"))] + [(v, v) for v in project.villages]


def _stage_choices(project: Project) -> list[tuple[str, str]]:
    return [(str(s.id), f"{s.label}（{s.opens_on:%Y-%m-%d} — {s.closes_on:%Y-%m-%d}）") for s in project.stages]


def _enqueue(comment_ids: list[int]) -> None:
    """Screening and topics run on the queue after the commit, as for online comments."""
    for comment_id in comment_ids:
        pipeline.enqueue_comment(comment_id)


def _download(data: bytes, filename: str, fmt: str) -> Response:
    mimetype = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
                else "text/csv; charset=utf-8")
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename={filename}.{fmt}"
    return response


def _table_download(title: str, filename: str, table: tuple[list[str], list[list[Any]]]) -> Response:
    fmt = request.args.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise ValidationError(_("导出格式只能是 xlsx 或 csv。"))
    header, rows = table
    data = xlsx_bytes(title, header, rows) if fmt == "xlsx" else csv_bytes(header, rows)
    return _download(data, filename, fmt)


@bp.app_template_global()
def participation_activities(project: Project) -> dict[str, Any]:
    """Used by the public project page to link surveys, meetings and publicity (one include line there)."""
    return publicity.project_activities(project)


# ==== public: surveys ======================================================================================


def _device_token() -> tuple[str, bool]:
    name = current_app.config["PARTICIPATION_DEVICE_COOKIE"]
    token = request.cookies.get(name)
    if token and 16 <= len(token) <= 64:
        return token, False
    return secrets.token_urlsafe(24), True


def _with_device_cookie(response: Response, token: str, new: bool) -> Response:
    if new:
        response.set_cookie(current_app.config["PARTICIPATION_DEVICE_COOKIE"], token, max_age=365 * 24 * 3600,
                            httponly=True, samesite="Lax")
    return response


@bp.route("/surveys/<int:survey_id>", methods=["GET", "POST"])
@limiter.limit(_comment_limit, methods=["POST"])
def survey(survey_id: int):
    survey = survey_ops.get_public_survey(survey_id)
    token, new = _device_token()
    form = AnswerForm()
    form.village.choices = _village_choices(survey.project)
    errors: dict[str, str] = {}
    message, status = None, 200
    earlier = survey_ops.find_device_response(survey, survey_ops.device_key(token)) if survey.one_per_device else None
    if request.method == "POST":
        if not form.validate_on_submit():
            message, status = _("页面已过期，请刷新后重新填写。"), 400
        else:
            try:
                response = survey_ops.submit_response(survey, request.form, form.village.data,
                                                      survey_ops.device_key(token))
                db.session.commit()
            except survey_ops.AnswerErrors as exc:
                db.session.rollback()
                errors, message, status = exc.errors, exc.message, exc.status
            except DomainError as exc:
                db.session.rollback()
                message, status = exc.message, exc.status
            else:
                _enqueue(response.comment_ids)
                session["new_survey_receipt"] = response.receipt_code
                return _with_device_cookie(
                    redirect(url_for("participation.survey_receipt", code=response.receipt_code)), token, new)
    page = render_template("participation/survey.html", survey=survey, form=form, errors=errors, message=message,
                           values=request.form if request.method == "POST" else None, earlier=earlier,
                           phase=survey.phase())
    return _with_device_cookie(make_response(page, status), token, new)


@bp.route("/surveys/receipt/<code>")
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
def survey_receipt(code: str):
    response = survey_ops.find_response(comment_ops.parse_receipt_code(code))
    if response is None:
        raise NotFound(_("找不到这个回执码对应的问卷答卷。"))
    is_new = session.pop("new_survey_receipt", None) == response.receipt_code
    return render_template("participation/survey_receipt.html", response=response, survey=response.survey,
                           is_new=is_new)


@bp.route("/surveys/<int:survey_id>/summary")
def survey_summary(survey_id: int):
    survey = survey_ops.get_public_survey(survey_id)
    if not survey.results_public:
        raise NotFound(_("这份问卷的结果尚未公开。"))
    data = survey_ops.public_summary(survey)
    return render_template("participation/survey_summary.html", survey=survey, data=data)


# ==== public: meetings and hearing requests ================================================================


@bp.route("/meetings/<int:meeting_id>", methods=["GET", "POST"])
@limiter.limit(_comment_limit, methods=["POST"])
def meeting(meeting_id: int):
    meeting = meeting_ops.get_public_meeting(meeting_id)
    form = RegistrationForm()
    form.village.choices = _village_choices(meeting.project)
    status = 200
    if form.validate_on_submit():
        try:
            registration = meeting_ops.register(meeting, form_values(form, "name", "phone", "village", "note"))
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc)
            status = exc.status
        else:
            session["new_registration"] = registration.receipt_code
            return redirect(url_for("participation.registration_receipt", code=registration.receipt_code))
    elif request.method == "POST":
        status = 400
    return render_template("participation/meeting.html", meeting=meeting, form=form,
                           registration_open=meeting_ops.registration_open(meeting)), status


@bp.route("/meetings/receipt/<code>")
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
def registration_receipt(code: str):
    registration = meeting_ops.find_registration(comment_ops.parse_receipt_code(code))
    if registration is None:
        raise NotFound(_("找不到这个回执码对应的报名。"))
    is_new = session.pop("new_registration", None) == registration.receipt_code
    return render_template("participation/registration_receipt.html", registration=registration,
                           meeting=registration.meeting, is_new=is_new)


@bp.route("/projects/<slug>/hearing-request", methods=["GET", "POST"])
@limiter.limit(_comment_limit, methods=["POST"])
def hearing_request(slug: str):
    project = project_ops.get_project_by_slug(slug)
    form = HearingRequestForm()
    form.village.choices = _village_choices(project)
    status = 200
    if form.validate_on_submit():
        try:
            request_ = meeting_ops.submit_hearing_request(
                project, form_values(form, "legal_basis", "reason", "applicant_name", "phone", "village"))
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc)
            status = exc.status
        else:
            session["new_hearing_request"] = request_.receipt_code
            return redirect(url_for("participation.hearing_receipt", code=request_.receipt_code))
    elif request.method == "POST":
        status = 400
    return render_template("participation/hearing_request.html", project=project, form=form), status


@bp.route("/hearing-requests/<code>")
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
def hearing_receipt(code: str):
    request_ = meeting_ops.find_hearing_request(comment_ops.parse_receipt_code(code))
    if request_ is None:
        raise NotFound(_("找不到这个回执码对应的听证申请。"))
    is_new = session.pop("new_hearing_request", None) == request_.receipt_code
    return render_template("participation/hearing_receipt.html", hearing=request_, is_new=is_new)


@bp.route("/projects/<slug>/representatives")
def representatives(slug: str):
    project = project_ops.get_project_by_slug(slug)
    return render_template("participation/representatives.html", project=project,
                           stages=rep_ops.public_overview(project))


# ==== public: publicity ====================================================================================


@bp.route("/how-to-take-part")
def how_to():
    return render_template("participation/how_to.html", hotline=current_app.config.get("PARTICIPATION_HOTLINE"))


def _poster(project: Project, notice=None):
    if notice is None:
        link = publicity.public_url("public.project", slug=project.slug)
    else:
        link = publicity.public_url("public.notice", slug=project.slug, notice_id=notice.id)
    return render_template("participation/poster.html", project=project, notice=notice, link=link,
                           qr=publicity.qr_svg(link), hotline=current_app.config.get("PARTICIPATION_HOTLINE"),
                           activities=publicity.project_activities(project))


@bp.route("/projects/<slug>/poster")
def project_poster(slug: str):
    return _poster(project_ops.get_project_by_slug(slug))


@bp.route("/projects/<slug>/notices/<int:notice_id>/poster")
def notice_poster(slug: str, notice_id: int):
    project = project_ops.get_project_by_slug(slug)
    notice = project_ops.get_notice(notice_id, project)
    if not notice.published:
        raise NotFound(_("找不到这条公告。"))
    return _poster(project, notice)


@bp.route("/projects/<slug>/qr.svg")
def project_qr(slug: str):
    project = project_ops.get_project_by_slug(slug)
    data = publicity.qr_svg_file(publicity.public_url("public.project", slug=project.slug))
    response = Response(data, mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f"attachment; filename={project.slug}-qr.svg"
    return response


@bp.route("/projects/<slug>/broadcast")
@bp.route("/projects/<slug>/notices/<int:notice_id>/broadcast")
def broadcast(slug: str, notice_id: int | None = None):
    project = project_ops.get_project_by_slug(slug)
    notice = None
    if notice_id is not None:
        notice = project_ops.get_notice(notice_id, project)
        if not notice.published:
            raise NotFound(_("找不到这条公告。"))
        link = publicity.public_url("public.notice", slug=project.slug, notice_id=notice.id)
    else:
        link = publicity.public_url("public.project", slug=project.slug)
    text = publicity.broadcast_text(project, link, notice)
    if request.args.get("format") == "txt":
        return Response(text, mimetype="text/plain; charset=utf-8")
    return render_template("participation/broadcast.html", project=project, notice=notice, text=text)


@bp.route("/feeds/notices.atom")
def feed_all():
    notices = publicity.notices_for_feed()
    body = publicity.atom_feed(_("听见 · 公示与公告"), publicity.public_url("participation.feed_all"),
                               publicity.public_url("public.index"), notices)
    return Response(body, mimetype="application/atom+xml; charset=utf-8")


@bp.route("/projects/<slug>/notices.atom")
def feed_project(slug: str):
    project = project_ops.get_project_by_slug(slug)
    notices = publicity.notices_for_feed(project)
    body = publicity.atom_feed(f"{project.name} · {_('公示与公告')}",
                               publicity.public_url("participation.feed_project", slug=slug),
                               publicity.public_url("public.project", slug=slug), notices)
    return Response(body, mimetype="application/atom+xml; charset=utf-8")


# ==== staff: overview ======================================================================================


@bp.route(f"{STAFF}/")
@roles_required(*EDITORS)
def staff_index():
    projects = db.session.execute(db.select(Project).order_by(Project.id)).scalars().all()
    return render_template("participation/staff_index.html", projects=projects)


def _project_page(project: Project, status: int = 200, **forms: Any):
    surveys = db.session.execute(db.select(Survey).where(Survey.project_id == project.id)
                                 .order_by(Survey.id.desc())).scalars().all()
    meetings = db.session.execute(db.select(Meeting).where(Meeting.project_id == project.id)
                                  .order_by(Meeting.starts_at.desc())).scalars().all()
    hearings = db.session.execute(db.select(HearingRequest).where(HearingRequest.project_id == project.id)
                                  .order_by(HearingRequest.id.desc())).scalars().all()
    reps = db.session.execute(db.select(Representative).where(Representative.project_id == project.id)
                              .order_by(Representative.stage_id, Representative.id)).scalars().all()
    rep_form = forms.get("rep_form") or RepresentativeForm(formdata=None)
    rep_form.stage_id.choices = _stage_choices(project)
    rep_form.village.choices = _village_choices(project)
    decision_form = forms.get("decision_form") or HearingDecisionForm(formdata=None)
    decision_form.meeting_id.choices = [("", _("不关联"))] + [(str(m.id), m.title) for m in meetings
                                                             if m.kind == "听证会"]
    return render_template(
        "participation/staff_project.html", project=project, surveys=surveys, meetings=meetings,
        hearings=hearings, reps=reps, rep_form=rep_form, decision_form=decision_form,
        signoff_form=forms.get("signoff_form") or SignoffForm(formdata=None), error=forms.get("error"),
        error_target=forms.get("error_target"), action_form=ActionForm(formdata=None), gate_labels=GATE_LABELS,
        counts={s.id: survey_ops.response_count(s) for s in surveys},
    ), status


@bp.route(f"{STAFF}/projects/<int:project_id>")
@roles_required(*EDITORS)
def staff_project(project_id: int):
    return _project_page(_staff_project(project_id))


# ==== staff: surveys =======================================================================================


@bp.route(f"{STAFF}/projects/<int:project_id>/surveys/new", methods=["GET", "POST"])
@bp.route(f"{STAFF}/surveys/<int:survey_id>/settings", methods=["GET", "POST"])
@roles_required(*EDITORS)
def survey_form(project_id: int | None = None, survey_id: int | None = None):
    survey = survey_ops.get_survey(survey_id) if survey_id else None
    project = survey.project if survey else _staff_project(project_id)
    form = SurveyForm(obj=survey) if survey else SurveyForm()
    form.stage_id.choices = _stage_choices(project)
    if survey and request.method == "GET":
        form.stage_id.data = str(survey.stage_id)
    elif request.method == "GET":
        # Sensible defaults: from today to the end of the first stage still taking comments.
        stage = next((s for s in project.stages if s.phase() != "closed"), None)
        form.opens_on.data = local_today()
        if stage is not None:
            form.stage_id.data, form.closes_on.data = str(stage.id), max(stage.closes_on, local_today())
    status = 200
    if form.validate_on_submit():
        try:
            survey = survey_ops.save_survey(project, form_values(form, *survey_ops.SURVEY_FIELDS), current_user,
                                            survey)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc)
            status = exc.status
        else:
            flash(_("问卷已保存。"), "success")
            return redirect(url_for("participation.survey_edit", survey_id=survey.id))
    elif request.method == "POST":
        status = 400
    return render_template("participation/survey_form.html", project=project, survey=survey, form=form), status


def _question_form(survey: Survey, form: QuestionForm | None = None) -> QuestionForm:
    form = form or QuestionForm(formdata=None)
    form.show_if_question_id.choices = [("", _("总是显示"))] + [
        (str(q.id), f"{i}. {q.prompt[:30]}") for i, q in enumerate(survey.questions, start=1)
        if q.kind in ("single", "multiple")]
    return form


def _survey_edit_page(survey: Survey, form: QuestionForm | None = None, status: int = 200, error: str | None = None):
    return render_template("participation/survey_edit.html", survey=survey, project=survey.project,
                           qform=_question_form(survey, form), action_form=ActionForm(formdata=None),
                           responses=survey_ops.response_count(survey), error=error), status


@bp.route(f"{STAFF}/surveys/<int:survey_id>")
@roles_required(*EDITORS)
def survey_edit(survey_id: int):
    return _survey_edit_page(survey_ops.get_survey(survey_id))


@bp.route(f"{STAFF}/surveys/<int:survey_id>/questions", methods=["POST"])
@roles_required(*EDITORS)
def question_add(survey_id: int):
    survey = survey_ops.get_survey(survey_id)
    form = _question_form(survey, QuestionForm())
    if not form.validate_on_submit():
        return _survey_edit_page(survey, form, 400)
    values = form_values(form, "kind", "prompt", "options", "scale_max", "required", "show_if_question_id",
                         "show_if_options")
    try:
        survey_ops.add_question(survey, values, current_user)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        survey = survey_ops.get_survey(survey_id)
        attach_error(form, exc, fallback="prompt")
        return _survey_edit_page(survey, form, exc.status)
    flash(_("题目已添加。"), "success")
    return redirect(url_for("participation.survey_edit", survey_id=survey.id))


@bp.route(f"{STAFF}/surveys/<int:survey_id>/questions/<int:question_id>/delete", methods=["POST"])
@roles_required(*EDITORS)
def question_delete(survey_id: int, question_id: int):
    survey = survey_ops.get_survey(survey_id)
    if not ActionForm().validate_on_submit():
        return _survey_edit_page(survey, status=400, error=_("页面已过期，请刷新后重试。"))
    try:
        survey_ops.delete_question(survey, question_id, current_user)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _survey_edit_page(survey_ops.get_survey(survey_id), status=exc.status, error=exc.message)
    flash(_("题目已删除。"), "info")
    return redirect(url_for("participation.survey_edit", survey_id=survey.id))


@bp.route(f"{STAFF}/surveys/<int:survey_id>/publish", methods=["POST"])
@roles_required(*EDITORS)
def survey_publish(survey_id: int):
    survey = survey_ops.get_survey(survey_id)
    if not ActionForm().validate_on_submit():
        return _survey_edit_page(survey, status=400, error=_("页面已过期，请刷新后重试。"))
    what = request.form.get("what")
    on = request.form.get("on") == "1"
    try:
        if what == "results":
            survey_ops.set_results_public(survey, on, current_user)
        else:
            survey_ops.set_published(survey, on, current_user)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _survey_edit_page(survey, status=exc.status, error=exc.message)
    flash(_("已更新。"), "success")
    return redirect(request.form.get("next") if request.form.get("next", "").startswith(STAFF)
                    else url_for("participation.survey_edit", survey_id=survey.id))


@bp.route(f"{STAFF}/surveys/<int:survey_id>/copy", methods=["POST"])
@roles_required(*EDITORS)
def survey_copy(survey_id: int):
    survey = survey_ops.get_survey(survey_id)
    if not ActionForm().validate_on_submit():
        return _survey_edit_page(survey, status=400, error=_("页面已过期，请刷新后重试。"))
    copy = survey_ops.copy_survey(survey, current_user)
    db.session.commit()
    flash(_("已复制为新的草稿问卷，可以修改题目后发布。"), "success")
    return redirect(url_for("participation.survey_edit", survey_id=copy.id))


@bp.route(f"{STAFF}/surveys/<int:survey_id>/results")
@roles_required(*EDITORS)
def survey_results(survey_id: int):
    survey = survey_ops.get_survey(survey_id)
    data = survey_ops.results(survey)
    charts = [{"id": q["id"], "kind": q["kind"], "labels": q.get("labels", []), "values": q.get("values", [])}
              for q in data["questions"] if q["kind"] != "text"]
    return render_template("participation/survey_results.html", survey=survey, data=data, charts=charts,
                           action_form=ActionForm(formdata=None))


@bp.route(f"{STAFF}/surveys/<int:survey_id>/export")
@roles_required(*EDITORS)
def survey_export(survey_id: int):
    survey = survey_ops.get_survey(survey_id)
    return _table_download("问卷答卷", f"survey-{survey.id}-{utcnow():%Y%m%d}", survey_ops.export_table(survey))


# ==== staff: meetings, transcripts, hearing decisions =====================================================


@bp.route(f"{STAFF}/projects/<int:project_id>/meetings/new", methods=["GET", "POST"])
@bp.route(f"{STAFF}/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def meeting_form(project_id: int | None = None, meeting_id: int | None = None):
    meeting = meeting_ops.get_meeting(meeting_id) if meeting_id else None
    project = meeting.project if meeting else _staff_project(project_id)
    form = MeetingForm(obj=meeting) if meeting else MeetingForm()
    form.stage_id.choices = _stage_choices(project)
    if meeting and request.method == "GET":
        form.stage_id.data = str(meeting.stage_id)
        form.starts_at.data = to_local(aware(meeting.starts_at)).replace(tzinfo=None)
        form.registration_deadline.data = to_local(aware(meeting.registration_deadline)).replace(tzinfo=None)
    status = 200
    if form.validate_on_submit():
        try:
            meeting = meeting_ops.save_meeting(project, form_values(
                form, "kind", "title", "stage_id", "starts_at", "place", "agenda", "capacity",
                "registration_deadline", "published"), current_user, meeting)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc)
            status = exc.status
        else:
            flash(_("会议已保存。"), "success")
            return redirect(url_for("participation.meeting_staff", meeting_id=meeting.id))
    elif request.method == "POST":
        status = 400
    return render_template("participation/meeting_form.html", project=project, meeting=meeting, form=form), status


def _meeting_page(meeting: Meeting, form: TranscriptForm | None = None, status: int = 200):
    return render_template("participation/meeting_staff.html", meeting=meeting, project=meeting.project,
                           form=form or TranscriptForm(formdata=None),
                           pdf_supported=meeting_ops.pdf_supported(),
                           extensions=meeting_ops.transcript_extensions()), status


@bp.route(f"{STAFF}/meetings/<int:meeting_id>")
@roles_required(*EDITORS)
def meeting_staff(meeting_id: int):
    return _meeting_page(meeting_ops.get_meeting(meeting_id))


@bp.route(f"{STAFF}/meetings/<int:meeting_id>/export")
@roles_required(*EDITORS)
def meeting_export(meeting_id: int):
    meeting = meeting_ops.get_meeting(meeting_id)
    return _table_download("报名名单", f"meeting-{meeting.id}-registrations",
                           meeting_ops.registration_table(meeting))


@bp.route(f"{STAFF}/meetings/<int:meeting_id>/transcripts", methods=["POST"])
@roles_required(*EDITORS)
def transcript_upload(meeting_id: int):
    meeting = meeting_ops.get_meeting(meeting_id)
    form = TranscriptForm()
    if not form.validate_on_submit():
        return _meeting_page(meeting, form, 400)
    upload = form.file.data
    try:
        transcript = meeting_ops.import_transcript(meeting, upload.stream, upload.filename, current_user)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        attach_error(form, exc, fallback="file")
        return _meeting_page(meeting_ops.get_meeting(meeting_id), form, exc.status)
    _enqueue(transcript.comment_ids)
    flash(_("已从纪要中拆分出 %(n)s 条发言，作为“%(kind)s”渠道的意见进入筛查；跳过 %(s)s 段（主持人、记录人、会议信息等）。",
            n=len(transcript.comment_ids), kind=meeting.kind, s=transcript.skipped), "success")
    return redirect(url_for("participation.meeting_staff", meeting_id=meeting.id))


@bp.route(f"{STAFF}/hearing-requests/<int:request_id>/decide", methods=["POST"])
@roles_required(*EDITORS)
def hearing_decide(request_id: int):
    hearing = meeting_ops.get_hearing_request(request_id)
    form = HearingDecisionForm()
    form.meeting_id.choices = []
    if not form.validate_on_submit():
        return _project_page(hearing.project, 400, error=_("请检查决定的填写。"), error_target=f"h{hearing.id}")
    try:
        meeting_ops.decide_hearing_request(hearing, form_values(form, "status", "decided_on", "decision_note",
                                                                "meeting_id"), current_user)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _project_page(hearing.project, exc.status, error=exc.message, error_target=f"h{hearing.id}")
    flash(_("已记录听证申请的决定。"), "success")
    return redirect(url_for("participation.staff_project", project_id=hearing.project_id) + "#hearings")


# ==== staff: representatives ===============================================================================


@bp.route(f"{STAFF}/projects/<int:project_id>/representatives", methods=["POST"])
@roles_required(*EDITORS)
def representative_add(project_id: int):
    project = _staff_project(project_id)
    form = RepresentativeForm()
    form.stage_id.choices = _stage_choices(project)
    form.village.choices = _village_choices(project)
    if form.validate_on_submit():
        try:
            rep_ops.add_representative(project, form_values(form, "stage_id", "name", "village",
                                                            "group_represented"), current_user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc)
            return _project_page(project, exc.status, rep_form=form)
        flash(_("已添加公众代表。"), "success")
        return redirect(url_for("participation.staff_project", project_id=project.id) + "#representatives")
    return _project_page(project, 400, rep_form=form)


@bp.route(f"{STAFF}/representatives/<int:representative_id>/signoff", methods=["POST"])
@roles_required(*EDITORS)
def representative_signoff(representative_id: int):
    rep = rep_ops.get_representative(representative_id)
    form = SignoffForm()
    if form.validate_on_submit():
        try:
            rep_ops.record_signoff(rep, form_values(form, "position", "statement", "signed_on"), current_user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            return _project_page(rep.project, exc.status, error=exc.message, error_target=f"r{rep.id}")
        flash(_("已记录代表的签署意见。"), "success")
        return redirect(url_for("participation.staff_project", project_id=rep.project_id) + "#representatives")
    return _project_page(rep.project, 400, error=_("请检查签署意见的填写。"), error_target=f"r{rep.id}")


@bp.route(f"{STAFF}/representatives/<int:representative_id>/delete", methods=["POST"])
@roles_required(*EDITORS)
def representative_delete(representative_id: int):
    rep = rep_ops.get_representative(representative_id)
    project_id = rep.project_id
    if ActionForm().validate_on_submit():
        rep_ops.remove_representative(rep, current_user)
        db.session.commit()
        flash(_("已删除这位公众代表。"), "info")
    return redirect(url_for("participation.staff_project", project_id=project_id) + "#representatives")


# ==== staff: offline imports ===============================================================================


@bp.route(f"{STAFF}/projects/<int:project_id>/imports", methods=["GET", "POST"])
@roles_required(*EDITORS)
def imports(project_id: int):
    project = _staff_project(project_id)
    form = ImportForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            batch = import_ops.import_file(project, upload.stream, upload.filename, current_user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc, fallback="file")
            status = exc.status
        else:
            _enqueue([e["comment_id"] for e in batch.report if e.get("comment_id")])
            return redirect(url_for("participation.import_report", import_id=batch.id))
    elif request.method == "POST":
        status = 400
    return render_template("participation/imports.html", project=project, form=form,
                           batches=import_ops.imports_of(project), header=import_ops.template_header()), status


@bp.route(f"{STAFF}/imports/template.<fmt>")
@roles_required(*EDITORS)
def import_template(fmt: str):
    if fmt not in ("xlsx", "csv"):
        raise NotFound(_("模板只有 xlsx 和 csv 两种格式。"))
    return _download(import_ops.template_file(fmt), "offline-comments-template", fmt)


@bp.route(f"{STAFF}/imports/<int:import_id>")
@roles_required(*EDITORS)
def import_report(import_id: int):
    batch = import_ops.get_import(import_id)
    if request.args.get("format"):
        return _table_download("导入报告", f"import-{batch.id}-report", import_ops.report_table(batch))
    return render_template("participation/import_report.html", batch=batch, project=batch.project)
