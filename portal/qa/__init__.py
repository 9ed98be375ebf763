"""Resident Q&A chatbot, tickets and FAQ management (issue 7)."""

from flask import Blueprint

bp = Blueprint("qa", __name__)
