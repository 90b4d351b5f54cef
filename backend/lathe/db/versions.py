"""Queries shared by the versioned tables (dataset_versions, recipe_versions): each row belongs
to a parent through `<parent>_id` and is numbered by `version` within it."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute

from lathe.db.engine import read_scope
from lathe.settings import Settings


class VersionedRow(Protocol):
    version: Any


RowT = TypeVar("RowT", bound=VersionedRow)


def newest_versions(
    settings: Settings,
    table: type[RowT],
    parent: InstrumentedAttribute[int],
    parent_ids: list[int],
) -> dict[int, RowT]:
    """The newest version row of each parent in `parent_ids` (parents without one are absent),
    keyed by parent id, in one query."""
    if not parent_ids:
        return {}
    version: InstrumentedAttribute[int] = table.version
    newest = (
        select(parent.label("parent_id"), func.max(version).label("v"))
        .where(parent.in_(parent_ids))
        .group_by(parent)
        .subquery()
    )
    query = select(table).join(newest, (parent == newest.c.parent_id) & (version == newest.c.v))
    with read_scope(settings.resolved_database_url) as session:
        return {getattr(row, parent.key): row for row in session.scalars(query)}
