"""Forms of the topics pages: the GET filter form and the CSRF-protected staff edit forms.

The forms check only shapes (present, a number, not too long); the rules (a topic of this project, not
merged into itself, ...) live in ``portal.topics.operations`` so the CLI and tests get the same messages.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.models import STAGE_LABELS
from portal.topics.operations import NAME_MAX


def parse_ids(raw: list[str] | None) -> list[int]:
    """Comment ids from checkboxes; anything that is not a positive number is refused."""
    ids = []
    for value in raw or []:
        value = str(value).strip()
        if not value.isdigit() or int(value) <= 0:
            raise ValidationError(_l("意见编号无效：%(value)s。", value=value[:20] or "—"))
        ids.append(int(value))
    return ids


class TopicFilterForm(FlaskForm):
    """Stage and village filters of a project's topics page (GET)."""

    class Meta:
        csrf = False

    stage = SelectField(_l("阶段"), choices=[("", _l("全部阶段"))] + [(str(k), v) for k, v in STAGE_LABELS.items()],
                        validators=[Optional()])
    village = SelectField(_l("村"), choices=[], validate_choice=False, validators=[Optional(), Length(max=80)])
    submit = SubmitField(_l("筛选"))


class RenameForm(FlaskForm):
    name = StringField(_l("议题名称"), validators=[InputRequired(_l("议题名称不能为空。")),
                                                Length(max=NAME_MAX, message=_l("议题名称太长了。"))])
    submit = SubmitField(_l("重命名"))


class MergeForm(FlaskForm):
    target = IntegerField(_l("合并到议题"), validators=[InputRequired(_l("请选择要合并到的议题。"))])
    submit = SubmitField(_l("合并"))


class SplitForm(FlaskForm):
    """Comment ids come from the checkboxes named ``comment_ids`` (read with ``request.form.getlist``)."""

    name = StringField(_l("新议题名称"), validators=[InputRequired(_l("请给拆出的新议题起个名字。")),
                                                  Length(max=NAME_MAX, message=_l("议题名称太长了。"))])
    submit = SubmitField(_l("拆分为新议题"))


class MoveForm(FlaskForm):
    """``target`` is a topic id, or ``none`` to take the comments out of every topic."""

    target_choice = SelectField(_l("移到议题"), choices=[], validate_choice=False,
                                validators=[InputRequired(_l("请选择目标议题。"))])
    submit = SubmitField(_l("移动"))

    def validate_target_choice(self, field) -> None:
        if field.data != "none" and not str(field.data).isdigit():
            raise ValidationError(_l("目标议题无效。"))
