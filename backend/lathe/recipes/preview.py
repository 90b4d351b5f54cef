"""Preview a recipe on the first rows of every source, writing nothing.

Every node reports its rows in and out, time, columns and first rows per output port, and its
problems. A node with problems shows them and the nodes it feeds are skipped; the other
branches still run, so one broken node does not blank the whole editor. Generate and judge
nodes really run their model on the preview rows (the only slow part of a preview).

With a training view request, the rows of a messages column at the chosen node are rendered
with the chosen model's chat template exactly as training will see them, split into segments
that do and do not carry loss (lathe.training.tokens.training_view)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa
from pydantic import BaseModel, Field

from lathe.datasets.columns import column_type, describe_schema
from lathe.errors import InvalidInput, LatheError
from lathe.recipes.arrow import json_rows
from lathe.recipes.engine import Engine, NodeStats
from lathe.recipes.graph import RecipeGraph
from lathe.recipes.nodes.output import WRITTEN, OutputNode
from lathe.recipes.problems import Problem
from lathe.recipes.registry import type_name
from lathe.recipes.validate import Analysis, analyse
from lathe.settings import Settings
from lathe.training.tokens import TrainingView, load_tokenizer, training_view

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000


class ColumnInfo(BaseModel):
    name: str
    type: str


class PortPreview(BaseModel):
    columns: list[ColumnInfo]
    rows: list[dict[str, Any]] = Field(description="The first rows, JSON-safe.")


class NodePreview(BaseModel):
    node_id: str
    type: str | None
    status: Literal["ok", "error", "skipped"] = Field(
        description="ok: ran; error: has problems (listed); skipped: an upstream node has problems."
    )
    problems: list[Problem] = Field(default_factory=list)
    skipped_because: str | None = Field(default=None, description="Why the node did not run.")
    stats: NodeStats = Field(default_factory=NodeStats)
    outputs: dict[str, PortPreview] = Field(
        default_factory=dict,
        description="Per output port (an output node: `dataset`, the rows it would write).",
    )


class TrainingViewRequest(BaseModel):
    node_id: str = Field(description="A node whose output has a messages column.")
    model: str = Field(description="The registered model whose chat template renders it.")
    max_length: int | None = Field(default=None, ge=1, description="Cut at this many tokens.")


class TrainingViewRow(BaseModel):
    row: int = Field(description="0-based preview row.")
    view: TrainingView | None = None
    error: str | None = None


class TrainingViewResult(BaseModel):
    node_id: str
    model: str
    column: str | None
    rows: list[TrainingViewRow] = Field(default_factory=list)
    error: str | None = Field(default=None, description="Why there are no rows, if so.")


class PreviewResult(BaseModel):
    nodes: list[NodePreview] = Field(description="Every node, in topological order.")
    problems: list[Problem] = Field(description="Every problem of the graph, as validation.")
    training_view: TrainingViewResult | None = None
    seconds: float


def _ports(analysis: Analysis, node_id: str) -> dict[str, pa.Schema]:
    node = analysis.nodes[node_id]
    if isinstance(node, OutputNode):
        return {WRITTEN: analysis.resolved[node_id]} if node_id in analysis.resolved else {}
    return analysis.outputs.get(node_id, {})


def known_columns(analysis: Analysis) -> dict[str, dict[str, list[ColumnInfo]]]:
    """The columns leaving every node whose schema validation could work out (an output
    node: `dataset`, the columns it writes), without reading a row."""
    columns: dict[str, dict[str, list[ColumnInfo]]] = {}
    for node_id in analysis.order:
        if node_id not in analysis.nodes:
            continue
        ports = {
            port: [ColumnInfo(**column) for column in describe_schema(schema)]
            for port, schema in _ports(analysis, node_id).items()
        }
        if ports:
            columns[node_id] = ports
    return columns


def _node_preview(
    analysis: Analysis, engine: Engine, node_id: str, ran: bool, limit: int
) -> NodePreview:
    node = analysis.nodes.get(node_id)
    cls = analysis.parsed.types.get(node_id)
    preview = NodePreview(
        node_id=node_id,
        type=None if cls is None else type_name(cls),
        status="ok",
        problems=[problem for problem in analysis.problems if problem.node_id == node_id],
    )
    error = engine.errors.get(node_id)
    if error is not None:
        preview.problems.append(error)
    if preview.problems:
        preview.status = "error"
    if not ran or node_id in engine.dead:
        if preview.status == "ok":
            preview.status = "skipped"
            preview.skipped_because = "an upstream node has problems"
        return preview
    preview.stats = engine.stats[node_id]
    if node is not None and error is None:
        for port, schema in _ports(analysis, node_id).items():
            batches = engine.kept[node_id].get(port, [])
            table = pa.Table.from_batches(batches, schema=schema)
            columns = [ColumnInfo(**column) for column in describe_schema(schema)]
            preview.outputs[port] = PortPreview(columns=columns, rows=json_rows(table, limit))
    return preview


def _messages_column(schema: pa.Schema) -> str | None:
    names = [field.name for field in schema if column_type(field.type) == "messages"]
    return "messages" if "messages" in names else (names[0] if names else None)


@dataclass
class _ViewPlan:
    request: TrainingViewRequest
    tokenizer: PreTrainedTokenizerBase
    # (port, column) of the node's conversations; None when the node has problems.
    place: tuple[str, str] | None


def _plan_view(settings: Settings, analysis: Analysis, request: TrainingViewRequest) -> _ViewPlan:
    """Check the request before anything runs: the node exists and has a messages column (when
    it validated), and the model's tokenizer loads."""
    node_id = request.node_id
    if node_id not in analysis.parsed.ids:
        raise InvalidInput(
            f"training_view: no node {node_id!r} in the graph", field="training_view.node_id"
        )
    place = None
    if node_id in analysis.outputs:
        found = [
            (port, column)
            for port, schema in _ports(analysis, node_id).items()
            if (column := _messages_column(schema)) is not None
        ]
        if not found:
            raise InvalidInput(
                f"training_view: node {node_id} has no messages column; choose a node after "
                "to_messages (or one that reads a messages dataset)",
                field="training_view.node_id",
            )
        place = found[0]
    return _ViewPlan(request, load_tokenizer(settings, request.model), place)


def _training_view(plan: _ViewPlan, engine: Engine, limit: int) -> TrainingViewResult:
    request = plan.request
    result = TrainingViewResult(node_id=request.node_id, model=request.model, column=None)
    if plan.place is None or request.node_id in engine.dead:
        result.error = f"node {request.node_id} did not run (see its problems)"
        return result
    port, result.column = plan.place
    kept = engine.kept[request.node_id].get(port, [])
    values = [value for batch in kept for value in batch.column(result.column).to_pylist()]
    for index, messages in enumerate(values[:limit]):
        row = TrainingViewRow(row=index)
        try:
            if messages:
                row.view = training_view(plan.tokenizer, messages, request.max_length)
            else:
                row.error = "no conversation in this row"
        except LatheError as error:
            row.error = error.message
        result.rows.append(row)
    return result


def preview_recipe(
    settings: Settings,
    graph: Mapping[str, Any] | RecipeGraph,
    *,
    limit: int = DEFAULT_LIMIT,
    training_view: TrainingViewRequest | Mapping[str, Any] | None = None,
) -> PreviewResult:
    """Run the graph on the first `limit` rows of each source and show every node."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit: must be between 1 and {MAX_LIMIT}", field="limit")
    request = None if training_view is None else TrainingViewRequest.model_validate(training_view)
    started = time.perf_counter()
    analysis = analyse(graph, settings)
    plan = None if request is None else _plan_view(settings, analysis, request)
    unknown = analysis.parsed.ids - set(analysis.outputs)
    blocked = analysis.downstream(unknown)
    runnable = [node_id for node_id in analysis.order if node_id not in blocked]
    engine = Engine(
        analysis,
        settings,
        runnable,
        preview=True,
        limit=limit,
        batch_rows=limit,
        keep_rows=limit,
        soft=True,
    )
    try:
        engine.run()
    finally:
        engine.discard()
    ran = set(runnable)
    nodes = [
        _node_preview(analysis, engine, node_id, node_id in ran, limit)
        for node_id in analysis.order
    ]
    view = None if plan is None else _training_view(plan, engine, limit)
    return PreviewResult(
        nodes=nodes,
        problems=analysis.problems,
        training_view=view,
        seconds=time.perf_counter() - started,
    )
