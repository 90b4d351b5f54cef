"""The models table. Every function opens its own short session; none is held during file work."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lathe.db.engine import read_scope, session_scope
from lathe.db.tables import ModelRow
from lathe.errors import Conflict, NotFound
from lathe.settings import Settings


def name_conflict(name: str) -> Conflict:
    return Conflict(f"a model named {name} already exists", field="name")


def ensure_name_free(settings: Settings, name: str) -> None:
    # Case-insensitive: the name is also a folder name, and "Tiny" and "tiny" are one folder
    # on macOS and Windows.
    query = select(ModelRow.name).where(func.lower(ModelRow.name) == name.lower()).limit(1)
    with read_scope(settings.resolved_database_url) as session:
        existing = session.scalar(query)
    if existing is not None:
        raise name_conflict(existing)


def find_by_source(settings: Settings, source: str) -> ModelRow | None:
    with read_scope(settings.resolved_database_url) as session:
        return session.scalars(
            select(ModelRow).where(ModelRow.source == source).order_by(ModelRow.id).limit(1)
        ).first()


def find_by_name(settings: Settings, name: str) -> ModelRow | None:
    with read_scope(settings.resolved_database_url) as session:
        return session.scalars(select(ModelRow).where(ModelRow.name == name)).first()


def not_found(model_id: int) -> NotFound:
    return NotFound(f"model {model_id} not found")


def get(settings: Settings, model_id: int) -> ModelRow:
    with read_scope(settings.resolved_database_url) as session:
        row = session.get(ModelRow, model_id)
    if row is None:
        raise not_found(model_id)
    return row


def page_after(settings: Settings, after_id: int, limit: int) -> list[ModelRow]:
    with read_scope(settings.resolved_database_url) as session:
        return list(
            session.scalars(
                select(ModelRow).where(ModelRow.id > after_id).order_by(ModelRow.id).limit(limit)
            )
        )


def count_dependents(session: Session, model_id: int) -> int:
    query = select(func.count()).select_from(ModelRow).where(ModelRow.parent_id == model_id)
    return session.scalar(query) or 0


def insert(settings: Settings, row: ModelRow) -> ModelRow:
    """Insert `row`; the unique name is the final guard against a concurrent import."""
    try:
        with session_scope(settings.resolved_database_url) as session:
            session.add(row)
    except IntegrityError as error:
        raise name_conflict(row.name) from error
    return row
