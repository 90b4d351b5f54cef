"""The registry's database work (insert, unique names, pages, delete) on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from lathe.errors import Conflict
from lathe.models import registry
from lathe.settings import Settings
from tests.backend.conftest import MakeModelFolder


def test_import_list_conflict_delete(
    db_settings: Settings, make_model_folder: MakeModelFolder
) -> None:
    folder = make_model_folder("tiny")
    first = registry.import_model(db_settings, str(folder), name="one")
    second = registry.import_model(db_settings, str(folder), name="two")
    with pytest.raises(Conflict):
        registry.import_model(db_settings, str(folder), name="ONE")

    page, cursor = registry.list_models(db_settings, limit=1, cursor=None)
    assert [row.name for row in page] == ["one"] and cursor is not None
    rest, end = registry.list_models(db_settings, limit=1, cursor=cursor)
    assert [row.name for row in rest] == ["two"] and end is None
    assert registry.get_model(db_settings, first.id).created_at.tzinfo is not None

    registry.delete_model(db_settings, second.id)
    assert [row.name for row in registry.list_models(db_settings, limit=10, cursor=None)[0]] == [
        "one"
    ]
