"""Forms of the review queue: the GET filter form and the CSRF-protected action forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.models import STAGE_LABELS
from portal.review.operations import ACTIONS, FLAG_FILTERS

ACTION_REQUIRED = _l("请选择要执行的操作。")
MAX_ID = 2**63 - 1  # database integer ids are 64-bit; a longer number cannot name a row


def is_id(value: object) -> bool:
    """Whether ``value`` is a plausible row id: decimal digits only, within 64 bits."""
    text = str(value).strip()
    return text.isdecimal() and text.isascii() and int(text) <= MAX_ID


def _action_choices(include_rescreen: bool = True) -> list[tuple[str, str]]:
    return [("", _l("选择操作…"))] + [(a.name, a.label) for a in ACTIONS.values()
                                       if include_rescreen or a.name != "rescreen"]


class QueueFilterForm(FlaskForm):
    """Filters of the review queue; a GET form."""

    class Meta:
        csrf = False

    flag = SelectField(_l("筛查结果"), choices=[("", _l("全部"))] + list(FLAG_FILTERS.items()),
                       validators=[Optional()])
    project = SelectField(_l("项目"), choices=[], validate_choice=False, validators=[Optional()])
    stage = SelectField(_l("阶段"), choices=[("", _l("全部阶段"))] + [(str(k), v) for k, v in STAGE_LABELS.items()],
                        validators=[Optional()])
    family = HiddenField(validators=[Optional()])
    q = StringField(_l("搜索"), validators=[Optional(), Length(max=100)], render_kw={"placeholder": _l("内容或回执码")})
    submit = SubmitField(_l("筛选"))

    def validate_project(self, field) -> None:
        if field.data and not is_id(field.data):
            raise ValidationError(_l("项目选择无效。"))

    def validate_family(self, field) -> None:
        if field.data and not is_id(field.data):
            raise ValidationError(_l("意见组编号无效。"))


class _ActionMixin:
    def validate_action(self, field) -> None:
        if field.data not in ACTIONS:
            raise ValidationError(_l("未知的操作：%(name)s。", name=field.data or "—"))


class CommentActionForm(_ActionMixin, FlaskForm):
    """One decision on one comment (a button per action on the queue row)."""

    action = StringField(validators=[InputRequired(ACTION_REQUIRED)])
    note = TextAreaField(_l("备注（可不填）"), validators=[Optional(), Length(max=1000)])


class BulkActionForm(_ActionMixin, FlaskForm):
    """A decision on the ticked comments."""

    ids = SelectMultipleField(choices=[], validate_choice=False)
    action = SelectField(_l("对选中的意见"), choices=_action_choices(), validate_choice=False,
                         validators=[InputRequired(ACTION_REQUIRED)])
    note = StringField(_l("备注（可不填）"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("执行"))

    def validate_ids(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("请至少勾选一条意见。"))
        if not all(is_id(v) for v in field.data):
            raise ValidationError(_l("选中的意见编号无效。"))

    def comment_ids(self) -> list[int]:
        return [int(v) for v in self.ids.data]


class CampaignActionForm(_ActionMixin, FlaskForm):
    """A decision on a whole campaign (the representative and all members)."""

    action = SelectField(_l("对整组意见"), choices=_action_choices(), validate_choice=False,
                         validators=[InputRequired(ACTION_REQUIRED)])
    note = StringField(_l("备注（可不填）"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("整组执行"))


class ExportForm(FlaskForm):
    """Which overrides to download; a GET form."""

    class Meta:
        csrf = False

    format = SelectField(_l("格式"), choices=[("csv", "CSV"), ("jsonl", "JSONL")], default="csv",
                         validate_choice=False)
    project = SelectField(_l("项目"), choices=[], validate_choice=False, validators=[Optional()])

    def validate_format(self, field) -> None:
        if field.data not in ("csv", "jsonl"):
            raise ValidationError(_l("导出格式无效，可选 CSV 或 JSONL。"))

    def validate_project(self, field) -> None:
        if field.data and not is_id(field.data):
            raise ValidationError(_l("项目选择无效。"))
