"""Publicity (宣传): QR codes for posters, short broadcast texts for radio/WeChat, and an Atom feed of notices.

Everything is generated locally (the ``qrcode`` library, the standard XML writer): no external service.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any
from xml.etree import ElementTree as ET

from flask import current_app, request, url_for

from portal.extensions import db
from portal.models import Meeting, Notice, Project, ProjectStatus, Survey
from portal.participation import surveys as survey_ops
from portal.participation.common import aware
from portal.timeutil import local_today, to_local, utcnow


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute link for print and feeds: PARTICIPATION_PUBLIC_BASE_URL when set (the address residents
    can reach), else the host of the current request."""
    path = url_for(endpoint, **values)
    base = current_app.config.get("PARTICIPATION_PUBLIC_BASE_URL") or request.url_root
    return base.rstrip("/") + path


def qr_svg(data: str) -> str:
    """An inline SVG QR code (no XML declaration), sized by CSS."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    # Let CSS size it: drop the fixed millimetre size, keep the viewBox.
    return re.sub(r'\swidth="[^"]*"\s+height="[^"]*"', ' role="img" aria-label="二维码"', svg, count=1)


def qr_svg_file(data: str) -> bytes:
    """A standalone SVG file of the QR code (scalable; prints sharp at any size; WeChat editors accept it).
    SVG rather than PNG: PNG output would need Pillow or pypng, which the portal does not otherwise use."""
    svg = qr_svg(data).replace(' role="img" aria-label="二维码"', ' width="300" height="300"', 1)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + svg).encode("utf-8")


def _date(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def broadcast_text(project: Project, link: str, notice: Notice | None = None) -> str:
    """A short text in plain words for village radio (大喇叭) or a WeChat group, within the configured length."""
    config = current_app.config
    limit = config["PARTICIPATION_BROADCAST_MAX_CHARS"]
    hotline = config.get("PARTICIPATION_HOTLINE") or ""
    if notice is not None:
        head = (f"【{notice.kind}】{project.name}：{notice.title}。"
                f"{notice.kind}时间从{_date(notice.starts_on)}到{_date(notice.ends_on)}，共{notice.period_days}天。")
    else:
        head = f"【征求意见】{project.name}正在听取大家的意见。"
    stages = [s for s in project.stages if s.phase() != "closed"]
    when = "".join(f"{s.label}阶段{_date(s.opens_on)}至{_date(s.closes_on)}收集意见。" for s in stages[:2])
    how = "有意见可以用手机扫描村务公开栏的二维码或打开网址提交，也可以写在纸质意见表上交村委会"
    how += f"，或拨打电话{hotline}" if hotline else ""
    how += "。提交后会得到回执码，凭回执码可以查询答复。您的姓名和电话不会公开。"
    tail = f"网址：{link}"
    body = head + when + how
    return _clip(body, limit - len(tail) - 1) + "\n" + tail


def notices_for_feed(project: Project | None = None) -> list[Notice]:
    query = (db.select(Notice).join(Project).where(Notice.published.is_(True), Project.status != ProjectStatus.DRAFT)
             .order_by(Notice.starts_on.desc(), Notice.id.desc()).limit(current_app.config["PARTICIPATION_FEED_LIMIT"]))
    if project is not None:
        query = query.where(Notice.project_id == project.id)
    return list(db.session.execute(query).scalars())


def atom_feed(title: str, self_link: str, alternate: str, notices: list[Notice]) -> bytes:
    """An Atom 1.0 feed (RFC 4287) of notices; every reader and most WeChat tools accept it."""
    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)

    def el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        node = ET.SubElement(parent, f"{{{ns}}}{tag}", attrs)
        if text is not None:
            node.text = text
        return node

    feed = ET.Element(f"{{{ns}}}feed")
    feed.set("xml:lang", "zh-CN")
    el(feed, "title", title)
    el(feed, "id", self_link)
    el(feed, "link", rel="self", href=self_link)
    el(feed, "link", rel="alternate", href=alternate)
    updated = max((aware(n.updated_at) or utcnow() for n in notices), default=utcnow())
    el(feed, "updated", updated.isoformat())
    author = el(feed, "author")
    el(author, "name", "听见 Tingjian")
    for notice in notices:
        link = public_url("public.notice", slug=notice.project.slug, notice_id=notice.id)
        entry = el(feed, "entry")
        el(entry, "title", f"【{notice.kind}】{notice.title}")
        el(entry, "id", link)
        el(entry, "link", rel="alternate", href=link)
        el(entry, "updated", (aware(notice.updated_at) or utcnow()).isoformat())
        el(entry, "published", (aware(notice.created_at) or utcnow()).isoformat())
        summary = (f"{notice.project.name}。{notice.kind}期 {notice.starts_on:%Y-%m-%d} 至 {notice.ends_on:%Y-%m-%d}"
                   f"（共 {notice.period_days} 天）。{_clip(notice.body, 300)}")
        el(entry, "summary", summary, type="text")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8")


def project_activities(project: Project) -> dict[str, Any]:
    """What residents can take part in now: published surveys and meetings of the project."""
    today = local_today()
    surveys = db.session.execute(
        db.select(Survey).where(Survey.project_id == project.id, Survey.published.is_(True)).order_by(Survey.id)
    ).scalars().all()
    meetings = db.session.execute(
        db.select(Meeting).where(Meeting.project_id == project.id, Meeting.published.is_(True))
        .order_by(Meeting.starts_at)
    ).scalars().all()
    now = utcnow()
    return {
        "surveys": [s for s in surveys if s.phase(today) in ("open", "upcoming")],
        # Staff chose to publish these results: counts only, shown on the project page.
        "summaries": [(s, survey_ops.public_summary(s)) for s in surveys if s.results_public],
        "meetings": [m for m in meetings if aware(m.starts_at) >= now],
        "past_meetings": [m for m in meetings if aware(m.starts_at) < now],
        "to_local": to_local,
    }
