"""Q&A views: thin — parse forms or JSON, call ``portal.qa.operations``, commit once, render."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import csrf, db, limiter
from portal.formtools import attach_error, page_number
from portal.models import TICKET_STATUS_LABELS, Project, ProjectStatus, Role
from portal.operations.comments import format_receipt_code
from portal.operations.errors import DomainError, NotFound, ValidationError
from portal.qa import bp
from portal.qa import operations as ops
from portal.qa.forms import AskForm, FaqForm, FeedbackForm, HandOverForm, TicketAnswerForm, TicketLookupForm
from portal.staff.forms import ActionForm
from portal.staff.views import roles_required

# Tappable example questions on the empty chat page, in residents' own words.
EXAMPLES = ("征地补偿标准是怎么定的？", "宅基地能不能卖给城里人？", "基本农田能不能盖房子？", "村庄规划要公示多少天？",
            "对征地补偿方案不满意，能申请听证吗？", "怎么申请公开征地批文？")
ALL_STAFF = (Role.ADMIN, Role.REVIEWER, Role.DEPARTMENT)
FAQ_EDITORS = (Role.ADMIN, Role.REVIEWER)


def _ask_limit() -> str:
    return current_app.config["QA_RATE_LIMIT"]


def _ticket_limit() -> str:
    return current_app.config["QA_TICKET_RATE_LIMIT"]


def _project_choices() -> list[tuple[str, str]]:
    projects = db.session.execute(
        db.select(Project).where(Project.status != ProjectStatus.DRAFT).order_by(Project.id)
    ).scalars()
    return [("", _("不选择"))] + [(str(p.id), p.name) for p in projects]


# -- residents -------------------------------------------------------------------------------------------


@bp.route("/qa", methods=["GET", "POST"])
@limiter.limit(_ask_limit, methods=["POST"])
def chat():
    form = AskForm()
    form.project.choices = _project_choices()
    if request.method == "GET" and request.args.get("project", type=int):
        form.project.data = str(request.args.get("project", type=int))
    if request.method == "GET" and request.args.get("q"):
        # example questions are links (no JavaScript needed): they fill the box, the resident presses 提问
        form.question.data = request.args.get("q", "")[: current_app.config.get("QA_MAX_QUESTION_CHARS", 1000)]
    question = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                question = ops.ask(form.question.data, form.project.data or None, channel="web")
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                attach_error(form, exc, fallback="question")
                status = exc.status
        else:
            status = 400
    return render_template("qa/chat.html", form=form, question=question, examples=EXAMPLES,
                           feedback_form=FeedbackForm(token=question.token) if question else None,
                           handover_form=HandOverForm(token=question.token) if question else None,
                           lookup_form=TicketLookupForm(formdata=None)), status


@bp.route("/qa/q/<int:question_id>/feedback", methods=["POST"])
@limiter.limit(_ticket_limit)
def feedback(question_id: int):
    form = FeedbackForm()
    if not form.validate_on_submit():
        raise ValidationError(_("请求有误，请返回重新提交。"))
    question = ops.get_question(question_id, form.token.data)
    ticket = ops.give_feedback(question, not form.no.data)
    db.session.commit()
    return render_template("qa/feedback.html", question=question, ticket=ticket,
                           handover_form=HandOverForm(token=question.token))


@bp.route("/qa/q/<int:question_id>/handover", methods=["POST"])
@limiter.limit(_ticket_limit)
def handover(question_id: int):
    form = HandOverForm()
    question = ops.get_question(question_id, form.token.data)
    if not form.validate_on_submit():
        return render_template("qa/feedback.html", question=question, ticket=question.ticket,
                               handover_form=form), 400
    try:
        ticket = ops.hand_over(question, form.contact.data)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        attach_error(form, exc, fallback="contact")
        return render_template("qa/feedback.html", question=question, ticket=question.ticket,
                               handover_form=form), exc.status
    return render_template("qa/feedback.html", question=question, ticket=ticket, handed_over=True,
                           handover_form=HandOverForm(token=question.token))


@bp.route("/qa/ticket")
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
def ticket_lookup():
    form = TicketLookupForm(request.args)
    if "code" in request.args:
        if form.validate():
            try:
                ticket = ops.find_ticket(form.code.data)
                return redirect(url_for("qa.ticket", code=ticket.code))
            except DomainError as exc:
                form.code.errors = [exc.message]
                return render_template("qa/ticket_lookup.html", form=form), exc.status
        return render_template("qa/ticket_lookup.html", form=form), 400
    return render_template("qa/ticket_lookup.html", form=form)


@bp.route("/qa/ticket/<code>")
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
def ticket(code: str):
    return render_template("qa/ticket.html", ticket=ops.find_ticket(code))


@bp.route("/qa/laws/<source>")
def law(source: str):
    """The full text of one law of the knowledge base; citations link to ``#第X条`` anchors."""
    kb = ops.current_kb()
    articles = [d for d in kb.documents if d.kind == "law" and d.source == source]
    if not articles:
        raise NotFound(_("知识库中没有这部法规。"))
    return render_template("qa/law.html", source=source, title=articles[0].title, articles=articles)


# -- JSON API --------------------------------------------------------------------------------------------


def _json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError('请求体必须是 JSON 对象，例如 {"question": "征地补偿标准怎么定？"}。')
    return data


@bp.route("/api/qa/ask", methods=["POST"])
@csrf.exempt
@limiter.limit(_ask_limit)
def api_ask():
    """``{"question", "project_id"?}`` → ``{"question_id", "token", "answered", "answer", "citations"}``."""
    data = _json_body()
    question = ops.ask(data.get("question"), data.get("project_id"), channel="api")
    db.session.commit()
    return jsonify({
        "question_id": question.id,
        "token": question.token,
        "answered": question.answered,
        "answer": question.answer,
        "citations": [{"source": c["source"], "article": c["article"], "score": c["score"]}
                      for c in question.citations],
    })


@bp.route("/api/qa/questions/<int:question_id>/feedback", methods=["POST"])
@csrf.exempt
@limiter.limit(_ticket_limit)
def api_feedback(question_id: int):
    """``{"token", "helpful": bool, "contact"?}`` → ``{"helpful", "ticket_code"}`` (a ticket when unhelpful)."""
    data = _json_body()
    question = ops.get_question(question_id, data.get("token"))
    ticket = ops.give_feedback(question, data.get("helpful"))
    if ticket is not None and data.get("contact"):
        ticket = ops.hand_over(question, data.get("contact"))
    db.session.commit()
    return jsonify({"helpful": question.helpful,
                    "ticket_code": format_receipt_code(ticket.code) if ticket else None})


@bp.route("/api/qa/questions/<int:question_id>/handover", methods=["POST"])
@csrf.exempt
@limiter.limit(_ticket_limit)
def api_handover(question_id: int):
    """``{"token", "contact"?}`` → ``{"ticket_code"}``: pass the question to staff (refusals, unhelpful answers)."""
    data = _json_body()
    question = ops.get_question(question_id, data.get("token"))
    ticket = ops.hand_over(question, data.get("contact"))
    db.session.commit()
    return jsonify({"ticket_code": format_receipt_code(ticket.code),
                    "url": url_for("qa.ticket", code=ticket.code)})


# -- staff -----------------------------------------------------------------------------------------------


@bp.route("/staff/qa/tickets")
@roles_required(*ALL_STAFF)
def tickets():
    status = request.args.get("status") or None
    pagination = db.paginate(ops.tickets_query(status), page=page_number(),
                             per_page=current_app.config.get("PAGE_SIZE", 20), error_out=False)
    return render_template("qa/staff_tickets.html", pagination=pagination, status=status,
                           statuses=[(str(k), str(v)) for k, v in TICKET_STATUS_LABELS.items()])


@bp.route("/staff/qa/tickets/<int:ticket_id>", methods=["GET", "POST"])
@roles_required(*ALL_STAFF)
def ticket_detail(ticket_id: int):
    item = ops.get_ticket(ticket_id)
    form = TicketAnswerForm(obj=item if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                ops.answer_ticket(item, form.answer.data, current_user)
                db.session.commit()
                flash(_("答复已保存，群众凭问题编号即可查看。"), "success")
                return redirect(url_for("qa.ticket_detail", ticket_id=item.id))
            except DomainError as exc:
                db.session.rollback()
                attach_error(form, exc, fallback="answer")
                status = exc.status
        else:
            status = 400
    return render_template("qa/staff_ticket.html", ticket=item, form=form, action_form=ActionForm(),
                           can_promote=current_user.has_role(*FAQ_EDITORS)), status


@bp.route("/staff/qa/tickets/<int:ticket_id>/close", methods=["POST"])
@roles_required(*ALL_STAFF)
def ticket_close(ticket_id: int):
    item = ops.get_ticket(ticket_id)
    if not ActionForm().validate_on_submit():
        raise ValidationError(_("请求有误，请刷新页面后重试。"))
    ops.close_ticket(item, current_user)
    db.session.commit()
    flash(_("工单已关闭。"), "success")
    return redirect(url_for("qa.tickets"))


@bp.route("/staff/qa/tickets/<int:ticket_id>/promote", methods=["POST"])
@roles_required(*FAQ_EDITORS)
def ticket_promote(ticket_id: int):
    item = ops.get_ticket(ticket_id)
    if not ActionForm().validate_on_submit():
        raise ValidationError(_("请求有误，请刷新页面后重试。"))
    try:
        entry = ops.promote_ticket(item, current_user)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("qa.ticket_detail", ticket_id=item.id))
    ops.schedule_reindex()
    flash(_("已加入常见问题，可在这里补充其他问法和法规依据。"), "success")
    return redirect(url_for("qa.faq_edit", entry_id=entry.id))


@bp.route("/staff/qa/questions")
@roles_required(*ALL_STAFF)
def questions():
    kind = request.args.get("filter") if request.args.get("filter") in ops.QUESTION_FILTERS else "unanswered"
    project_id = request.args.get("project", type=int)
    pagination = db.paginate(ops.questions_query(kind, project_id), page=page_number(),
                             per_page=current_app.config.get("PAGE_SIZE", 20), error_out=False)
    return render_template("qa/staff_questions.html", pagination=pagination, kind=kind, project_id=project_id,
                           filters=ops.QUESTION_FILTERS, action_form=ActionForm())


@bp.route("/staff/qa/questions/<int:question_id>/ticket", methods=["POST"])
@roles_required(*ALL_STAFF)
def question_ticket(question_id: int):
    if not ActionForm().validate_on_submit():
        raise ValidationError(_("请求有误，请刷新页面后重试。"))
    ticket = ops.ticket_for_question(question_id, current_user)
    db.session.commit()
    return redirect(url_for("qa.ticket_detail", ticket_id=ticket.id))


@bp.route("/staff/qa/faq")
@roles_required(*FAQ_EDITORS)
def faq_list():
    from portal.models import FaqEntry

    entries = db.session.execute(db.select(FaqEntry).order_by(FaqEntry.id.desc())).scalars().all()
    return render_template("qa/staff_faq_list.html", entries=entries, action_form=ActionForm())


def _faq_form_view(entry=None):
    form = FaqForm(obj=entry) if request.method == "GET" else FaqForm()
    if request.method == "GET":
        if entry is not None:
            form.alternatives.data = "\n".join(entry.alternatives or [])
            form.sources.data = ops.format_sources(entry.sources)
        else:
            form.active.data = True
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                saved = ops.save_faq(entry, current_user, form.question.data, form.alternatives.data,
                                     form.answer.data, form.sources.data or "", form.active.data)
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                attach_error(form, exc, fallback="question")
                status = exc.status
            else:
                ops.schedule_reindex()
                flash(_("常见问题已保存，问答索引正在后台更新。"), "success")
                return redirect(url_for("qa.faq_edit", entry_id=saved.id))
        else:
            status = 400
    return render_template("qa/staff_faq_form.html", form=form, entry=entry, action_form=ActionForm()), status


@bp.route("/staff/qa/faq/new", methods=["GET", "POST"])
@roles_required(*FAQ_EDITORS)
def faq_new():
    return _faq_form_view(None)


@bp.route("/staff/qa/faq/<int:entry_id>", methods=["GET", "POST"])
@roles_required(*FAQ_EDITORS)
def faq_edit(entry_id: int):
    return _faq_form_view(ops.get_faq(entry_id))


@bp.route("/staff/qa/faq/<int:entry_id>/delete", methods=["POST"])
@roles_required(*FAQ_EDITORS)
def faq_delete(entry_id: int):
    entry = ops.get_faq(entry_id)
    if not ActionForm().validate_on_submit():
        raise ValidationError(_("请求有误，请刷新页面后重试。"))
    ops.delete_faq(entry, current_user)
    db.session.commit()
    ops.schedule_reindex()
    flash(_("常见问题已删除。"), "success")
    return redirect(url_for("qa.faq_list"))


@bp.route("/staff/qa/stats")
@roles_required(*ALL_STAFF)
def stats():
    from portal.models import QaQuestion

    days = request.args.get("days", type=int) or current_app.config.get("QA_STATS_DAYS", 60)
    days = max(1, min(days, 366))
    recent = db.session.execute(
        db.select(QaQuestion).where(QaQuestion.answered.is_(False)).order_by(QaQuestion.asked_at.desc()).limit(20)
    ).scalars().all()
    return render_template("qa/staff_stats.html", data=ops.stats(days), days=days, recent_unanswered=recent)
