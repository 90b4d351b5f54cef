"""Shared fixtures: an isolated LATHE_HOME and database per test (a migrated template database
copied into tmp_path, so migrations run once per session), and an API client on top."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from lathe.db import migrate
from lathe.db.engine import reset_engines
from lathe.settings import Settings, get_settings


@pytest.fixture(scope="session")
def migrated_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db-template") / "lathe.db"
    migrate.upgrade(f"sqlite:///{path}")
    reset_engines()
    return path


@pytest.fixture
def lathe_home(tmp_path: Path, migrated_db_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "lathe-home"
    home.mkdir()
    shutil.copy(migrated_db_template, home / "lathe.db")
    for var in ("LATHE_DATABASE_URL", "LATHE_API_TOKEN", "LATHE_HOST", "LATHE_PORT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LATHE_HOME", str(home))
    get_settings.cache_clear()
    return home


@pytest.fixture
def settings(lathe_home: Path) -> Iterator[Settings]:
    settings = Settings(home=lathe_home)
    settings.ensure_home()
    yield settings
    reset_engines()
    get_settings.cache_clear()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    from lathe.app import create_app

    with TestClient(create_app(settings)) as test_client:
        yield test_client
