"""Resident-facing pages: no login, mobile-first, Chinese."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from portal.public import views  # noqa: E402,F401
