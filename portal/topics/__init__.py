"""Topics: clustered opinions for staff (issue 6)."""

from flask import Blueprint

bp = Blueprint("topics", __name__, url_prefix="/staff/topics")

from flask_babel import lazy_gettext as _l  # noqa: E402

from portal.navigation import add_staff_nav  # noqa: E402
from portal.topics import views  # noqa: E402,F401

add_staff_nav("topics.index", _l("意见议题"), order=20)
