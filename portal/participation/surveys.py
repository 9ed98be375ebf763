"""Surveys (问卷调查): building, answering with branching and required questions, results and exports.

Operations change state with add/flush; the views commit once per request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from typing import Any

from flask import current_app

from portal.extensions import db
from portal.models import (
    CHOICE_KINDS,
    QUESTION_KINDS,
    Project,
    Stage,
    Survey,
    SurveyQuestion,
    SurveyResponse,
    User,
)
from portal.operations import audit
from portal.operations import comments as comment_ops
from portal.operations.errors import Conflict, NotFound, ValidationError
from portal.participation.common import add_with_receipt, aware, get_row
from portal.timeutil import to_local

SURVEY_FIELDS = ("title", "intro", "stage_id", "opens_on", "closes_on", "one_per_device", "results_public")


class AnswerErrors(ValidationError):
    """Several answers were not acceptable; ``errors`` maps field names (``q12``) to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("问卷还有没答完或填写不对的地方，请看标红的题目。")
        self.errors = errors


def lines(raw: str | list[str] | None) -> list[str]:
    """Options typed one per line (or separated by 、/，), cleaned and de-duplicated in order."""
    if isinstance(raw, list):
        items = raw
    else:
        text = comment_ops.clean_text(raw)
        items = text.split("\n")
    seen: list[str] = []
    for item in items:
        item = comment_ops.clean_text(item)[:200]
        if item and item not in seen:
            seen.append(item)
    return seen


def get_survey(survey_id: int) -> Survey:
    survey = get_row(Survey, survey_id)
    if survey is None:
        raise NotFound("找不到这份问卷。")
    return survey


def get_public_survey(survey_id: int) -> Survey:
    """A survey residents may see: published, of a non-draft project."""
    survey = get_survey(survey_id)
    if not survey.published or survey.project.status == "draft":
        raise NotFound("找不到这份问卷。")
    return survey


def _stage_of(project: Project, stage_id: Any) -> Stage:
    stage = get_row(Stage, stage_id)
    if stage is None or stage.project_id != project.id:
        raise ValidationError("请选择本项目的一个阶段。", field="stage_id")
    return stage


def save_survey(project: Project, values: dict[str, Any], user: User, survey: Survey | None = None) -> Survey:
    """Create or update a survey's settings (not its questions)."""
    title = comment_ops.clean_text(values.get("title"))
    if not title:
        raise ValidationError("请填写问卷标题。", field="title")
    if len(title) > 200:
        raise ValidationError("问卷标题最多 200 字。", field="title")
    stage = _stage_of(project, values.get("stage_id"))
    opens_on, closes_on = values.get("opens_on"), values.get("closes_on")
    if not isinstance(opens_on, dt.date) or not isinstance(closes_on, dt.date):
        raise ValidationError("请填写开始和截止日期。", field="opens_on")
    if closes_on < opens_on:
        raise ValidationError("截止日期不能早于开始日期。", field="closes_on")
    before = audit.snapshot(survey, SURVEY_FIELDS) if survey else None
    if survey is None:
        survey = Survey(project_id=project.id, created_by_id=user.id)
        db.session.add(survey)
    survey.title = title
    survey.intro = comment_ops.clean_text(values.get("intro"))[:5000]
    survey.stage_id = stage.id
    survey.opens_on, survey.closes_on = opens_on, closes_on
    survey.one_per_device = bool(values.get("one_per_device"))
    survey.results_public = bool(values.get("results_public"))
    db.session.flush()
    audit.record(user, "survey.save" if before else "survey.create", survey, before,
                 audit.snapshot(survey, SURVEY_FIELDS))
    return survey


def response_count(survey: Survey) -> int:
    return db.session.execute(
        db.select(db.func.count(SurveyResponse.id)).where(SurveyResponse.survey_id == survey.id)
    ).scalar_one()


def _refuse_structure_change(survey: Survey) -> None:
    if response_count(survey):
        raise Conflict("这份问卷已经有人填写，不能再增删题目（否则已收到的答卷无法对应）。可以复制一份新问卷。")


def add_question(survey: Survey, values: dict[str, Any], user: User) -> SurveyQuestion:
    """Append a question; choice questions need at least two options; a condition must point to an earlier
    single- or multiple-choice question and name some of its options."""
    _refuse_structure_change(survey)
    config = current_app.config
    if len(survey.questions) >= config["PARTICIPATION_SURVEY_MAX_QUESTIONS"]:
        raise ValidationError(f"一份问卷最多 {config['PARTICIPATION_SURVEY_MAX_QUESTIONS']} 道题。", field="prompt")
    kind = values.get("kind")
    if kind not in QUESTION_KINDS:
        raise ValidationError("题型无效。", field="kind")
    prompt = comment_ops.clean_text(values.get("prompt"))
    if not prompt:
        raise ValidationError("请填写题目。", field="prompt")
    if len(prompt) > 500:
        raise ValidationError("题目最多 500 字。", field="prompt")
    options = lines(values.get("options")) if kind in CHOICE_KINDS else []
    if kind in CHOICE_KINDS and len(options) < 2:
        raise ValidationError("选择题和排序题至少要有两个选项，每行一个。", field="options")
    if len(options) > config["PARTICIPATION_SURVEY_MAX_OPTIONS"]:
        raise ValidationError(f"选项最多 {config['PARTICIPATION_SURVEY_MAX_OPTIONS']} 个。", field="options")
    scale_max = 5
    if kind == "rating":
        try:
            scale_max = int(values.get("scale_max") or 5)
        except (TypeError, ValueError):
            scale_max = 0
        if not 2 <= scale_max <= config["PARTICIPATION_RATING_MAX"]:
            raise ValidationError(f"打分范围应为 1 到 2～{config['PARTICIPATION_RATING_MAX']} 分。", field="scale_max")
    condition = None
    condition_options: list[str] = []
    raw_condition = values.get("show_if_question_id")
    if raw_condition not in (None, "", 0, "0"):
        condition = next((q for q in survey.questions if str(q.id) == str(raw_condition)), None)
        if condition is None or condition.kind not in ("single", "multiple"):
            raise ValidationError("显示条件只能引用前面的单选题或多选题。", field="show_if_question_id")
        condition_options = lines(values.get("show_if_options"))
        unknown = [o for o in condition_options if o not in condition.options]
        if not condition_options or unknown:
            raise ValidationError(
                f"请从该题的选项中选择触发条件（可选：{'、'.join(condition.options)}）。", field="show_if_options")
    question = SurveyQuestion(
        survey_id=survey.id,
        position=(max((q.position for q in survey.questions), default=-1) + 1),
        kind=kind, prompt=prompt, options=options, required=bool(values.get("required")),
        scale_max=scale_max, show_if_question_id=condition.id if condition else None,
        show_if_options=condition_options,
    )
    survey.questions.append(question)
    db.session.flush()
    audit.record(user, "survey.question_add", survey, None,
                 {"question_id": question.id, "kind": kind, "prompt": prompt[:200]})
    return question


def delete_question(survey: Survey, question_id: int, user: User) -> None:
    """Remove a question (and the conditions of later questions that depended on it)."""
    _refuse_structure_change(survey)
    question = next((q for q in survey.questions if q.id == question_id), None)
    if question is None:
        raise NotFound("找不到这道题。")
    for other in survey.questions:
        if other.show_if_question_id == question.id:
            other.show_if_question_id = None
            other.show_if_options = []
    survey.questions.remove(question)
    db.session.flush()
    audit.record(user, "survey.question_delete", survey, {"question_id": question_id, "prompt": question.prompt[:200]})


def copy_survey(survey: Survey, user: User) -> Survey:
    """A draft copy of a survey with the same questions and conditions, to change questions after answers came in."""
    copy = Survey(project_id=survey.project_id, stage_id=survey.stage_id, title=f"{survey.title}（副本）"[:200],
                  intro=survey.intro, opens_on=survey.opens_on, closes_on=survey.closes_on,
                  one_per_device=survey.one_per_device, published=False, results_public=False,
                  created_by_id=user.id)
    db.session.add(copy)
    db.session.flush()
    new_ids: dict[int, int] = {}
    for question in survey.questions:
        clone = SurveyQuestion(survey_id=copy.id, position=question.position, kind=question.kind,
                               prompt=question.prompt, options=list(question.options), required=question.required,
                               scale_max=question.scale_max, show_if_options=list(question.show_if_options),
                               show_if_question_id=new_ids.get(question.show_if_question_id or 0))
        copy.questions.append(clone)
        db.session.flush()
        new_ids[question.id] = clone.id
    audit.record(user, "survey.copy", copy, None, {"from_survey": survey.id})
    return copy


def set_published(survey: Survey, published: bool, user: User) -> None:
    """Publish (residents can answer between the dates) or withdraw a survey."""
    if published and not survey.questions:
        raise ValidationError("问卷还没有题目，请先添加题目再发布。")
    before = {"published": survey.published}
    survey.published = published
    db.session.flush()
    audit.record(user, "survey.publish" if published else "survey.unpublish", survey, before,
                 {"published": published})


def set_results_public(survey: Survey, public: bool, user: User) -> None:
    """Show or hide the summary of results on the project page."""
    before = {"results_public": survey.results_public}
    survey.results_public = public
    db.session.flush()
    audit.record(user, "survey.results_public", survey, before, {"results_public": public})


# ---- answering ------------------------------------------------------------------------------------------


def device_key(token: str | None) -> str | None:
    """A one-way key of the device cookie (the cookie value itself is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()[:32] if token else None


def find_device_response(survey: Survey, key: str | None) -> SurveyResponse | None:
    if not key:
        return None
    return db.session.execute(
        db.select(SurveyResponse).where(SurveyResponse.survey_id == survey.id, SurveyResponse.device_key == key)
        .order_by(SurveyResponse.id).limit(1)
    ).scalar_one_or_none()


def is_visible(question: SurveyQuestion, answers: dict[str, Any]) -> bool:
    """Whether a question is shown, given the (already filtered) answers to earlier questions."""
    if question.show_if_question_id is None:
        return True
    given = answers.get(str(question.show_if_question_id))
    if given is None:
        return False
    chosen = given if isinstance(given, list) else [given]
    return any(option in chosen for option in question.show_if_options)


def _parse_one(question: SurveyQuestion, form: Any) -> Any:
    """The answer to one question from the submitted form, None when unanswered, ValidationError when invalid."""
    name = question.field_name
    if question.kind == "single":
        value = (form.get(name) or "").strip()
        if not value:
            return None
        if value not in question.options:
            raise ValidationError("请从给出的选项中选择。")
        return value
    if question.kind == "multiple":
        values = [v for v in form.getlist(name) if v]
        if not values:
            return None
        if any(v not in question.options for v in values):
            raise ValidationError("请从给出的选项中选择。")
        return [o for o in question.options if o in values]
    if question.kind == "rating":
        value = (form.get(name) or "").strip()
        if not value:
            return None
        if not value.isdecimal() or not 1 <= int(value) <= question.scale_max:
            raise ValidationError(f"请在 1 到 {question.scale_max} 分之间选择。")
        return int(value)
    if question.kind == "ranking":
        ranks = [(form.get(f"{name}_{index}") or "").strip() for index in range(len(question.options))]
        if not any(ranks):
            return None
        count = len(question.options)
        if not all(r.isdecimal() and 1 <= int(r) <= count for r in ranks) or len({int(r) for r in ranks}) != count:
            raise ValidationError(f"请给每个选项排一个不同的名次（1 到 {count}）。")
        order = sorted(range(count), key=lambda i: int(ranks[i]))
        return [question.options[i] for i in order]
    text = comment_ops.clean_text(form.get(name))
    if not text:
        return None
    limit = current_app.config["COMMENT_MAX_LENGTH"]
    if len(text) > limit:
        raise ValidationError(f"回答太长了（{len(text)} 字），请控制在 {limit} 字以内。")
    return text


def parse_answers(survey: Survey, form: Any) -> dict[str, Any]:
    """Validate every visible question in order; answers to hidden questions are dropped.
    Raises AnswerErrors listing every problem at once, so a resident fixes them in one go."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in survey.questions:
        if not is_visible(question, answers):
            continue
        try:
            value = _parse_one(question, form)
        except ValidationError as exc:
            errors[question.field_name] = exc.message
            continue
        if value is None:
            if question.required:
                errors[question.field_name] = "这道题必须回答。"
            continue
        answers[str(question.id)] = value
    if errors:
        raise AnswerErrors(errors)
    return answers


def submit_response(survey: Survey, form: Any, village: str | None, key: str | None) -> SurveyResponse:
    """Store one resident's answers with a receipt code; free-text answers also become comments (channel 问卷)."""
    if survey.phase() != "open":
        if survey.phase() == "upcoming":
            raise Conflict(f"问卷尚未开始，将于 {survey.opens_on:%Y-%m-%d} 开放填写。")
        raise Conflict("这份问卷已经截止或已停止收集，不能再提交。感谢您的关注。")
    if survey.one_per_device:
        earlier = find_device_response(survey, key)
        if earlier is not None:
            raise Conflict("这台手机（或电脑）已经填写过这份问卷，每人只需填写一次。"
                           f"您的回执码是 {comment_ops.format_receipt_code(earlier.receipt_code)}。")
    village = comment_ops.clean_text(village) or None
    if village and (len(village) > 80 or (survey.project.villages and village not in survey.project.villages)):
        raise ValidationError("请选择本项目涉及的村，或留空。", field="village")
    answers = parse_answers(survey, form)
    if not answers:
        raise ValidationError("您还没有回答任何题目。", field="village")
    response = SurveyResponse(survey_id=survey.id, village=village, device_key=key, answers=answers)
    add_with_receipt(response)
    comment_ids = []
    for question in survey.questions:
        if question.kind == "text" and str(question.id) in answers:
            comment = comment_ops.submit_comment(
                survey.project, survey.stage_id, answers[str(question.id)], village=village,
                channel="问卷", enforce_open=False,
            )
            comment_ids.append(comment.id)
    response.comment_ids = comment_ids
    db.session.flush()
    return response


def find_response(code: str) -> SurveyResponse | None:
    return db.session.execute(db.select(SurveyResponse).filter_by(receipt_code=code)).scalar_one_or_none()


# ---- results --------------------------------------------------------------------------------------------


def _responses(survey: Survey) -> list[SurveyResponse]:
    return list(db.session.execute(
        db.select(SurveyResponse).where(SurveyResponse.survey_id == survey.id).order_by(SurveyResponse.id)
    ).scalars())


def results(survey: Survey, *, include_texts: bool = True) -> dict[str, Any]:
    """Counts per question (for charts), averages, a village cross-tab, and (for staff) the text answers."""
    responses = _responses(survey)
    villages = sorted({r.village for r in responses if r.village}) + (
        ["未填写"] if any(not r.village for r in responses) else [])
    questions = []
    for question in survey.questions:
        key = str(question.id)
        given = [(r, r.answers.get(key)) for r in responses if r.answers.get(key) is not None]
        item: dict[str, Any] = {"question": question, "id": question.id, "kind": question.kind,
                                "prompt": question.prompt, "answered": len(given)}
        if question.kind in ("single", "multiple"):
            counts: Counter = Counter()
            for _, value in given:
                counts.update(value if isinstance(value, list) else [value])
            item["labels"] = list(question.options)
            item["values"] = [counts[o] for o in question.options]
            item["crosstab"] = _crosstab(question, given, villages)
        elif question.kind == "rating":
            counts = Counter(int(v) for _, v in given)
            item["labels"] = [f"{n} 分" for n in range(1, question.scale_max + 1)]
            item["values"] = [counts[n] for n in range(1, question.scale_max + 1)]
            item["average"] = round(sum(int(v) for _, v in given) / len(given), 2) if given else None
            item["crosstab"] = _rating_crosstab(given, villages)
        elif question.kind == "ranking":
            # Borda score: first place gets n points, last gets 1; shown with the average rank.
            n = len(question.options)
            score: Counter = Counter()
            ranks: dict[str, list[int]] = {o: [] for o in question.options}
            for _, value in given:
                for position, option in enumerate(value):
                    if option in ranks:
                        score[option] += n - position
                        ranks[option].append(position + 1)
            item["labels"] = list(question.options)
            item["values"] = [score[o] for o in question.options]
            item["average_rank"] = {o: (round(sum(r) / len(r), 2) if r else None) for o, r in ranks.items()}
        else:
            item["texts"] = [(r.village, v) for r, v in given] if include_texts else []
        questions.append(item)
    return {"survey": survey, "total": len(responses), "villages": villages, "questions": questions}


def _crosstab(question: SurveyQuestion, given: list, villages: list[str]) -> dict[str, Any]:
    table = {v: Counter() for v in villages}
    for response, value in given:
        table[response.village or "未填写"].update(value if isinstance(value, list) else [value])
    return {"columns": list(question.options),
            "rows": [(v, [table[v][o] for o in question.options], sum(1 for r, _ in given
                                                                       if (r.village or "未填写") == v))
                     for v in villages]}


def _rating_crosstab(given: list, villages: list[str]) -> dict[str, Any]:
    rows = []
    for village in villages:
        values = [int(v) for r, v in given if (r.village or "未填写") == village]
        rows.append((village, [round(sum(values) / len(values), 2) if values else "—"], len(values)))
    return {"columns": ["平均分"], "rows": rows}


def public_summary(survey: Survey) -> dict[str, Any]:
    """What the project page shows when staff published the results: counts only, no free text."""
    data = results(survey, include_texts=False)
    for item in data["questions"]:
        item.pop("crosstab", None)
        item.pop("question", None)
    return data


def export_table(survey: Survey) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of every response, one column per question, for CSV/XLSX."""
    header = ["回执码", "提交时间", "村"] + [f"{i}. {q.prompt}" for i, q in enumerate(survey.questions, start=1)]
    rows = []
    for response in _responses(survey):
        local = to_local(aware(response.created_at))
        row: list[Any] = [comment_ops.format_receipt_code(response.receipt_code),
                          local.strftime("%Y-%m-%d %H:%M") if local else "", response.village or ""]
        for question in survey.questions:
            value = response.answers.get(str(question.id))
            if isinstance(value, list):
                value = (" > " if question.kind == "ranking" else "；").join(value)
            row.append("" if value is None else value)
        rows.append(row)
    return header, rows
