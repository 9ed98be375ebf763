"""Resident forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional


class CommentForm(FlaskForm):
    """A resident's comment on one open stage. Text limits are checked again in the operation."""

    stage_id = HiddenField()
    village = SelectField(_l("所在村（可不选）"), choices=[], validate_choice=False, validators=[Optional()])
    text = TextAreaField(
        _l("您的意见"),
        validators=[InputRequired(message=_l("意见内容不能为空，请写下您的意见。"))],
        render_kw={"rows": 6, "placeholder": _l("请写下您的意见或建议，可以写具体地点、面积、您的想法。")},
    )
    author_name = StringField(
        _l("称呼（可不填，不会公开）"), validators=[Optional(), Length(max=80, message=_l("称呼最多 80 个字。"))]
    )
    phone = StringField(
        _l("联系电话（可不填，不会公开，便于工作人员回访）"),
        validators=[Optional(), Length(max=40, message=_l("电话号码太长了。"))],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    submit = SubmitField(_l("提交意见"))


class LookupForm(FlaskForm):
    """Receipt-code lookup; a GET form so the result page can be bookmarked."""

    class Meta:
        csrf = False

    code = StringField(
        _l("回执码"),
        validators=[InputRequired(message=_l("请输入回执码。"))],
        render_kw={"placeholder": "ABCD-2345", "autocapitalize": "characters", "autocomplete": "off"},
    )
    submit = SubmitField(_l("查询"))
