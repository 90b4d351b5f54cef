"""Fixtures for training tests: a registered tiny random Llama ("tiny", context 128) and
dataset versions written from rows in the test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import pyarrow as pa
import pytest

from lathe.datasets import records
from lathe.datasets.columns import CANONICAL_SCHEMAS
from lathe.datasets.storage import VersionWriter
from lathe.db.tables import ModelRow
from lathe.models.registry import import_model
from lathe.settings import Settings
from tests.backend.conftest import MakeModelFolder

AddDataset = Callable[..., str]

NAMES = ["Lathe", "Lathe the trainer", "Lathe, a LoRA studio", "Lathe again"]


def name_rows(count: int = 16) -> list[dict[str, Any]]:
    """A tiny repetitive chat dataset (easy to learn), with answers of different lengths."""
    return [
        {
            "messages": [
                {"role": "user", "content": "What is your name?"},
                {"role": "assistant", "content": f"My name is {NAMES[i % len(NAMES)]}."},
            ]
        }
        for i in range(count)
    ]


@pytest.fixture
def tiny_model(settings: Settings, make_model_folder: MakeModelFolder) -> ModelRow:
    return import_model(settings, str(make_model_folder("tiny-src")), name="tiny")


@pytest.fixture
def add_dataset(settings: Settings) -> AddDataset:
    """Write rows (dicts) as a new version of dataset `name`; returns the name."""

    def add(
        name: str, rows: list[dict[str, Any]], fmt: Literal["messages", "text"] = "messages"
    ) -> str:
        schema = CANONICAL_SCHEMAS[fmt]
        table = pa.Table.from_pylist(rows, schema=schema)
        with VersionWriter(settings, schema) as writer:
            writer.write(table)
            staged = writer.finish()
        records.add_version(settings, name, staged, records.NewVersion(source="test"))
        return name

    return add
