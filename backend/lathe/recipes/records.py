"""The recipes and recipe_versions tables. Every save is a new version; versions never change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lathe.db.engine import read_scope, session_scope
from lathe.db.tables import RecipeRow, RecipeVersionRow, utcnow
from lathe.db.versions import newest_versions
from lathe.errors import Conflict, NotFound
from lathe.settings import Settings


def not_found(recipe_id: int) -> NotFound:
    return NotFound(f"recipe {recipe_id} not found")


def name_conflict(name: str) -> Conflict:
    return Conflict(f"a recipe named {name} already exists", field="name")


def get(settings: Settings, recipe_id: int) -> RecipeRow:
    with read_scope(settings.resolved_database_url) as session:
        row = session.get(RecipeRow, recipe_id)
    if row is None:
        raise not_found(recipe_id)
    return row


def resolve(settings: Settings, ref: str) -> RecipeRow:
    """A recipe by name or, failing that, by id."""
    with read_scope(settings.resolved_database_url) as session:
        row = session.scalars(select(RecipeRow).where(RecipeRow.name == ref)).first()
    if row is not None:
        return row
    if ref.isascii() and ref.isdecimal():
        return get(settings, int(ref))
    raise NotFound(f"no recipe named {ref!r}")


def page_after(settings: Settings, after_id: int, limit: int) -> list[RecipeRow]:
    query = select(RecipeRow).where(RecipeRow.id > after_id).order_by(RecipeRow.id).limit(limit)
    with read_scope(settings.resolved_database_url) as session:
        return list(session.scalars(query))


def latest_versions(settings: Settings, recipe_ids: list[int]) -> dict[int, RecipeVersionRow]:
    """The newest version of each of `recipe_ids` (those without one are absent)."""
    return newest_versions(settings, RecipeVersionRow, RecipeVersionRow.recipe_id, recipe_ids)


def versions(settings: Settings, recipe_id: int) -> list[RecipeVersionRow]:
    query = (
        select(RecipeVersionRow)
        .where(RecipeVersionRow.recipe_id == recipe_id)
        .order_by(RecipeVersionRow.version)
    )
    with read_scope(settings.resolved_database_url) as session:
        return list(session.scalars(query))


def get_version(settings: Settings, recipe_id: int, version: int = 0) -> RecipeVersionRow:
    """Version `version` of a recipe; 0 is the newest."""
    get(settings, recipe_id)
    query = select(RecipeVersionRow).where(RecipeVersionRow.recipe_id == recipe_id)
    if version > 0:
        query = query.where(RecipeVersionRow.version == version)
    else:
        query = query.order_by(RecipeVersionRow.version.desc()).limit(1)
    with read_scope(settings.resolved_database_url) as session:
        row = session.scalars(query).first()
    if row is None:
        raise NotFound(f"recipe {recipe_id} has no version {version}", field="version")
    return row


def get_version_by_id(settings: Settings, version_id: int) -> RecipeVersionRow:
    with read_scope(settings.resolved_database_url) as session:
        row = session.get(RecipeVersionRow, version_id)
    if row is None:
        raise NotFound(f"recipe version {version_id} not found")
    return row


def create(
    settings: Settings, name: str, description: str, graph: dict[str, Any]
) -> tuple[RecipeRow, RecipeVersionRow]:
    recipe = RecipeRow(name=name, description=description)
    try:
        with session_scope(settings.resolved_database_url) as session:
            session.add(recipe)
            session.flush()
            version = RecipeVersionRow(recipe_id=recipe.id, version=1, graph=graph)
            session.add(version)
    except IntegrityError as error:
        raise name_conflict(name) from error
    return recipe, version


def save_version(
    settings: Settings,
    recipe_id: int,
    graph: dict[str, Any],
    *,
    name: str | None = None,
    description: str | None = None,
) -> tuple[RecipeRow, RecipeVersionRow]:
    """Append a version (and rename or re-describe the recipe when asked)."""
    try:
        with session_scope(settings.resolved_database_url) as session:
            recipe = session.get(RecipeRow, recipe_id)
            if recipe is None:
                raise not_found(recipe_id)
            if name is not None:
                recipe.name = name
            if description is not None:
                recipe.description = description
            recipe.updated_at = utcnow()
            last = session.scalar(
                select(func.max(RecipeVersionRow.version)).where(
                    RecipeVersionRow.recipe_id == recipe_id
                )
            )
            version = RecipeVersionRow(recipe_id=recipe_id, version=(last or 0) + 1, graph=graph)
            session.add(version)
    except IntegrityError as error:
        if name is not None:
            raise name_conflict(name) from error
        raise Conflict("the recipe was saved concurrently; save again") from error
    return recipe, version


def delete(settings: Settings, recipe_id: int) -> None:
    with session_scope(settings.resolved_database_url) as session:
        row = session.get(RecipeRow, recipe_id)
        if row is None:
            raise not_found(recipe_id)
        session.delete(row)
