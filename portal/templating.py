"""Template filters and globals shared by every page."""

from __future__ import annotations

import datetime as dt

from flask import Flask, request
from flask_babel import get_locale
from flask_login import current_user

from portal.models import (
    ADOPTION_LABELS,
    COMMENT_STATUS_LABELS,
    STAGE_LABELS,
    Adoption,
    CommentStatus,
    StageKind,
)
from portal.navigation import PUBLIC_NAV, visible_staff_nav
from portal.operations.comments import format_receipt_code
from portal.timeutil import local_today, to_local

LARGE_TEXT_COOKIE = "large_text"


def register(app: Flask) -> None:
    @app.template_filter("localtime")
    def localtime(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        local = to_local(value)
        return local.strftime(fmt) if local else ""

    @app.template_filter("cndate")
    def cndate(value: dt.date | None) -> str:
        return f"{value.year}年{value.month}月{value.day}日" if value else ""

    @app.template_filter("receipt")
    def receipt(code: str) -> str:
        return format_receipt_code(code)

    @app.template_filter("filesize")
    def filesize(size: int) -> str:
        if size >= 1024 * 1024:
            return f"{size / 1024 / 1024:.1f} MB"
        return f"{max(size // 1024, 1)} KB"

    @app.context_processor
    def globals_() -> dict:
        return {
            "staff_nav": visible_staff_nav(current_user),
            "public_nav": PUBLIC_NAV,
            "large_text": request.cookies.get(LARGE_TEXT_COOKIE) == "1",
            "today": local_today(),
            "current_locale": str(get_locale() or "zh_CN"),
            "STATUS_LABELS": {str(k): str(v) for k, v in COMMENT_STATUS_LABELS.items()},
            "ADOPTION_LABELS": {str(k): str(v) for k, v in ADOPTION_LABELS.items()},
            "STAGE_LABELS": {str(k): str(v) for k, v in STAGE_LABELS.items()},
            "CommentStatus": CommentStatus,
            "Adoption": Adoption,
            "StageKind": StageKind,
        }
