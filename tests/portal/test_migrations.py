"""The Alembic migrations build exactly the schema the models describe, and can be rolled back.

Runs on SQLite and, in CI, on PostgreSQL: a model change without a migration fails here.
"""

from __future__ import annotations

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.extensions import db
from tests.conftest import build_app


def _drop_everything() -> None:
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def bare_app(tmp_path):
    app = build_app(tmp_path)
    with app.app_context():
        _drop_everything()
        yield app
        _drop_everything()


def _differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_builds_the_schema_of_the_models(bare_app):
    flask_migrate.upgrade()
    assert _differences() == []


def test_downgrade_to_base_removes_every_table(bare_app):
    flask_migrate.upgrade()
    flask_migrate.downgrade(revision="base")
    remaining = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert remaining == set()


def test_upgrade_keeps_rows_written_before_the_area_tables(bare_app):
    """A database at the first release, with a department in it, upgrades: new NOT NULL columns get defaults."""
    flask_migrate.upgrade(revision="ea2c2977d1a2")
    with db.engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO department (name, active) VALUES ('自然资源局', :yes)"), {"yes": True})
    flask_migrate.upgrade()
    with db.engine.connect() as connection:
        row = connection.execute(sa.text("SELECT name, description, email FROM department")).one()
    assert tuple(row) == ("自然资源局", "", "")
