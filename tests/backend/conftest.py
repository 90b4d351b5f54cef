"""Backend fixtures: tiny model folders and GGUF files built in the test (registry and API tests),
rows inserted directly, and a check that a failed operation left nothing behind.

The isolated `settings` fixture (LATHE_HOME in tmp_path, migrated template database) comes
from tests/conftest.py."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from sqlalchemy import select
from tokenizers import Tokenizer

from lathe.db.engine import session_scope
from lathe.db.tables import ModelRow
from lathe.jobs.worker import Worker
from lathe.schemas.models import ProgressEvent
from lathe.settings import Settings
from tests.backend.models.factories import (
    build_bpe_tokenizer,
    build_tiny_llama,
    write_gguf,
    write_model_folder,
)


class MakeModelFolder(Protocol):
    def __call__(self, name: str = ..., **options: Any) -> Path: ...


class HomeCheck(Protocol):
    def __call__(self, *, models: frozenset[str] = ...) -> None: ...


@pytest.fixture(scope="session")
def bpe_tokenizer() -> Tokenizer:
    return build_bpe_tokenizer()


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """Where tests put the things they import: outside LATHE_HOME."""
    folder = tmp_path / "sources"
    folder.mkdir()
    return folder


@pytest.fixture
def make_model_folder(sources: Path, bpe_tokenizer: Tokenizer) -> MakeModelFolder:
    """Write a random tiny Llama + tokenizer folder under `sources`; options go to
    factories.write_model_folder (chat_template, tie, dtype, max_shard_size, seed)."""

    def make(name: str = "tiny-llama", **options: Any) -> Path:
        dest = sources / name
        write_model_folder(dest, bpe_tokenizer, **options)
        return dest

    return make


@pytest.fixture(scope="session")
def tiny_gguf_template(tmp_path_factory: pytest.TempPathFactory, bpe_tokenizer: Tokenizer) -> Path:
    folder = tmp_path_factory.mktemp("gguf-template")
    return write_gguf(folder / "tiny-llama.F32.gguf", build_tiny_llama(seed=0), bpe_tokenizer)


@pytest.fixture
def make_gguf(sources: Path, tiny_gguf_template: Path) -> Callable[[str], Path]:
    """A copy of a valid tiny GGUF (the seed-0 tiny Llama) under `sources`."""

    def make(name: str = "tiny-llama.F32.gguf") -> Path:
        dest = sources / name
        shutil.copyfile(tiny_gguf_template, dest)
        return dest

    return make


@pytest.fixture
def add_row(settings: Settings) -> Callable[..., ModelRow]:
    """Insert a models row directly (no files), for listing and deletion tests."""

    def add(name: str, **fields: Any) -> ModelRow:
        values: dict[str, Any] = {"kind": "base", "source": f"path:/nowhere/{name}", "path": name}
        values.update(fields)
        row = ModelRow(name=name, **values)
        with session_scope(settings.resolved_database_url) as session:
            session.add(row)
        return row

    return add


@pytest.fixture
def progress_events() -> list[ProgressEvent]:
    return []


@pytest.fixture
def assert_home_clean(settings: Settings) -> HomeCheck:
    """Assert that LATHE_HOME/models holds exactly `models` (folders and rows), and that
    LATHE_HOME/tmp is empty."""

    def check(*, models: frozenset[str] = frozenset()) -> None:
        folders = {path.name for path in settings.models_dir.iterdir()}
        leftovers = sorted(path.name for path in settings.tmp_dir.iterdir())
        with session_scope(settings.resolved_database_url) as session:
            names = set(session.scalars(select(ModelRow.name)))
        assert folders == set(models)
        assert leftovers == []
        assert names == set(models)

    return check


@pytest.fixture
def worker(settings: Settings) -> Iterator[Worker]:
    """An in-process worker (a background thread) for tests that need jobs to run."""
    running = Worker(settings, gpus=[], cpu_jobs=2)
    thread = running.start_background()
    yield running
    running.request_stop()
    thread.join(60)
