"""JSON API (no CSRF; rate-limited; errors as JSON)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")
bp.csrf_exempt = True

from portal.api import views  # noqa: E402,F401
