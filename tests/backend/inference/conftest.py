"""A registered tiny base model (random 2-layer Llama with the ChatML template)."""

from __future__ import annotations

import pytest

from lathe.db.tables import ModelRow
from lathe.models.registry import import_model
from lathe.settings import Settings
from tests.backend.conftest import MakeModelFolder


@pytest.fixture
def tiny_model(settings: Settings, make_model_folder: MakeModelFolder) -> ModelRow:
    return import_model(settings, str(make_model_folder("tiny")))
