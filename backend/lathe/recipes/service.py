"""The recipes service: what API routers and the CLI call. Saves are new versions; runs are
`recipe.run` jobs, refused up front when the graph has problems."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lathe.db.tables import JobRow, RecipeRow, RecipeVersionRow
from lathe.errors import InvalidInput
from lathe.jobs import service as jobs
from lathe.pagination import decode_cursor, split_page
from lathe.recipes import records
from lathe.recipes.graph import RecipeGraph, parse_graph
from lathe.recipes.jobs import RUN_KIND
from lathe.recipes.problems import Problem, problems_error
from lathe.recipes.validate import validate_graph
from lathe.recipes.yaml_io import dump_yaml, load_yaml
from lathe.schemas.recipes import RECIPE_NAME_PATTERN
from lathe.settings import Settings

RECIPES_LISTING = "recipes"


@dataclass(frozen=True)
class Listing:
    recipes: list[RecipeRow]
    latest: dict[int, RecipeVersionRow]
    next_cursor: str | None


def stored(graph: RecipeGraph) -> dict[str, Any]:
    """The graph as stored: the recipe's name and description live on its row, not here."""
    return graph.model_dump(mode="json", exclude={"name", "description"}, exclude_none=True)


def list_recipes(settings: Settings, *, limit: int, cursor: str | None) -> Listing:
    after = decode_cursor(cursor, RECIPES_LISTING) if cursor else 0
    rows, next_cursor = split_page(
        records.page_after(settings, after, limit + 1), limit, RECIPES_LISTING
    )
    return Listing(rows, records.latest_versions(settings, [row.id for row in rows]), next_cursor)


def create(
    settings: Settings, name: str, description: str, graph: RecipeGraph
) -> tuple[RecipeRow, RecipeVersionRow]:
    return records.create(settings, name, description, stored(graph))


def save(
    settings: Settings,
    recipe_id: int,
    graph: RecipeGraph,
    *,
    name: str | None = None,
    description: str | None = None,
) -> tuple[RecipeRow, RecipeVersionRow]:
    return records.save_version(
        settings, recipe_id, stored(graph), name=name, description=description
    )


def problems_of(settings: Settings, version: RecipeVersionRow) -> list[Problem]:
    return validate_graph(version.graph, settings)


def queue_run(settings: Settings, recipe_id: int, version: int = 0) -> JobRow:
    """Queue a run of a saved version; InvalidInput listing every problem when it cannot run."""
    row = records.get_version(settings, recipe_id, version)
    problems = problems_of(settings, row)
    if problems:
        raise problems_error(problems, what=f"recipe {recipe_id} version {row.version}")
    return jobs.enqueue(settings, RUN_KIND, {"recipe_id": recipe_id, "version": row.version})


def import_yaml(
    settings: Settings, text: str, name: str | None = None
) -> tuple[RecipeRow, RecipeVersionRow]:
    """A new recipe from a YAML document (its `name`, unless `name` is given)."""
    graph = parse_graph(load_yaml(text))
    chosen = name or graph.name
    if not chosen:
        raise InvalidInput("name: give the recipe a name (or a `name:` in the YAML)", field="name")
    _check_name(chosen)
    return create(settings, chosen, graph.description or "", graph)


def export_yaml(settings: Settings, recipe_id: int, version: int = 0) -> tuple[str, int, str]:
    """(name, version, YAML) of a saved version, with the name and description in the file."""
    recipe = records.get(settings, recipe_id)
    row = records.get_version(settings, recipe_id, version)
    document = {"name": recipe.name, "description": recipe.description or None, **row.graph}
    return recipe.name, row.version, dump_yaml({k: v for k, v in document.items() if v})


def _check_name(name: str) -> None:
    if not re.fullmatch(RECIPE_NAME_PATTERN, name):
        raise InvalidInput(
            f"name: {name!r} must be 1-128 letters, digits, '.', '_' or '-', starting with a "
            "letter or digit",
            field="name",
        )
