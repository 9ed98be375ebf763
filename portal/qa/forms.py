"""Forms of the qa area. Limits are checked again in the operations (the API skips these forms)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional


class AskForm(FlaskForm):
    """A resident's question on the chat page (a plain POST; works without JavaScript)."""

    question = TextAreaField(
        _l("您想问什么？"),
        validators=[InputRequired(message=_l("请输入您想咨询的问题。"))],
        render_kw={"rows": 3, "placeholder": _l("例如：俺家地被征了，补偿款啥时候给？"), "maxlength": 1000},
    )
    project = SelectField(_l("相关项目（可不选）"), choices=[], validate_choice=False, validators=[Optional()])
    submit = SubmitField(_l("提问"))


class FeedbackForm(FlaskForm):
    """"Was this helpful?" — two submit buttons."""

    token = HiddenField()
    yes = SubmitField(_l("有帮助"))
    no = SubmitField(_l("没有帮助，转给工作人员"))


class HandOverForm(FlaskForm):
    """Pass a question to staff, optionally with contact details (private)."""

    token = HiddenField()
    contact = StringField(
        _l("联系方式（可不填，不会公开，便于工作人员联系您）"),
        validators=[Optional(), Length(max=120, message=_l("联系方式最多 120 个字。"))],
        render_kw={"autocomplete": "tel"},
    )
    submit = SubmitField(_l("转交工作人员"))


class TicketLookupForm(FlaskForm):
    """Look a handed-over question up by its code (GET, bookmarkable)."""

    class Meta:
        csrf = False

    code = StringField(_l("问题编号"), validators=[InputRequired(message=_l("请输入问题编号。"))],
                       render_kw={"placeholder": "ABCD-2345", "autocapitalize": "characters"})
    submit = SubmitField(_l("查询"))


class TicketAnswerForm(FlaskForm):
    """Staff answer to a ticket."""

    answer = TextAreaField(_l("答复"), validators=[InputRequired(message=_l("请填写答复内容。"))],
                           render_kw={"rows": 6})
    submit = SubmitField(_l("保存答复"))


class FaqForm(FlaskForm):
    """A staff FAQ entry."""

    question = StringField(_l("问题"), validators=[InputRequired(message=_l("请填写问题。")), Length(max=500)])
    alternatives = TextAreaField(_l("其他问法（每行一个，可写群众的口语说法）"), render_kw={"rows": 4})
    answer = TextAreaField(_l("答案"), validators=[InputRequired(message=_l("请填写答案。"))], render_kw={"rows": 8})
    sources = TextAreaField(_l("依据（每行一条：法规名称 第X条，例如“土地管理法 第四十七条”）"), render_kw={"rows": 3})
    active = BooleanField(_l("启用（可被问答检索）"), default=True)
    submit = SubmitField(_l("保存"))
