"""Push record batches through a validated graph.

Sources are drained one after the other, in topological order; each batch is pushed along the
edges at once, depth first, so at any moment only the batches on their way through the graph
(plus what blocking nodes hold) are in memory. When every edge into a node has ended, the node
is closed and may emit what it held (shuffles, mixes, the tail of a split). Fan-out (one port
to several nodes) and fan-in (mix) follow from the edges; split's two outputs are two ports.

Every batch leaving a port is checked against the schema validation worked out for it, so a
node can never hand its neighbours columns they did not expect. Per node: rows in, rows out,
seconds spent in the node itself (not downstream), and rows skipped with reasons.

`soft` (previews): a node that fails is recorded with its error, the nodes it feeds are
skipped, and the other branches go on. Otherwise the first error stops everything."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial

import pyarrow as pa
from pydantic import BaseModel, Field

from lathe.errors import InvalidInput, LatheError
from lathe.jobs.context import JobStopped
from lathe.recipes.base import Emitted, Operator, RunContext, Source, Transform
from lathe.recipes.problems import Problem, node_problem
from lathe.recipes.validate import Analysis
from lathe.settings import Settings


def _next(batches: Iterator[pa.RecordBatch]) -> list[pa.RecordBatch]:
    """The next batch as a one-item list, or an empty list at the end."""
    batch = next(batches, None)
    return [] if batch is None else [batch]


def _as_problem(node_id: str, error: LatheError) -> Problem:
    """The node's problem an error describes: errors raised through RunContext.fail carry it
    in their details already; others get the node's name put in front."""
    details = error.details
    if isinstance(details, list) and len(details) == 1 and details[0].get("node_id") == node_id:
        return Problem.model_validate(details[0])
    return node_problem(node_id, error.message, type="failed")


class NodeStats(BaseModel):
    rows_in: int = Field(default=0, description="Rows that arrived on the node's inputs.")
    rows_out: int = Field(default=0, description="Rows it emitted (all output ports).")
    seconds: float = Field(default=0.0, description="Time spent in the node itself.")
    skipped: int = Field(default=0, description="Rows dropped because they could not be processed.")
    skip_reasons: dict[str, int] = Field(
        default_factory=dict, description="The first few distinct reasons, with counts."
    )


@dataclass
class _Target:
    node_id: str
    port: str
    origin: str


@dataclass
class Engine:
    analysis: Analysis
    settings: Settings
    nodes: list[str]
    preview: bool = False
    limit: int | None = None
    batch_rows: int = 1024
    should_stop: Callable[[], bool] = lambda: False
    on_batch: Callable[[int], None] | None = None
    keep_rows: int = 0
    soft: bool = False

    operators: dict[str, Operator] = field(default_factory=dict)
    stats: dict[str, NodeStats] = field(default_factory=dict)
    kept: dict[str, dict[str, list[pa.RecordBatch]]] = field(default_factory=dict)
    errors: dict[str, Problem] = field(default_factory=dict)
    dead: set[str] = field(default_factory=set)
    rows_read: int = 0

    def __post_init__(self) -> None:
        runnable = set(self.nodes)
        self._targets: dict[tuple[str, str], list[_Target]] = defaultdict(list)
        self._pending: dict[str, int] = defaultdict(int)
        for link in self.analysis.links:
            edge = link.edge
            if edge.source in runnable and edge.target in runnable:
                self._targets[(edge.source, edge.source_port)].append(
                    _Target(edge.target, edge.target_port, link.origin)
                )
                self._pending[edge.target] += 1
        for node_id in self.nodes:
            self.stats[node_id] = NodeStats()
            self.kept[node_id] = defaultdict(list)
            self._produce(node_id, partial(self._build, node_id))

    def _build(self, node_id: str) -> Emitted:
        analysis = self.analysis
        ctx = RunContext(
            settings=self.settings,
            node_id=node_id,
            inputs=analysis.inputs.get(node_id, {}),
            outputs=analysis.outputs.get(node_id, {}),
            resolved=analysis.resolved.get(node_id),
            batch_rows=self.batch_rows,
            preview=self.preview,
            should_stop=self.should_stop,
        )
        self.operators[node_id] = analysis.nodes[node_id].operator(ctx)
        return []

    # --- failures ---------------------------------------------------------------------------

    def _produce(self, node_id: str, work: Callable[[], Emitted]) -> Emitted:
        """Run `work` for `node_id`, timed, and check what it emits. An error names the node;
        in soft mode it marks the node (and everything below it) failed and gives nothing."""
        started = time.perf_counter()
        try:
            return [(port, self._conform(node_id, port, batch)) for port, batch in work()]
        except LatheError as error:
            self._failed(node_id, error)
        except pa.ArrowException as error:
            problem = node_problem(node_id, str(error), type="failed")
            self._failed(node_id, InvalidInput(problem.message, details=[problem.detail()]))
        finally:
            self.stats[node_id].seconds += time.perf_counter() - started
        return []

    def _failed(self, node_id: str, error: LatheError) -> None:
        if not self.soft:
            raise error
        self.errors[node_id] = _as_problem(node_id, error)
        self.dead |= self.analysis.downstream({node_id})

    def _conform(self, node_id: str, port: str, batch: pa.RecordBatch) -> pa.RecordBatch:
        """The batch with exactly the schema validation expects on this port."""
        expected = self.analysis.outputs.get(node_id, {}).get(port)
        if expected is None or batch.schema.equals(expected):
            return batch
        if batch.schema.names != expected.names:
            problem = node_problem(
                node_id,
                f"port {port} produced columns {batch.schema.names}, expected {expected.names}",
                type="failed",
            )
            raise InvalidInput(problem.message, details=[problem.detail()])
        return batch.cast(expected)

    # --- the flow ---------------------------------------------------------------------------

    def run(self) -> None:
        for node_id in self.nodes:
            operator = self.operators.get(node_id)
            if isinstance(operator, Source) and node_id not in self.dead:
                self._drain(node_id, operator)
                self._finish(node_id)

    def _drain(self, node_id: str, source: Source) -> None:
        batches = source.batches(self.limit)
        while node_id not in self.dead:
            emitted = self._produce(node_id, lambda: [("out", batch) for batch in _next(batches)])
            if not emitted:
                return
            self.rows_read += emitted[0][1].num_rows
            self._emit(node_id, emitted)
            if self.on_batch is not None:
                self.on_batch(self.rows_read)
            if self.should_stop():
                raise JobStopped("stopped between batches")

    def _emit(self, node_id: str, emitted: Emitted) -> None:
        for port, batch in emitted:
            if not batch.num_rows:
                continue
            self.stats[node_id].rows_out += batch.num_rows
            kept = self.kept[node_id][port]
            if sum(part.num_rows for part in kept) < self.keep_rows:
                kept.append(batch)
            for target in self._targets[(node_id, port)]:
                self._push(target, batch)

    def _push(self, target: _Target, batch: pa.RecordBatch) -> None:
        if target.node_id in self.dead:
            return
        operator = self._transform(target.node_id)
        self.stats[target.node_id].rows_in += batch.num_rows
        out = self._produce(
            target.node_id, lambda: operator.push(target.port, target.origin, batch)
        )
        self._note_skips(target.node_id, operator)
        self._emit(target.node_id, out)

    def _finish(self, node_id: str) -> None:
        """Count the ends of `node_id`'s edges; a node whose inputs have all ended closes."""
        for (source, _port), targets in list(self._targets.items()):
            if source != node_id:
                continue
            for target in targets:
                self._pending[target.node_id] -= 1
                if self._pending[target.node_id] == 0:
                    self._close(target.node_id)

    def _close(self, node_id: str) -> None:
        if node_id not in self.dead:
            operator = self._transform(node_id)
            out = self._produce(node_id, operator.close)
            self._note_skips(node_id, operator)
            self._emit(node_id, out)
        self._finish(node_id)

    def _transform(self, node_id: str) -> Transform:
        operator = self.operators[node_id]
        if not isinstance(operator, Transform):
            raise TypeError(f"node {node_id} has inputs but its operator is a source")
        return operator

    def _note_skips(self, node_id: str, operator: Transform) -> None:
        if operator.skips is not None:
            stats = self.stats[node_id]
            stats.skipped = operator.skips.count
            stats.skip_reasons = dict(operator.skips.reasons)

    def discard(self) -> None:
        """Release every operator's files (staging Parquet) after a failure or a stop."""
        for operator in self.operators.values():
            operator.discard()
