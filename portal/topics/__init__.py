"""Topics: clustered opinions for staff (issue 6)."""

from flask import Blueprint

bp = Blueprint("topics", __name__, url_prefix="/staff/topics")
