"""Forms of the respond area (WTForms with CSRF). Business rules (due dates, reasons) live in the operations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from portal.models import ADOPTION_LABELS, TARGET_LABELS

REQUIRED = _l("此项必填。")


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [(str(k), v) for k, v in labels.items()]


class AssignForm(FlaskForm):
    target = SelectField(_l("交办对象"), choices=_choices(TARGET_LABELS), validators=[InputRequired(REQUIRED)])
    comment_id = HiddenField()
    topic_id = HiddenField()
    # choices are filled by the view; validate_choice off so a missing department reaches the operation's message
    department_id = SelectField(_l("承办部门"), choices=[], validate_choice=False)
    due_on = DateField(_l("办理期限"), validators=[Optional()])
    note = TextAreaField(_l("交办说明"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})


class ReassignForm(FlaskForm):
    department_id = SelectField(_l("改派到"), choices=[], validate_choice=False)
    due_on = DateField(_l("新的办理期限（可不填）"), validators=[Optional()])
    reason = TextAreaField(_l("改派理由"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})


class ReplyBatchForm(FlaskForm):
    """A reply to one comment, a family or a topic; the view decides which."""

    text = TextAreaField(_l("答复内容"), validators=[InputRequired(_l("答复内容不能为空。")), Length(max=10000)],
                         render_kw={"rows": 6})
    adoption = SelectField(_l("采纳情况"), choices=[("", _l("请选择")), *_choices(ADOPTION_LABELS)],
                           validators=[Optional()])
    adoption_reason = TextAreaField(_l("理由（采纳或不采纳都要写明）"), validators=[Optional(), Length(max=2000)],
                                    render_kw={"rows": 3})
    scope = SelectField(_l("答复范围"), choices=_choices(TARGET_LABELS), validators=[Optional()])
    draft = BooleanField(_l("先存为草稿，不提交审核"))


class ReturnForm(FlaskForm):
    note = TextAreaField(_l("退回意见"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})


class DepartmentForm(FlaskForm):
    name = StringField(_l("部门名称"), validators=[InputRequired(REQUIRED), Length(max=80)])
    description = TextAreaField(_l("职责"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    contact = StringField(_l("联系人/电话"), validators=[Optional(), Length(max=120)])
    email = StringField(_l("提醒邮箱"), validators=[Optional(), Length(max=120)])
    active = BooleanField(_l("启用"), default=True)


class TemplateForm(FlaskForm):
    title = StringField(_l("模板标题"), validators=[InputRequired(REQUIRED), Length(max=120)])
    body = TextAreaField(_l("模板内容"), validators=[InputRequired(REQUIRED)], render_kw={"rows": 4})
    department_id = SelectField(_l("适用部门"), choices=[], validate_choice=False, validators=[Optional()])


class DeadlineForm(FlaskForm):
    working_days = IntegerField(_l("办理时限（工作日）"), validators=[InputRequired(REQUIRED)])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    user = SelectField(_l("操作人"), choices=[], validate_choice=False, validators=[Optional()])
    action = StringField(_l("操作"), validators=[Optional(), Length(max=60)], render_kw={"placeholder": "comment."})
    object_type = StringField(_l("对象类型"), validators=[Optional(), Length(max=40)])
    object_id = IntegerField(_l("对象编号"), validators=[Optional()])
    date_from = DateField(_l("从"), validators=[Optional()])
    date_to = DateField(_l("到"), validators=[Optional()])
