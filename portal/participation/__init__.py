"""Surveys, meetings and hearings, representatives, offline imports and publicity (issue 9)."""

from flask import Blueprint

# Public pages live at the site root, staff pages under /staff/participation (see views.py).
bp = Blueprint("participation", __name__)

from flask_babel import lazy_gettext as _l  # noqa: E402

from portal.models import Role  # noqa: E402
from portal.navigation import add_public_nav, add_staff_nav  # noqa: E402
from portal.participation import views  # noqa: E402,F401

add_staff_nav("participation.staff_index", _l("公众参与"), roles=(Role.ADMIN, Role.REVIEWER), order=40)
add_public_nav("participation.how_to", _l("如何参与"), order=30)
