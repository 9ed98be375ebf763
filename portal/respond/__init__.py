"""Routing, supervision, replies, reports, dashboards and the audit trail (issue 8)."""

from flask import Blueprint

bp = Blueprint("respond", __name__, url_prefix="/staff/respond")
