"""Resident Q&A chatbot, tickets and FAQ management (issue 7)."""

from flask import Blueprint

# No url_prefix: the area serves /qa (residents), /staff/qa (staff) and /api/qa (JSON).
bp = Blueprint("qa", __name__)

from flask_babel import lazy_gettext as _l  # noqa: E402

from portal.models import Role  # noqa: E402
from portal.navigation import add_public_nav, add_staff_nav  # noqa: E402
from portal.qa import tasks, views  # noqa: E402,F401

add_public_nav("qa.chat", _l("政策问答"), order=30)
# One tab in the (crowded) staff tab row; the area's pages link to each other through qa/_subnav.html.
add_staff_nav("qa.tickets", _l("政策问答"), roles=(Role.ADMIN, Role.REVIEWER, Role.DEPARTMENT), order=40)
