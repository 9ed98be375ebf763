"""Staff review queue of automatic screening decisions (issue 5)."""

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/staff/review")
