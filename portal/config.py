"""Configuration defaults. ``instance/config.py`` overrides them, then ``TINGJIAN_*`` environment variables.

Every tunable of the portal lives here so that views and operations never carry magic constants.
"""

from __future__ import annotations

import json
import os
from typing import Any


class DefaultConfig:
    """Defaults suitable for a single-machine install with SQLite."""

    SECRET_KEY = "dev-only-change-me"  # replaced from instance/config.py or TINGJIAN_SECRET_KEY in production
    # None means: SQLite file in the instance folder (filled in by create_app).
    DATABASE_URL: str | None = None
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}

    # Uploads: 20 MB per request; larger requests get a friendly 413 page.
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    UPLOAD_EXTENSIONS = ("pdf", "png", "jpg", "jpeg", "docx", "xlsx")
    UPLOAD_FOLDER: str | None = None  # default: instance/uploads

    # Comments
    COMMENT_MAX_LENGTH = 2000
    COMMENT_RATE_LIMIT = "10 per hour; 3 per minute"
    LOOKUP_RATE_LIMIT = "30 per minute"
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True

    # Minimum 公示 period in days per project kind (城乡规划法 第二十六条: 规划 公示 不少于三十日).
    NOTICE_MIN_DAYS: dict[str, int] = {
        "村庄规划": 30,
        "国土空间总体规划": 30,
        "全域土地综合整治": 30,
        "高标准农田建设": 7,
        "土地复垦": 7,
        "其他": 7,
    }

    # Lists
    PAGE_SIZE = 20

    # Internationalisation: Chinese first, English second.
    BABEL_DEFAULT_LOCALE = "zh_CN"
    LANGUAGES = ("zh_CN", "en")
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"

    # Front-end libraries from the app itself (no CDN).
    BOOTSTRAP_SERVE_LOCAL = True
    WTF_CSRF_TIME_LIMIT = None

    # Job queue: Huey with SQLite storage in the instance folder; Redis when REDIS_URL is set.
    REDIS_URL: str | None = None
    QUEUE_IMMEDIATE = False  # run tasks synchronously (tests)
    QUEUE_IN_PROCESS = False  # start a consumer thread inside the web process (make run)
    QUEUE_RETRIES = 3
    QUEUE_RETRY_DELAY = 10

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"


def _coerce(raw: str, current: Any) -> Any:
    """Turn an environment string into the type of the default it replaces."""
    if isinstance(current, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(current, int) and not isinstance(current, bool):
        return int(raw)
    if isinstance(current, dict | list | tuple):
        return json.loads(raw)
    return raw


def env_overrides(config: dict[str, Any], environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Values of ``TINGJIAN_<NAME>`` environment variables, typed like the current ``<NAME>``."""
    environ = dict(os.environ) if environ is None else environ
    overrides = {}
    for key, raw in environ.items():
        if key.startswith("TINGJIAN_") and len(key) > len("TINGJIAN_"):
            name = key[len("TINGJIAN_"):]
            overrides[name] = _coerce(raw, config.get(name))
    return overrides
