"""Forms of the participation area (Flask-WTF, CSRF on). Survey answers are dynamic and parsed by
``surveys.parse_answers`` from the raw form; ``AnswerForm`` only carries the CSRF token and the village."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.models import HEARING_BASES, MEETING_KINDS, POSITION_LABELS, QUESTION_KINDS

REQUIRED = _l("此项必填。")


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [(str(k), str(v)) for k, v in labels.items()]


class SurveyForm(FlaskForm):
    title = StringField(_l("问卷标题"), validators=[InputRequired(REQUIRED), Length(max=200)])
    stage_id = SelectField(_l("项目阶段"), choices=[], validate_choice=False)
    intro = TextAreaField(_l("说明（告诉居民为什么做这份问卷、大约要几分钟）"), validators=[Optional()],
                          render_kw={"rows": 3})
    opens_on = DateField(_l("开始日期"), validators=[InputRequired(_l("请填写开始日期。"))])
    closes_on = DateField(_l("截止日期"), validators=[InputRequired(_l("请填写截止日期。"))])
    one_per_device = BooleanField(_l("每台手机只能填写一次（软限制）"), default=True)
    results_public = BooleanField(_l("在项目页面公开结果汇总"), default=False)
    submit = SubmitField(_l("保存问卷"))


class QuestionForm(FlaskForm):
    kind = SelectField(_l("题型"), choices=_choices(QUESTION_KINDS))
    prompt = TextAreaField(_l("题目"), validators=[InputRequired(_l("请填写题目。"))], render_kw={"rows": 2})
    options = TextAreaField(_l("选项（单选、多选、排序题；每行一个）"), validators=[Optional()], render_kw={"rows": 4})
    scale_max = IntegerField(_l("打分题的最高分"), default=5, validators=[Optional()])
    required = BooleanField(_l("必答"))
    show_if_question_id = SelectField(_l("只在前面某题选了以下答案时显示（可不选）"), choices=[],
                                      validate_choice=False)
    show_if_options = TextAreaField(_l("触发显示的答案（每行一个，须是该题的选项）"), validators=[Optional()],
                                    render_kw={"rows": 2})
    submit = SubmitField(_l("添加题目"))


class AnswerForm(FlaskForm):
    village = SelectField(_l("您是哪个村的？（可不选）"), choices=[], validate_choice=False)


class MeetingForm(FlaskForm):
    kind = SelectField(_l("会议类型"), choices=[(k, k) for k in MEETING_KINDS])
    title = StringField(_l("会议名称"), validators=[InputRequired(REQUIRED), Length(max=200)])
    stage_id = SelectField(_l("项目阶段"), choices=[], validate_choice=False)
    starts_at = DateTimeLocalField(_l("会议时间"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired(_l("请填写会议时间。"))])
    place = StringField(_l("地点"), validators=[InputRequired(REQUIRED), Length(max=200)])
    agenda = TextAreaField(_l("议程"), validators=[Optional()], render_kw={"rows": 4})
    capacity = IntegerField(_l("名额"), validators=[InputRequired(_l("请填写名额。")),
                                                   NumberRange(min=1, message=_l("名额至少为 1。"))])
    registration_deadline = DateTimeLocalField(_l("报名截止时间"), format="%Y-%m-%dT%H:%M",
                                               validators=[InputRequired(_l("请填写报名截止时间。"))])
    published = BooleanField(_l("公开（居民可以看到并报名）"), default=True)
    submit = SubmitField(_l("保存会议"))


class RegistrationForm(FlaskForm):
    name = StringField(_l("姓名（不公开）"), validators=[InputRequired(_l("请填写姓名。")), Length(max=80)])
    phone = StringField(_l("联系电话（不公开，用于通知）"), validators=[InputRequired(_l("请填写联系电话。")),
                                                               Length(max=40)])
    village = SelectField(_l("村（可不选）"), choices=[], validate_choice=False)
    note = TextAreaField(_l("备注（例如想发言的内容、需要的帮助）"), validators=[Optional(), Length(max=500)],
                         render_kw={"rows": 2})
    submit = SubmitField(_l("报名"))


class HearingRequestForm(FlaskForm):
    legal_basis = SelectField(_l("申请听证的法律依据"), choices=_choices(HEARING_BASES))
    reason = TextAreaField(_l("申请听证的事项和理由"), validators=[InputRequired(_l("请写明事项和理由。"))],
                           render_kw={"rows": 5})
    applicant_name = StringField(_l("申请人姓名（不公开）"), validators=[InputRequired(_l("请填写姓名。")),
                                                                 Length(max=80)])
    phone = StringField(_l("联系电话（不公开）"), validators=[InputRequired(_l("请填写联系电话。")), Length(max=40)])
    village = SelectField(_l("村（可不选）"), choices=[], validate_choice=False)
    submit = SubmitField(_l("提交听证申请"))


class HearingDecisionForm(FlaskForm):
    status = SelectField(_l("决定"), choices=[("granted", _l("同意举行听证")), ("refused", _l("不予听证"))])
    decided_on = DateField(_l("决定日期"), validators=[Optional()])
    decision_note = TextAreaField(_l("说明（不予听证时必须写明理由）"), validators=[Optional()], render_kw={"rows": 2})
    meeting_id = SelectField(_l("对应的听证会（可不选）"), choices=[], validate_choice=False)
    submit = SubmitField(_l("记录决定"))


class TranscriptForm(FlaskForm):
    file = FileField(_l("会议纪要或记录（DOCX、TXT）"), validators=[FileRequired(_l("请选择要上传的文件。"))])
    submit = SubmitField(_l("上传并拆分为意见"))


class RepresentativeForm(FlaskForm):
    stage_id = SelectField(_l("阶段"), choices=[], validate_choice=False)
    name = StringField(_l("姓名（仅工作人员可见）"), validators=[InputRequired(REQUIRED), Length(max=80)])
    village = SelectField(_l("村（可不选）"), choices=[], validate_choice=False)
    group_represented = StringField(_l("代表的群体"), validators=[InputRequired(REQUIRED), Length(max=120)],
                                    render_kw={"placeholder": "村民小组、承包户、村集体经济组织……"})
    submit = SubmitField(_l("添加代表"))


class SignoffForm(FlaskForm):
    position = SelectField(_l("意见"), choices=_choices(POSITION_LABELS))
    statement = TextAreaField(_l("条件或理由"), validators=[Optional()], render_kw={"rows": 2})
    signed_on = DateField(_l("签署日期"), validators=[Optional()])
    submit = SubmitField(_l("记录签署"))


class ImportForm(FlaskForm):
    file = FileField(_l("意见表文件（XLSX 或 CSV，按模板填写）"),
                     validators=[FileRequired(_l("请选择要上传的文件。"))])
    submit = SubmitField(_l("导入"))
