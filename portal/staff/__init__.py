"""Staff back office: sign-in, comments, projects, stages, notices and documents."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from flask_babel import lazy_gettext as _l  # noqa: E402

from portal.navigation import add_staff_nav  # noqa: E402
from portal.staff import views  # noqa: E402,F401

add_staff_nav("staff.comments", _l("意见"), order=10)
add_staff_nav("staff.comment_new", _l("录入线下意见"), order=20)
add_staff_nav("staff.projects", _l("项目"), order=30)
