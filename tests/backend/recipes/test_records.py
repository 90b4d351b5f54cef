"""Recipe rows on SQLite and PostgreSQL: every save is a new version; names are unique."""

from __future__ import annotations

import pytest

from lathe.errors import Conflict, NotFound
from lathe.recipes import records
from lathe.settings import Settings

GRAPH = {"schema_version": 1, "nodes": [], "edges": []}


def test_saves_are_versions(db_settings: Settings) -> None:
    recipe, first = records.create(db_settings, "r", "first", GRAPH)
    _, second = records.save_version(db_settings, recipe.id, {**GRAPH, "edges": []}, name="r2")
    assert (first.version, second.version) == (1, 2)
    assert records.get(db_settings, recipe.id).name == "r2"
    assert records.get_version(db_settings, recipe.id, 0).id == second.id
    assert records.get_version(db_settings, recipe.id, 1).id == first.id
    assert records.latest_versions(db_settings, [recipe.id])[recipe.id].version == 2
    assert records.resolve(db_settings, "r2").id == recipe.id
    assert records.resolve(db_settings, str(recipe.id)).id == recipe.id
    with pytest.raises(NotFound):
        records.get_version(db_settings, recipe.id, 9)

    other, _ = records.create(db_settings, "other", "", GRAPH)
    with pytest.raises(Conflict):
        records.create(db_settings, "r2", "", GRAPH)
    with pytest.raises(Conflict):
        records.save_version(db_settings, other.id, GRAPH, name="r2")
    records.delete(db_settings, recipe.id)
    with pytest.raises(NotFound):
        records.get(db_settings, recipe.id)
    assert records.versions(db_settings, recipe.id) == []
