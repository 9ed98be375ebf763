"""Tingjian 听见: the web portal. ``create_app()`` builds it from configuration."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from portal.config import DefaultConfig, env_overrides

# One blueprint per area; each sets its own url_prefix (and ``csrf_exempt = True`` for JSON APIs).
AREAS = ("public", "staff", "api", "review", "topics", "qa", "respond", "participation")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Application factory: defaults, then ``instance/config.py``, then ``TINGJIAN_*`` env, then ``test_config``."""
    app = Flask(__name__, instance_path=os.environ.get("TINGJIAN_INSTANCE_PATH") or _default_instance_path())
    app.config.from_object(DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(env_overrides(app.config))
    else:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    _derive_paths(app)
    app.json.ensure_ascii = False  # JSON answers carry readable Chinese, not \uXXXX escapes

    from portal import cli, errors, extensions, queue, templating

    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=os.path.join(app.root_path, "..", "migrations"))
    extensions.csrf.init_app(app)
    extensions.babel.init_app(app, locale_selector=extensions.select_locale)
    extensions.limiter.init_app(app)
    extensions.bootstrap.init_app(app)
    _init_login(app)
    queue.init_queue(app)

    import importlib
    import importlib.util

    _bound_int_urls(app)
    for area in AREAS:
        blueprint = importlib.import_module(f"portal.{area}").bp
        app.register_blueprint(blueprint)
        if getattr(blueprint, "csrf_exempt", False):
            extensions.csrf.exempt(blueprint)
        if importlib.util.find_spec(f"portal.{area}.cli"):
            # An area's ``flask`` commands: a module-level ``cli`` AppGroup in portal/<area>/cli.py.
            app.cli.add_command(importlib.import_module(f"portal.{area}.cli").cli)

    errors.register(app)
    templating.register(app)
    cli.register(app)
    return app


def _bound_int_urls(app: Flask) -> None:
    """``<int:id>`` in URLs stops at the database's 64-bit range, so a 30-digit id is a 404, not a 500."""
    from werkzeug.routing import IntegerConverter

    class BoundedIntegerConverter(IntegerConverter):
        def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's parameter name)
            kwargs.setdefault("max", 2**63 - 1)
            super().__init__(map, *args, **kwargs)

    app.url_map.converters["int"] = BoundedIntegerConverter


def _default_instance_path() -> str:
    return os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "instance"))


def _derive_paths(app: Flask) -> None:
    """Fill in paths that default to the instance folder."""
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        url = app.config.get("DATABASE_URL") or "sqlite:///" + os.path.join(app.instance_path, "tingjian.sqlite")
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://"):]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url_is_sqlite(app.config["SQLALCHEMY_DATABASE_URI"]):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = os.path.join(app.instance_path, "uploads")


def url_is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


def _init_login(app: Flask) -> None:
    from portal.extensions import db, login_manager
    from portal.models import User

    login_manager.init_app(app)
    login_manager.login_view = "staff.login"
    from flask_babel import gettext

    def N_(message: str) -> str:  # noqa: N802 - the conventional "mark for extraction" name
        return message

    login_manager.login_message = N_("请先登录。")
    login_manager.localize_callback = gettext  # translated when flashed, in the visitor's language
    login_manager.login_message_category = "warning"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        try:
            return db.session.get(User, int(user_id))
        except (TypeError, ValueError):
            return None
