"""Run a recipe: validate it, stream every source through the graph, stage each output as a
Parquet file with its stats, and record all outputs as new dataset versions in one transaction,
so a recipe with several outputs (a train/eval split) is all-or-nothing. A failure or a stop request
removes every staging file: nothing half-written is left under LATHE_HOME."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pyarrow as pa
from pydantic import BaseModel, Field

from lathe.datasets import records
from lathe.datasets.importer import StatsOptions, measure
from lathe.datasets.records import NewVersion
from lathe.datasets.storage import read_batches
from lathe.jobs.context import JobStopped
from lathe.recipes.engine import Engine, NodeStats
from lathe.recipes.graph import RecipeGraph
from lathe.recipes.nodes.output import Output, OutputNode
from lathe.recipes.problems import problems_error
from lathe.recipes.validate import analyse
from lathe.settings import Settings

# on_progress(rows read from the sources so far, {node id: {rows_in, rows_out}})
ProgressCallback = Callable[[int, dict[str, dict[str, int]]], None]
# Cheap to call (a dict of counts); the job context throttles its own database writes.
PROGRESS_EVERY_BATCHES = 4


class OutputResult(BaseModel):
    node_id: str
    dataset_id: int
    dataset: str
    version: int
    rows: int


class RunResult(BaseModel):
    outputs: list[OutputResult] = Field(description="The dataset version each output wrote.")
    nodes: dict[str, NodeStats] = Field(description="Rows and time per node.")
    rows_read: int = Field(description="Rows read from the sources.")
    seconds: float


def _until_stopped(
    batches: Iterator[pa.RecordBatch], should_stop: Callable[[], bool] | None
) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        if should_stop is not None and should_stop():
            raise JobStopped("stop requested while computing stats")
        yield batch


def node_counts(stats: Mapping[str, NodeStats]) -> dict[str, dict[str, int]]:
    return {
        node_id: {"rows_in": item.rows_in, "rows_out": item.rows_out}
        for node_id, item in stats.items()
    }


def run_recipe(
    settings: Settings,
    graph: Mapping[str, Any] | RecipeGraph,
    *,
    on_progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
    job_id: int | None = None,
    recipe_version_id: int | None = None,
    batch_rows: int = 8192,
) -> RunResult:
    """Run the recipe to the end and record its outputs. InvalidInput listing every problem
    when the graph is invalid; JobStopped (lathe.jobs.context) when should_stop() turned true,
    after removing the staged files."""
    started = time.perf_counter()
    analysis = analyse(graph, settings)
    if analysis.problems:
        raise problems_error(analysis.problems)
    batches = 0
    engine: Engine

    def report(rows: int) -> None:
        nonlocal batches
        batches += 1
        if on_progress is not None and batches % PROGRESS_EVERY_BATCHES == 0:
            on_progress(rows, node_counts(engine.stats))

    engine = Engine(
        analysis,
        settings,
        analysis.order,
        batch_rows=batch_rows,
        should_stop=should_stop or (lambda: False),
        on_batch=report,
    )
    try:
        engine.run()
        outputs = [
            (node, operator)
            for node_id, operator in engine.operators.items()
            if isinstance(operator, Output)
            and isinstance(node := analysis.nodes[node_id], OutputNode)
        ]
        source = "recipe" if recipe_version_id is None else f"recipe {recipe_version_id}"
        writes = []
        for node, operator in outputs:
            staged = operator.finish()
            stored = _until_stopped(read_batches(staged.path), should_stop)
            stats = measure(settings, stored, StatsOptions(), staged.schema)
            version = NewVersion(
                source=source,
                stats=stats.model_dump(mode="json"),
                job_id=job_id,
                recipe_version_id=recipe_version_id,
                description=node.params.description,
            )
            writes.append((node.params.dataset, staged, version))
        versions = records.add_versions(settings, writes)
    finally:
        engine.discard()  # a no-op for files add_versions moved into place
    if on_progress is not None:
        on_progress(engine.rows_read, node_counts(engine.stats))
    return RunResult(
        outputs=[
            OutputResult(
                node_id=node.id,
                dataset_id=version.dataset_id,
                dataset=node.params.dataset,
                version=version.version,
                rows=version.row_count,
            )
            for (node, _), version in zip(outputs, versions, strict=True)
        ],
        nodes=engine.stats,
        rows_read=engine.rows_read,
        seconds=time.perf_counter() - started,
    )
