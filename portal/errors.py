"""Friendly error pages (Chinese first) and JSON errors for the API; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.operations.errors import DomainError

log = logging.getLogger(__name__)


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("请求有误"), _("提交的内容不完整或格式不对，请返回检查后再试。")),
        403: (_("没有权限"), _("您没有权限访问这个页面。")),
        404: (_("页面不存在"), _("您要找的页面不存在或已被删除，请检查网址。")),
        405: (_("请求方式不支持"), _("这个页面不支持这种操作。")),
        409: (_("操作冲突"), _("当前状态下不能进行这个操作。")),
        413: (_("文件太大"), _("上传的文件或提交的内容太大了，请压缩后再试。")),
        429: (_("操作太频繁"), _("您提交得太频繁了，请稍等一会儿再试。")),
        500: (_("系统出错了"), _("服务器暂时出了问题，我们已经记录下来。您提交过的意见不会丢失，请稍后再试。")),
    }


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def render_error(status: int, detail: str | None = None):
    title, message = _messages().get(status, _messages()[500] if status >= 500 else _messages()[400])
    if detail:
        message = detail
    if wants_json():
        return jsonify({"error": {"status": status, "title": title, "message": message}}), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    """Install the handlers on ``app``."""

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_error(400, _("页面已过期或缺少安全校验（CSRF），请刷新页面后重新提交。"))

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        return render_error(exc.status, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        detail = None
        if status == 429:
            detail = _("您提交得太频繁了（限制：%(limit)s），请稍后再试。", limit=exc.description)
        return render_error(status, detail)

    # A number from a URL or form too large for the database (SQLite raises OverflowError while binding it,
    # PostgreSQL a DataError): no such record exists, so it is a "not found" / "bad request", not a crash.
    @app.errorhandler(OverflowError)
    def number_too_large(exc: OverflowError):
        _rollback()
        return render_error(404)

    from sqlalchemy.exc import DataError

    @app.errorhandler(DataError)
    def data_error(exc: DataError):
        log.warning("database refused a value on %s: %s", request.path, exc.orig)
        _rollback()
        return render_error(400)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error on %s", request.path)
        _rollback()
        return render_error(500)


def _rollback() -> None:
    try:
        from portal.extensions import db

        db.session.rollback()
    except Exception:  # noqa: BLE001
        pass
