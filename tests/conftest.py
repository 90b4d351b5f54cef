"""Shared fixtures: an isolated LATHE_HOME and database per test (a migrated template database
copied into tmp_path, so migrations run once per session), and an API client on top."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from lathe.db import migrate
from lathe.db.admin import create_database, drop_database
from lathe.db.engine import reset_engines
from lathe.settings import Settings, get_settings

# Triton chooses between compiling and interpreting its kernels (its standard library's too) when
# triton.language is imported, and collecting the tests imports it (transformers does, through
# torch). The kernel tests run the interpreter on CPU tensors, so it is chosen here, before that
# (none of the imports above loads triton), unless TRITON_INTERPRET is set already (0: compiled,
# for the `gpu` tests). Once collected, the variable is unset again: tests/kernels/conftest.py sets
# it around its own tests.
_INTERPRET_BY_DEFAULT = "TRITON_INTERPRET" not in os.environ
if _INTERPRET_BY_DEFAULT:
    os.environ["TRITON_INTERPRET"] = "1"


def pytest_collection_finish(session: pytest.Session) -> None:
    if _INTERPRET_BY_DEFAULT:
        os.environ.pop("TRITON_INTERPRET", None)


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
    # No embedded worker: tests that run jobs start the workers they need.
    settings = Settings(home=lathe_home, worker_embedded=False)
    settings.ensure_home()
    yield settings
    reset_engines()
    get_settings.cache_clear()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    from lathe.app import create_app

    with TestClient(create_app(settings)) as test_client:
        yield test_client


# --- PostgreSQL -------------------------------------------------------------------------------
# `make test` starts a server (scripts/postgres-for-tests.sh) and exports its URL. Tests that
# take the `database` parameter run on SQLite and, with that URL, on PostgreSQL too.

POSTGRES_URL_ENV = "LATHE_TEST_POSTGRES_URL"
requires_postgres = pytest.mark.skipif(
    not os.environ.get(POSTGRES_URL_ENV),
    reason=f"no PostgreSQL server: set {POSTGRES_URL_ENV} (`make test` does)",
)
DATABASES = ["sqlite", pytest.param("postgresql", marks=requires_postgres)]


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[tuple[str, str]]:
    """A migrated template database, created once; tests copy it (CREATE DATABASE … TEMPLATE)."""
    server_url = os.environ[POSTGRES_URL_ENV]
    name = f"lathe_template_{uuid.uuid4().hex[:12]}"
    url = create_database(server_url, name)
    migrate.upgrade(url)
    reset_engines()
    yield server_url, name
    drop_database(server_url, name)


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    server_url, template = request.getfixturevalue("postgres_template")
    name = f"lathe_test_{uuid.uuid4().hex[:12]}"
    yield create_database(server_url, name, template=template)
    reset_engines()
    drop_database(server_url, name)


@pytest.fixture(params=DATABASES)
def db_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """`settings` on each database: SQLite in LATHE_HOME, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return settings
    url = request.getfixturevalue("postgres_url")
    return settings.model_copy(update={"database_url": url})
