"""Public representatives (公众代表) per project stage and their sign-off or objections at the stage gate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal.extensions import db
from portal.models import (
    GATE_LABELS,
    POSITION_LABELS,
    Project,
    Representative,
    RepresentativeSignoff,
    Stage,
    User,
)
from portal.operations import audit
from portal.operations import comments as comment_ops
from portal.operations.errors import NotFound, ValidationError
from portal.participation.common import get_row
from portal.timeutil import local_today


def get_representative(representative_id: int) -> Representative:
    representative = get_row(Representative, representative_id)
    if representative is None:
        raise NotFound("找不到这位公众代表。")
    return representative


def add_representative(project: Project, values: dict[str, Any], user: User) -> Representative:
    """Record a representative invited into one stage; the name stays private to staff."""
    stage = get_row(Stage, values.get("stage_id"))
    if stage is None or stage.project_id != project.id:
        raise ValidationError("请选择本项目的一个阶段。", field="stage_id")
    name = comment_ops.clean_text(values.get("name"))
    if not name:
        raise ValidationError("请填写代表姓名（仅工作人员可见）。", field="name")
    group = comment_ops.clean_text(values.get("group_represented"))
    if not group:
        raise ValidationError("请填写代表的群体，例如“村民小组”“承包户”“村集体经济组织”。", field="group_represented")
    village = comment_ops.clean_text(values.get("village")) or None
    if village and (len(village) > 80 or (project.villages and village not in project.villages)):
        raise ValidationError("请选择本项目涉及的村，或留空。", field="village")
    representative = Representative(project_id=project.id, stage_id=stage.id, name=name[:80], village=village,
                                    group_represented=group[:120])
    db.session.add(representative)
    db.session.flush()
    audit.record(user, "representative.add", representative, None,
                 {"stage": stage.kind, "village": village, "group": group[:120]})
    return representative


def remove_representative(representative: Representative, user: User) -> None:
    audit.record(user, "representative.remove", representative,
                 {"stage_id": representative.stage_id, "group": representative.group_represented}, None)
    db.session.delete(representative)
    db.session.flush()


def _redact(text: str) -> str:
    """The statement with personal data (phones, ID numbers, names …) masked, as comments are."""
    if not text:
        return ""
    import nlp

    return nlp.screen([{"id": 0, "text": text}])[0].redacted or text


def record_signoff(representative: Representative, values: dict[str, Any], user: User) -> RepresentativeSignoff:
    """Record a sign-off or objection at the gate of the representative's stage; objections need a statement."""
    position = values.get("position")
    if position not in POSITION_LABELS:
        raise ValidationError("请选择代表的意见：同意、有条件同意或反对。", field="position")
    statement = comment_ops.clean_text(values.get("statement"))
    if position != "agree" and not statement:
        raise ValidationError("有条件同意或反对时，请记录代表提出的条件或理由。", field="statement")
    if len(statement) > 5000:
        raise ValidationError("意见内容最多 5000 字。", field="statement")
    signed_on = values.get("signed_on") or local_today()
    if not isinstance(signed_on, dt.date) or signed_on > local_today():
        raise ValidationError("签署日期不能晚于今天。", field="signed_on")
    signoff = RepresentativeSignoff(representative_id=representative.id, position=position, statement=statement,
                                    public_statement=_redact(statement), signed_on=signed_on,
                                    recorded_by_id=user.id)
    db.session.add(signoff)
    db.session.flush()
    audit.record(user, "representative.signoff", representative, None,
                 {"position": position, "statement": statement[:200], "signed_on": signed_on})
    return signoff


def public_overview(project: Project) -> list[dict[str, Any]]:
    """Per stage: how many representatives, their villages and groups, and what they said — no names."""
    rows = db.session.execute(
        db.select(Representative).where(Representative.project_id == project.id).order_by(Representative.id)
    ).scalars().all()
    stages = []
    for stage in project.stages:
        members = [r for r in rows if r.stage_id == stage.id]
        if not members:
            continue
        signoffs = []
        for number, member in enumerate(members, start=1):
            label = f"代表 {number}（{member.village + ' · ' if member.village else ''}{member.group_represented}）"
            for signoff in member.signoffs:
                signoffs.append({"who": label, "position": signoff.position, "position_label": signoff.position_label,
                                 "statement": signoff.public_statement, "signed_on": signoff.signed_on})
        stages.append({
            "stage": stage,
            "gate": str(GATE_LABELS.get(stage.kind, stage.label)),
            "count": len(members),
            "groups": sorted({m.group_represented for m in members}),
            "villages": sorted({m.village for m in members if m.village}),
            "signoffs": signoffs,
            "signed": sum(1 for m in members if m.signoffs),
        })
    return stages
