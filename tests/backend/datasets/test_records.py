"""Dataset rows on SQLite and PostgreSQL: versions are numbered per dataset, several outputs
are recorded in one transaction, and a failed commit leaves no file behind."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from lathe.datasets import records
from lathe.datasets.storage import StagedVersion, VersionWriter, move_into_place, version_file
from lathe.errors import Conflict, NotFound
from lathe.settings import Settings


def stage(settings: Settings, texts: list[str]) -> StagedVersion:
    with VersionWriter(settings) as writer:
        writer.write(pa.table({"text": texts}))
        return writer.finish()


def test_versions_are_numbered_per_dataset(db_settings: Settings) -> None:
    settings = db_settings
    new = records.NewVersion(source="test")
    first, other = records.add_versions(
        settings, [("notes", stage(settings, ["a"]), new), ("other", stage(settings, ["b"]), new)]
    )
    second = records.add_version(settings, "notes", stage(settings, ["c", "d"]), new)
    assert (first.version, other.version, second.version) == (1, 1, 2)
    assert second.format == "text" and second.row_count == 2
    assert version_file(settings, second.path).is_file()
    latest = records.latest_versions(settings, [first.dataset_id, other.dataset_id])
    assert latest[first.dataset_id].version == 2 and latest[other.dataset_id].version == 1
    assert records.get_version(settings, first.dataset_id, 0).version == 2
    assert records.get_version(settings, first.dataset_id, -1).version == 1
    assert records.resolve(settings, "notes").id == first.dataset_id
    with pytest.raises(NotFound):
        records.get_version(settings, first.dataset_id, 3)

    records.delete(settings, first.dataset_id)
    assert not version_file(settings, second.path).exists()
    with pytest.raises(NotFound):
        records.get(settings, first.dataset_id)
    assert records.versions(settings, first.dataset_id) == []


def test_a_failed_write_removes_every_moved_file(
    db_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = db_settings
    staged = [stage(settings, ["x"]), stage(settings, ["y"])]
    new = records.NewVersion(source="test")
    moves = []

    def move_then_fail(version: StagedVersion, target: Path) -> None:
        moves.append(target)
        if len(moves) == 2:
            raise OSError("disk full")
        move_into_place(version, target)

    monkeypatch.setattr(records, "move_into_place", move_then_fail)
    with pytest.raises(OSError, match="disk full"):
        records.add_versions(settings, [("early", staged[0], new), ("late", staged[1], new)])
    assert not list(settings.datasets_dir.rglob("*.parquet"))
    assert records.find_by_name(settings, "early") is None
    assert records.find_by_name(settings, "late") is None


def test_names_are_unique(db_settings: Settings) -> None:
    records.create(db_settings, "taken")
    with pytest.raises(Conflict):
        records.create(db_settings, "taken")
    with pytest.raises(Conflict):
        records.ensure_name_free(db_settings, "TAKEN")
