"""A registered tiny base model (random 2-layer Llama with the ChatML template), and a chat
engine serving from the test's LATHE_HOME."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lathe.db.tables import ModelRow
from lathe.inference.engine import ChatEngine
from lathe.models.registry import import_model
from lathe.settings import Settings
from tests.backend.conftest import MakeModelFolder


@pytest.fixture
def tiny_model(settings: Settings, make_model_folder: MakeModelFolder) -> ModelRow:
    return import_model(settings, str(make_model_folder("tiny")))


@pytest.fixture
def engine(settings: Settings) -> Iterator[ChatEngine]:
    """A chat engine of its own; its decode threads are stopped afterwards."""
    running = ChatEngine(settings)
    yield running
    running.close()
