"""Time helpers: timestamps are stored in UTC; dates that residents see are in the site's time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def site_zone() -> ZoneInfo:
    """The site's time zone (``BABEL_DEFAULT_TIMEZONE``), Asia/Shanghai outside an app context."""
    try:
        from flask import current_app

        return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_TZ))
    except RuntimeError:
        return ZoneInfo(DEFAULT_TZ)


def local_today() -> dt.date:
    """Today's date in the site's time zone, which decides whether a stage or notice is open."""
    return dt.datetime.now(site_zone()).date()


def to_local(value: dt.datetime | None) -> dt.datetime | None:
    """A stored timestamp in the site's time zone (naive values from SQLite are taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(site_zone())
