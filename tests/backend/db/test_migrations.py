"""Migrations apply and revert cleanly on a fresh SQLite file, and the ORM matches them."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from lathe.db import migrate
from lathe.db.base import Base
from lathe.db.engine import get_engine, reset_engines
from tests.conftest import requires_postgres


def test_upgrade_and_downgrade_on_fresh_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    migrate.upgrade(url)
    assert migrate.current_revision(url) == migrate.head_revision()
    assert "models" in inspect(get_engine(url)).get_table_names()

    migrate.downgrade(url, "base")
    assert migrate.current_revision(url) is None
    assert "models" not in inspect(get_engine(url)).get_table_names()

    migrate.upgrade(url)  # and back up again: downgrades leave nothing behind
    assert migrate.current_revision(url) == migrate.head_revision()
    reset_engines()


def test_orm_matches_migrations(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cmp.db'}"
    migrate.upgrade(url)
    with get_engine(url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    reset_engines()
    assert diff == [], f"ORM and migrations disagree; write a migration: {diff}"


def test_single_head() -> None:
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"migration branches must be merged: {heads}"


def test_offline_sql_renders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    command.upgrade(migrate.alembic_config(f"sqlite:///{tmp_path / 'x.db'}"), "head", sql=True)
    assert "CREATE TABLE models" in capsys.readouterr().out


@requires_postgres
def test_upgrade_and_downgrade_on_postgres(postgres_url: str) -> None:
    migrate.downgrade(postgres_url, "base")
    assert migrate.current_revision(postgres_url) is None
    migrate.upgrade(postgres_url)
    assert migrate.current_revision(postgres_url) == migrate.head_revision()
    with get_engine(postgres_url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"ORM and migrations disagree on PostgreSQL: {diff}"
