"""Recipe API schemas. The graph is lathe.recipes.graph.RecipeGraph, the same document the YAML
files hold; request graphs go through parse_graph, so a bad one is refused with every problem
and the node it belongs to."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from lathe.recipes.graph import RecipeGraph, parse_graph
from lathe.recipes.preview import ColumnInfo, TrainingViewRequest
from lathe.recipes.problems import Problem

RECIPE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"


class _TypedGraph(BaseModel):
    """Parses `graph` with parse_graph: InvalidInput lists every node's problem at once."""

    @field_validator("graph", mode="wrap", check_fields=False)
    @classmethod
    def _parse(cls, value: Any, handler: Callable[[Any], RecipeGraph]) -> RecipeGraph:
        if isinstance(value, Mapping):
            return parse_graph(value)
        return handler(value)


class RecipeCreate(_TypedGraph):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=RECIPE_NAME_PATTERN, description="Unique name.")
    description: str = Field(default="", max_length=2000)
    graph: RecipeGraph


class RecipeUpdate(_TypedGraph):
    """Saves a new version (and renames or re-describes the recipe when given)."""

    model_config = ConfigDict(extra="forbid")

    graph: RecipeGraph
    name: str | None = Field(default=None, pattern=RECIPE_NAME_PATTERN)
    description: str | None = Field(default=None, max_length=2000)


class RecipeVersionSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    created_at: datetime


class RecipeVersionOut(RecipeVersionSummary):
    recipe_id: int
    graph: RecipeGraph
    problems: list[Problem] = Field(description="What stops this version from running.")


class RecipeOut(BaseModel):
    id: int
    name: str
    description: str
    created_at: datetime
    updated_at: datetime
    latest_version: int
    node_count: int


class RecipeDetail(RecipeOut):
    latest: RecipeVersionOut
    versions: list[RecipeVersionSummary] = Field(description="Every version, oldest first.")


class RecipePage(BaseModel):
    items: list[RecipeOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class GraphRequest(BaseModel):
    """A graph as the editor holds it, possibly broken: it is checked, not refused."""

    model_config = ConfigDict(extra="forbid")

    graph: dict[str, Any] = Field(description="A recipe graph document (see RecipeGraph).")


class ValidateResult(BaseModel):
    valid: bool
    problems: list[Problem] = Field(description="Every problem, each with its node id.")
    columns: dict[str, dict[str, list[ColumnInfo]]] = Field(
        default_factory=dict,
        description="Per node id and output port, the columns that leave it, for every node "
        "whose input columns are known and whose params check out (no rows are read).",
    )


class PreviewRequest(GraphRequest):
    limit: int = Field(default=20, ge=1, le=200, description="Rows read from each source.")
    training_view: TrainingViewRequest | None = Field(
        default=None,
        description="Render a messages node's rows with a model's chat template and mark the "
        "tokens that carry loss.",
    )


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(default=0, ge=0, description="Version to run; 0 = the newest.")


class RecipeImport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    yaml: str = Field(min_length=1, max_length=1_000_000, description="A recipe YAML document.")
    name: str | None = Field(
        default=None,
        pattern=RECIPE_NAME_PATTERN,
        description="Recipe name; default: the document's `name`.",
    )


class RecipeYaml(BaseModel):
    name: str
    version: int
    yaml: str
