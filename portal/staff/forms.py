"""Staff forms (WTForms with CSRF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from portal.models import (
    ADOPTION_LABELS,
    CHANNELS,
    COMMENT_STATUS_LABELS,
    DOCUMENT_TYPES,
    NOTICE_KINDS,
    PROJECT_KINDS,
    PROJECT_STATUS_LABELS,
    STAGE_LABELS,
)

REQUIRED = _l("此项必填。")


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [(str(k), v) for k, v in labels.items()]


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[InputRequired(REQUIRED)])
    password = PasswordField(_l("密码"), validators=[InputRequired(REQUIRED)])
    submit = SubmitField(_l("登录"))


class CommentFilterForm(FlaskForm):
    """Filters of the staff comment list; a GET form."""

    class Meta:
        csrf = False

    project = SelectField(_l("项目"), choices=[], validate_choice=False, validators=[Optional()])
    stage = SelectField(_l("阶段"), choices=[("", _l("全部阶段")), *_choices(STAGE_LABELS)], validators=[Optional()])
    status = SelectField(_l("状态"), choices=[("", _l("全部状态")), *_choices(COMMENT_STATUS_LABELS)],
                         validators=[Optional()])
    channel = SelectField(_l("渠道"), choices=[("", _l("全部渠道")), *[(c, c) for c in CHANNELS]],
                          validators=[Optional()])
    date_from = DateField(_l("从"), validators=[Optional()])
    date_to = DateField(_l("到"), validators=[Optional()])
    q = StringField(_l("搜索"), validators=[Optional(), Length(max=100)], render_kw={"placeholder": _l("内容或回执码")})
    submit = SubmitField(_l("筛选"))


class StatusForm(FlaskForm):
    status = SelectField(_l("状态"), choices=_choices(COMMENT_STATUS_LABELS))
    adoption = SelectField(_l("采纳情况"), choices=[("", _l("暂不填写")), *_choices(ADOPTION_LABELS)],
                           validators=[Optional()])
    adoption_reason = TextAreaField(_l("采纳或不采纳的理由"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("更新状态"))


class ReplyForm(FlaskForm):
    text = TextAreaField(_l("答复内容"), validators=[InputRequired(_l("答复内容不能为空。")), Length(max=10000)],
                         render_kw={"rows": 5})
    adoption = SelectField(_l("采纳情况"), choices=[("", _l("暂不填写")), *_choices(ADOPTION_LABELS)],
                           validators=[Optional()])
    adoption_reason = TextAreaField(_l("理由"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("发布答复"))


class ActionForm(FlaskForm):
    """A button that only needs CSRF protection."""

    submit = SubmitField(_l("确定"))


class OfflineCommentForm(FlaskForm):
    """A comment entered by staff on a resident's behalf (paper form, phone, meeting)."""

    stage_id = SelectField(_l("项目与阶段"), choices=[], coerce=int, validate_choice=False)
    channel = SelectField(_l("渠道"), choices=[(c, c) for c in CHANNELS if c != "网站"])
    village = StringField(_l("村"), validators=[Optional(), Length(max=80)])
    text = TextAreaField(_l("意见内容"), validators=[InputRequired(_l("意见内容不能为空。"))], render_kw={"rows": 6})
    author_name = StringField(_l("姓名（不公开）"), validators=[Optional(), Length(max=80)])
    phone = StringField(_l("电话（不公开）"), validators=[Optional(), Length(max=40)])
    submit = SubmitField(_l("录入"))


class ProjectForm(FlaskForm):
    name = StringField(_l("项目名称"), validators=[InputRequired(REQUIRED), Length(max=200)])
    slug = StringField(_l("网址标识（小写字母、数字、短横线）"), validators=[InputRequired(REQUIRED), Length(max=80)])
    kind = SelectField(_l("项目类型"), choices=[(k, k) for k in PROJECT_KINDS])
    region = StringField(_l("所在地区（县/镇）"), validators=[Optional(), Length(max=120)])
    villages = TextAreaField(_l("涉及的村（每行一个，或用顿号分隔）"), validators=[Optional()], render_kw={"rows": 3})
    summary = TextAreaField(_l("简介"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})
    body = TextAreaField(_l("详细介绍"), validators=[Optional()], render_kw={"rows": 8})
    department = StringField(_l("责任部门"), validators=[Optional(), Length(max=80)])
    status = SelectField(_l("状态"), choices=_choices(PROJECT_STATUS_LABELS))
    submit = SubmitField(_l("保存"))


class StageForm(FlaskForm):
    kind = SelectField(_l("阶段"), choices=_choices(STAGE_LABELS))
    opens_on = DateField(_l("意见征集开始日期"), validators=[InputRequired(_l("请填写开始日期。"))])
    closes_on = DateField(_l("意见征集结束日期"), validators=[InputRequired(_l("请填写结束日期。"))])
    description = TextAreaField(_l("阶段说明"), validators=[Optional()], render_kw={"rows": 3})
    submit = SubmitField(_l("保存阶段"))


class NoticeForm(FlaskForm):
    kind = SelectField(_l("类型"), choices=[(k, k) for k in NOTICE_KINDS])
    title = StringField(_l("标题"), validators=[InputRequired(REQUIRED), Length(max=200)])
    stage_id = SelectField(_l("所属阶段"), choices=[], validate_choice=False, validators=[Optional()])
    body = TextAreaField(_l("正文"), validators=[Optional()], render_kw={"rows": 8})
    starts_on = DateField(_l("公示开始日期"), validators=[InputRequired(_l("请填写开始日期。"))])
    ends_on = DateField(_l("公示结束日期"), validators=[InputRequired(_l("请填写结束日期。"))])
    short_period_reason = TextAreaField(_l("公示期不足的理由（仅在短于法定期限时填写）"), validators=[Optional()],
                                        render_kw={"rows": 2})
    published = BooleanField(_l("发布"), default=True)
    submit = SubmitField(_l("保存公告"))


class DocumentForm(FlaskForm):
    file = FileField(_l("文件（PDF、图片、DOCX、XLSX）"), validators=[FileRequired(_l("请选择要上传的文件。"))])
    title = StringField(_l("标题（可不填，默认用文件名）"), validators=[Optional(), Length(max=200)])
    doc_type = SelectField(_l("类别"), choices=[(t, t) for t in DOCUMENT_TYPES])
    notice_id = SelectField(_l("关联公告（可不选）"), choices=[], validate_choice=False, validators=[Optional()])
    submit = SubmitField(_l("上传"))
