"""Surveys, meetings and hearings, representatives, offline imports and publicity (issue 9)."""

from flask import Blueprint

bp = Blueprint("participation", __name__)
