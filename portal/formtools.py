"""Small helpers shared by the blueprints' views for forms."""

from __future__ import annotations

from flask_wtf import FlaskForm

from portal.operations.errors import DomainError


def attach_error(form: FlaskForm, exc: DomainError, fallback: str | None = None) -> None:
    """Show an operation's error under the field it names (or ``fallback``, or as a form-level error)."""
    field = getattr(form, exc.field or "", None) or (getattr(form, fallback, None) if fallback else None)
    if field is not None:
        field.errors = [*list(field.errors or []), exc.message]
    else:
        form.form_errors.append(exc.message)


def form_values(form: FlaskForm, *names: str) -> dict:
    """The data of the named fields as a plain dict for an operation."""
    return {name: getattr(form, name).data for name in names}


def page_number(name: str = "page", largest: int = 100_000) -> int:
    """The ``?page=`` argument as a sane page number (1 when missing, malformed or absurdly large, which would
    overflow the database's OFFSET)."""
    from flask import request

    page = request.args.get(name, 1, type=int)
    return page if page is not None and 1 <= page <= largest else 1


def form_error_text(form: FlaskForm) -> str:
    """All of a form's validation messages in one line, for a flash message after a redirect."""
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


def first_form_error(form: FlaskForm) -> str:
    """The first validation message of ``form`` (a generic one if, oddly, there is none)."""
    from flask_babel import gettext as _

    for errors in form.errors.values():
        for message in errors:
            return str(message)
    return _("提交的内容有误，请检查后再试。")
