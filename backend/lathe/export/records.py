"""The exports table and the folders it points to. Every function opens its own short session.

A row and its folder appear together: the finished staging folder is renamed to
LATHE_HOME/exports/<id>/ inside the transaction that inserts the row (the id names the folder),
and renamed back if the commit fails. A crash between the rename and the commit leaves a
folder no row points to; the next export that gets the same id replaces it."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lathe.db.engine import new_session, read_scope, session_scope
from lathe.db.tables import ExportRow, ModelRow
from lathe.errors import LatheError, NotFound
from lathe.models.storage import move_to_trash, remove_tree
from lathe.settings import Settings


def not_found(export_id: int) -> NotFound:
    return NotFound(f"export {export_id} not found")


def export_dir(settings: Settings, row: ExportRow) -> Path:
    """The folder of an export. Refuses a stored path that would leave the exports folder, so
    a damaged row can never make a delete remove something else."""
    root = settings.exports_dir.resolve()
    folder = (root / row.path).resolve()
    if folder == root or root not in folder.parents:
        raise LatheError(f"export {row.id} has an invalid path {row.path!r}")
    return folder


def get(settings: Settings, export_id: int) -> ExportRow:
    with read_scope(settings.resolved_database_url) as session:
        row = session.get(ExportRow, export_id)
    if row is None:
        raise not_found(export_id)
    return row


def find_by_job(settings: Settings, job_id: int) -> ExportRow | None:
    with read_scope(settings.resolved_database_url) as session:
        return session.scalars(select(ExportRow).where(ExportRow.job_id == job_id)).first()


def page_before(
    settings: Settings, *, before_id: int | None, limit: int, model_id: int | None = None
) -> list[ExportRow]:
    """Exports newest first, below `before_id`; with `model_id`, only the exports of that
    adapter, or of the adapters of that base model."""
    query = select(ExportRow).order_by(ExportRow.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(ExportRow.id < before_id)
    if model_id is not None:
        adapters = select(ModelRow.id).where(ModelRow.parent_id == model_id)
        query = query.where(
            or_(ExportRow.source_model_id == model_id, ExportRow.source_model_id.in_(adapters))
        )
    with read_scope(settings.resolved_database_url) as session:
        return list(session.scalars(query))


def model_names(settings: Settings, ids: set[int]) -> dict[int, str]:
    """Names of the models with these ids (the adapters exports came from)."""
    if not ids:
        return {}
    query = select(ModelRow.id, ModelRow.name).where(ModelRow.id.in_(ids))
    with read_scope(settings.resolved_database_url) as session:
        return {row.id: row.name for row in session.execute(query)}


def publish(settings: Settings, built: Path, row: ExportRow) -> ExportRow:
    """Insert `row` and move the finished folder `built` to LATHE_HOME/exports/<id>/ in one
    transaction: the row is committed last, and on any failure the folder leaves again."""
    settings.exports_dir.mkdir(parents=True, exist_ok=True)
    session = new_session(settings.resolved_database_url)
    target: Path | None = None
    try:
        session.add(row)
        session.flush()  # the id names the folder
        row.path = str(row.id)
        target = settings.exports_dir / row.path
        if os.path.lexists(target):
            # No committed row has this id, so the folder is the leftover of a crash.
            remove_tree(target)
        built.rename(target)
        session.commit()
    except BaseException:
        session.rollback()
        if target is not None and target.exists() and not built.exists():
            target.rename(built)
        raise
    finally:
        session.close()
    return row


def set_registered(settings: Settings, export_id: int, model_id: int) -> None:
    with session_scope(settings.resolved_database_url) as session:
        row = session.get(ExportRow, export_id)
        if row is None:
            raise not_found(export_id)
        row.registered_model_id = model_id


def delete(settings: Settings, export_id: int) -> None:
    """Remove the row and the folder. The folder leaves LATHE_HOME/exports (one rename) inside
    the transaction that deletes the row, and comes back if that transaction fails; the slow
    removal runs after the commit."""
    folder: Path | None = None
    trash: Path | None = None
    try:
        with session_scope(settings.resolved_database_url) as session:
            row = _get_for_delete(session, export_id)
            folder = export_dir(settings, row)
            if os.path.lexists(folder):
                trash = move_to_trash(folder, settings)
            session.delete(row)
            session.flush()
    except BaseException:
        if trash is not None and folder is not None:
            trash.rename(folder)
        raise
    if trash is not None:
        remove_tree(trash)


def _get_for_delete(session: Session, export_id: int) -> ExportRow:
    row = session.get(ExportRow, export_id)
    if row is None:
        raise not_found(export_id)
    return row
