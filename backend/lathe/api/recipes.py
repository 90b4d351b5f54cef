"""Recipes: node types, validate and preview any graph, CRUD with versions, YAML import/export,
and runs (→ a `recipe.run` job)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from lathe.api.deps import SettingsDep
from lathe.api.errors import ERROR_RESPONSES
from lathe.db.tables import RecipeRow, RecipeVersionRow
from lathe.recipes import records, service
from lathe.recipes.graph import RecipeGraph
from lathe.recipes.preview import PreviewResult, known_columns, preview_recipe
from lathe.recipes.registry import NodeTypeInfo, node_types_catalog
from lathe.recipes.templates import RecipeTemplate, list_templates
from lathe.recipes.validate import analyse
from lathe.schemas.common import DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT
from lathe.schemas.jobs import JobOut
from lathe.schemas.recipes import (
    GraphRequest,
    PreviewRequest,
    RecipeCreate,
    RecipeDetail,
    RecipeImport,
    RecipeOut,
    RecipePage,
    RecipeUpdate,
    RecipeVersionOut,
    RecipeVersionSummary,
    RecipeYaml,
    RunRequest,
    ValidateResult,
)
from lathe.settings import Settings

router = APIRouter(prefix="/api/recipes", tags=["recipes"], responses=ERROR_RESPONSES)

VersionPath = Annotated[int, Path(description="Version number; 0 = the newest.", ge=0)]


def _recipe_out(recipe: RecipeRow, latest: RecipeVersionRow) -> RecipeOut:
    return RecipeOut(
        id=recipe.id,
        name=recipe.name,
        description=recipe.description,
        created_at=recipe.created_at,
        updated_at=recipe.updated_at,
        latest_version=latest.version,
        node_count=len(latest.graph.get("nodes", [])),
    )


def _version_out(settings: Settings, row: RecipeVersionRow) -> RecipeVersionOut:
    return RecipeVersionOut(
        id=row.id,
        recipe_id=row.recipe_id,
        version=row.version,
        created_at=row.created_at,
        graph=RecipeGraph.model_validate(row.graph),
        problems=service.problems_of(settings, row),
    )


def _detail(settings: Settings, recipe: RecipeRow) -> RecipeDetail:
    versions = records.versions(settings, recipe.id)
    latest = versions[-1]
    return RecipeDetail(
        **_recipe_out(recipe, latest).model_dump(),
        latest=_version_out(settings, latest),
        versions=[RecipeVersionSummary.model_validate(v) for v in versions],
    )


@router.get("/node-types")
def list_node_types() -> list[NodeTypeInfo]:
    """Every node type: group, ports, and its params as JSON schema (for the editor's forms)."""
    return node_types_catalog()


@router.get("/templates")
def list_recipe_templates() -> list[RecipeTemplate]:
    """Starter recipes: clean and split a chat dataset, Alpaca to chat, teach a persona from
    the built-in sample, generate and judge Q&A pairs with a local model."""
    return list_templates()


@router.post("/validate")
def validate_recipe(settings: SettingsDep, body: GraphRequest) -> ValidateResult:
    """Check any graph (even a broken one): every problem with its node id, and the columns
    leaving each node that checks out (worked out from the schemas; no rows are read)."""
    analysis = analyse(body.graph, settings)
    return ValidateResult(
        valid=not analysis.problems,
        problems=analysis.problems,
        columns=known_columns(analysis),
    )


@router.post("/preview")
def preview_recipe_rows(settings: SettingsDep, body: PreviewRequest) -> PreviewResult:
    """Run the graph on the first `limit` rows of each source: rows, columns, counts and time
    at every node; nodes with problems show them and their downstream nodes are skipped."""
    return preview_recipe(settings, body.graph, limit=body.limit, training_view=body.training_view)


@router.get("")
def list_recipes(
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = DEFAULT_PAGE_LIMIT,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> RecipePage:
    listing = service.list_recipes(settings, limit=limit, cursor=cursor)
    items = [_recipe_out(row, listing.latest[row.id]) for row in listing.recipes]
    return RecipePage(items=items, next_cursor=listing.next_cursor)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_recipe(settings: SettingsDep, body: RecipeCreate) -> RecipeDetail:
    """Save a new recipe as version 1 (a graph with problems is saved; runs refuse it)."""
    recipe, _ = service.create(settings, body.name, body.description, body.graph)
    return _detail(settings, recipe)


@router.post("/import", status_code=status.HTTP_201_CREATED)
def import_recipe(settings: SettingsDep, body: RecipeImport) -> RecipeDetail:
    """Create a recipe from a YAML document (the same schema as the graph)."""
    recipe, _ = service.import_yaml(settings, body.yaml, body.name)
    return _detail(settings, recipe)


@router.get("/{recipe_id}")
def get_recipe(settings: SettingsDep, recipe_id: int) -> RecipeDetail:
    return _detail(settings, records.get(settings, recipe_id))


@router.put("/{recipe_id}")
def save_recipe(settings: SettingsDep, recipe_id: int, body: RecipeUpdate) -> RecipeDetail:
    """Save the graph as a new version."""
    recipe, _ = service.save(
        settings, recipe_id, body.graph, name=body.name, description=body.description
    )
    return _detail(settings, recipe)


@router.get("/{recipe_id}/versions/{version}")
def get_recipe_version(
    settings: SettingsDep, recipe_id: int, version: VersionPath
) -> RecipeVersionOut:
    return _version_out(settings, records.get_version(settings, recipe_id, version))


@router.get("/{recipe_id}/versions/{version}/yaml")
def export_recipe_yaml(settings: SettingsDep, recipe_id: int, version: VersionPath) -> RecipeYaml:
    name, number, text = service.export_yaml(settings, recipe_id, version)
    return RecipeYaml(name=name, version=number, yaml=text)


@router.post("/{recipe_id}/runs", status_code=status.HTTP_202_ACCEPTED)
def run_recipe(settings: SettingsDep, recipe_id: int, body: RunRequest) -> JobOut:
    """Queue a `recipe.run` job for a saved version (422 listing every problem when it cannot
    run); its result lists the dataset version each output wrote."""
    return JobOut.model_validate(service.queue_run(settings, recipe_id, body.version))


@router.delete("/{recipe_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_recipe(settings: SettingsDep, recipe_id: int) -> Response:
    """Delete the recipe and its versions (the datasets it wrote stay)."""
    records.delete(settings, recipe_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
