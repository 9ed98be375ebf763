"""Staff back office: sign-in, comments, projects, stages, notices and documents."""

from flask import Blueprint

bp = Blueprint("staff", __name__)

from portal.staff import views  # noqa: E402,F401
