"""The datasets and dataset_versions tables. Every function opens its own short session."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lathe.datasets.columns import describe_schema, format_of_schema
from lathe.datasets.storage import StagedVersion, move_into_place, relative_path, version_file
from lathe.db.engine import read_scope, session_scope
from lathe.db.tables import DatasetRow, DatasetVersionRow, utcnow
from lathe.db.versions import newest_versions
from lathe.errors import Conflict, NotFound
from lathe.settings import Settings


@dataclass(frozen=True)
class NewVersion:
    """What a finished write knows about the version it made, besides the file itself."""

    source: str
    report: dict[str, Any] | None = None
    stats: dict[str, Any] | None = None
    job_id: int | None = None
    recipe_version_id: int | None = None
    description: str = ""


def not_found(dataset_id: int) -> NotFound:
    return NotFound(f"dataset {dataset_id} not found")


def get(settings: Settings, dataset_id: int) -> DatasetRow:
    with read_scope(settings.resolved_database_url) as session:
        row = session.get(DatasetRow, dataset_id)
    if row is None:
        raise not_found(dataset_id)
    return row


def find_by_name(settings: Settings, name: str) -> DatasetRow | None:
    with read_scope(settings.resolved_database_url) as session:
        return session.scalars(select(DatasetRow).where(DatasetRow.name == name)).first()


def resolve(settings: Settings, ref: str) -> DatasetRow:
    """A dataset by name or, failing that, by id (for the CLI and recipes, where people type
    either)."""
    row = find_by_name(settings, ref)
    if row is not None:
        return row
    if ref.isascii() and ref.isdecimal():
        return get(settings, int(ref))
    raise NotFound(f"no dataset named {ref!r}")


def ensure_name_free(settings: Settings, name: str) -> None:
    query = select(DatasetRow.name).where(func.lower(DatasetRow.name) == name.lower()).limit(1)
    with read_scope(settings.resolved_database_url) as session:
        existing = session.scalar(query)
    if existing is not None:
        raise Conflict(f"a dataset named {existing} already exists", field="name")


def create(settings: Settings, name: str, description: str = "") -> DatasetRow:
    """A new dataset without versions; the unique name guards against a concurrent create."""
    row = DatasetRow(name=name, description=description)
    try:
        with session_scope(settings.resolved_database_url) as session:
            session.add(row)
    except IntegrityError as error:
        raise Conflict(f"a dataset named {name} already exists", field="name") from error
    return row


def page_after(settings: Settings, after_id: int, limit: int) -> list[DatasetRow]:
    query = select(DatasetRow).where(DatasetRow.id > after_id).order_by(DatasetRow.id)
    with read_scope(settings.resolved_database_url) as session:
        return list(session.scalars(query.limit(limit)))


def versions(settings: Settings, dataset_id: int) -> list[DatasetVersionRow]:
    query = (
        select(DatasetVersionRow)
        .where(DatasetVersionRow.dataset_id == dataset_id)
        .order_by(DatasetVersionRow.version)
    )
    with read_scope(settings.resolved_database_url) as session:
        return list(session.scalars(query))


def latest_versions(settings: Settings, dataset_ids: list[int]) -> dict[int, DatasetVersionRow]:
    """The newest version of each of `dataset_ids` (those without one are absent)."""
    return newest_versions(settings, DatasetVersionRow, DatasetVersionRow.dataset_id, dataset_ids)


def get_version(settings: Settings, dataset_id: int, version: int) -> DatasetVersionRow:
    """Version `version` of a dataset; 0 or less counts from the newest (0 = newest)."""
    get(settings, dataset_id)
    with read_scope(settings.resolved_database_url) as session:
        if version <= 0:
            query = (
                select(DatasetVersionRow)
                .where(DatasetVersionRow.dataset_id == dataset_id)
                .order_by(DatasetVersionRow.version.desc())
                .offset(-version)
                .limit(1)
            )
            row = session.scalars(query).first()
        else:
            row = session.scalars(
                select(DatasetVersionRow).where(
                    DatasetVersionRow.dataset_id == dataset_id,
                    DatasetVersionRow.version == version,
                )
            ).first()
    if row is None:
        which = "has no versions" if version == 0 else f"has no version {version}"
        raise NotFound(f"dataset {dataset_id} {which}", field="version")
    return row


def add_version(
    settings: Settings, dataset_name: str, staged: StagedVersion, new: NewVersion
) -> DatasetVersionRow:
    """Record `staged` as the next version of the dataset named `dataset_name`."""
    return add_versions(settings, [(dataset_name, staged, new)])[0]


def add_versions(
    settings: Settings, writes: list[tuple[str, StagedVersion, NewVersion]]
) -> list[DatasetVersionRow]:
    """Record each staged file as the next version of the dataset it names (created when
    missing), all in one transaction. The files are moved into place inside it: if the commit
    fails they are removed again, so no row points at a missing file and no file is orphaned."""
    placed: list[Path] = []
    rows: list[DatasetVersionRow] = []
    try:
        with session_scope(settings.resolved_database_url) as session:
            for dataset_name, staged, new in writes:
                dataset = session.scalars(
                    select(DatasetRow).where(DatasetRow.name == dataset_name)
                ).first()
                if dataset is None:
                    dataset = DatasetRow(name=dataset_name, description=new.description)
                    session.add(dataset)
                    session.flush()
                dataset.updated_at = utcnow()
                last = session.scalar(
                    select(func.max(DatasetVersionRow.version)).where(
                        DatasetVersionRow.dataset_id == dataset.id
                    )
                )
                number = (last or 0) + 1
                relative = relative_path(dataset.id, number)
                row = DatasetVersionRow(
                    dataset_id=dataset.id,
                    version=number,
                    path=relative,
                    format=format_of_schema(staged.schema),
                    source=new.source,
                    row_count=staged.rows,
                    columns=describe_schema(staged.schema),
                    content_hash=staged.sha256,
                    size_bytes=staged.size_bytes,
                    report=new.report,
                    stats=new.stats,
                    job_id=new.job_id,
                    recipe_version_id=new.recipe_version_id,
                )
                session.add(row)
                session.flush()
                target = version_file(settings, relative)
                move_into_place(staged, target)
                placed.append(target)
                rows.append(row)
    except IntegrityError as error:
        _remove(placed)
        raise Conflict(
            "a dataset changed while these versions were written; run it again", field="name"
        ) from error
    except BaseException:
        _remove(placed)
        raise
    return rows


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def set_stats(settings: Settings, version_id: int, stats: dict[str, Any]) -> None:
    with session_scope(settings.resolved_database_url) as session:
        row = session.get(DatasetVersionRow, version_id)
        if row is not None:
            row.stats = stats


def delete(settings: Settings, dataset_id: int) -> DatasetRow:
    """Remove the dataset, its versions and their files (the rows first: a crash between the
    two leaves only unreferenced files)."""
    with session_scope(settings.resolved_database_url) as session:
        row = session.get(DatasetRow, dataset_id)
        if row is None:
            raise not_found(dataset_id)
        session.delete(row)
    folder = settings.datasets_dir / str(dataset_id)
    shutil.rmtree(folder, ignore_errors=True)
    return row
