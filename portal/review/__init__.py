"""Staff review queue of automatic screening decisions (issue 5)."""

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/staff/review")

from flask_babel import lazy_gettext as _l  # noqa: E402

from portal.models import Role  # noqa: E402
from portal.navigation import add_staff_nav  # noqa: E402
from portal.review import views  # noqa: E402,F401

add_staff_nav("review.queue", _l("筛查审核"), roles=(Role.ADMIN, Role.REVIEWER), order=15)
