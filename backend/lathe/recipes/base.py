"""What every node type is made of.

A node type is a pydantic model (`NodeBase` subclass) with a literal `type`, a `params` model,
and class-level metadata: its group, title, description, input and output ports. Two methods
give it behaviour:

- `output_schemas(inputs, check)`: from the Arrow schemas arriving on its input ports, the
  schemas leaving its output ports, reporting parameter and column problems on `check`.
  `inputs` is None when an upstream schema is unknown (a broken upstream node, or a dataset
  that validation could not look up); the node then checks what it can without columns.
- `operator(ctx)`: the object that processes record batches at run and preview time
  (a `Source`, which yields batches, or a `Transform`, which is pushed batches).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from lathe.datasets.columns import ColumnType, column_type
from lathe.errors import InvalidInput, LatheError
from lathe.recipes.problems import Problem, node_problem
from lathe.settings import Settings

Group = Literal["source", "transform", "generate", "output"]
NODE_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
# Column kinds a port carries; "any" is a table with any columns.
PortKind = ColumnType | Literal["any"]
Emitted = list[tuple[str, pa.RecordBatch]]


@dataclass(frozen=True)
class Port:
    name: str
    kinds: tuple[PortKind, ...] = ("any",)
    multiple: bool = False
    required: bool = True
    description: str = ""

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kinds": list(self.kinds),
            "multiple": self.multiple,
            "required": self.required,
            "description": self.description,
        }


IN = Port("in", description="Rows to process.")
OUT = Port("out", description="The processed rows.")


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Position(BaseModel):
    model_config = ConfigDict(extra="forbid")

    x: float = Field(description="Horizontal position in the editor.")
    y: float = Field(description="Vertical position in the editor.")


@dataclass(frozen=True)
class Upstream:
    """One edge arriving at an input port: who sends it (`node` or `node.port` for nodes with
    several outputs) and the schema of its rows."""

    origin: str
    schema: pa.Schema


Inputs = Mapping[str, Sequence[Upstream]]
Outputs = dict[str, pa.Schema]


class Check:
    """Collects the problems of one node while its schemas are worked out; also carries what
    the check resolved (a dataset version's file, ...) for the operator to use."""

    def __init__(self, node_id: str, settings: Settings | None) -> None:
        self.node_id = node_id
        self.settings = settings
        self.problems: list[Problem] = []
        self.resolved: Any = None

    def problem(
        self,
        text: str,
        *,
        param: str | None = None,
        type: str = "invalid_params",
        offset: int | None = None,
        line: int | None = None,
    ) -> None:
        self.problems.append(
            node_problem(self.node_id, text, param=param, type=type, offset=offset, line=line)
        )

    def column(
        self,
        schema: pa.Schema,
        name: str,
        param: str,
        kinds: Sequence[ColumnType] = (),
    ) -> pa.Field | None:
        """The field `name` of `schema`, or None after reporting it missing or of the wrong
        kind (one of `kinds`; any kind when empty)."""
        if name not in schema.names:
            self.problem(
                f"column {name!r} is not in the input (columns: {', '.join(schema.names)})",
                param=param,
                type="missing_column",
            )
            return None
        found = schema.field(name)
        kind = column_type(found.type)
        if kinds and kind not in kinds:
            self.problem(
                f"column {name!r} is {kind}, expected {' or '.join(kinds)}",
                param=param,
                type="type_mismatch",
            )
            return None
        return found

    def columns(
        self, schema: pa.Schema, names: Sequence[str], param: str, kinds: Sequence[ColumnType] = ()
    ) -> bool:
        """True when every column of `names` is present (and of `kinds`)."""
        found = [self.column(schema, name, param, kinds) for name in names]
        return all(item is not None for item in found)


@dataclass(frozen=True)
class RunContext:
    """What an operator gets: its node's schemas as validation worked them out, whatever the
    check resolved, and the run's settings."""

    settings: Settings
    node_id: str
    inputs: Inputs
    outputs: Outputs
    resolved: Any
    batch_rows: int
    preview: bool
    should_stop: Callable[[], bool] = field(default=lambda: False)

    def input_schema(self, port: str = "in") -> pa.Schema:
        return self.inputs[port][0].schema

    def output_schema(self, port: str = "out") -> pa.Schema:
        return self.outputs[port]

    def fail(self, text: str, *, param: str | None = None) -> LatheError:
        """An error of this node at run time, naming it (and the parameter)."""
        problem = node_problem(self.node_id, text, param=param, type="failed")
        return InvalidInput(problem.message, details=[problem.detail()])


class Releases:
    def discard(self) -> None:
        """Release what the operator holds (files) after a failure or a stop; by default it
        holds nothing that outlives it."""


class Source(Releases, ABC):
    """Produces the rows of a source node."""

    @abstractmethod
    def batches(self, limit: int | None) -> Iterator[pa.RecordBatch]:
        """Record batches on port `out`; at most `limit` rows in all when it is set."""


@dataclass
class SkipLog:
    """Rows a node dropped because they could not be processed (not rows a filter removed on
    purpose), with the first few distinct reasons."""

    MAX_REASONS: ClassVar[int] = 10

    count: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def add(self, reason: str, count: int = 1) -> None:
        if count <= 0:
            return
        self.count += count
        if reason in self.reasons or len(self.reasons) < self.MAX_REASONS:
            self.reasons[reason] = self.reasons.get(reason, 0) + count


class Transform(Releases, ABC):
    """Is pushed batches on its input ports and answers with batches on its output ports."""

    skips: SkipLog | None = None

    @abstractmethod
    def push(self, port: str, origin: str, batch: pa.RecordBatch) -> Emitted:
        """Process one batch arriving on `port` from `origin`."""

    def close(self) -> Emitted:
        """Every input has ended: emit what is still held (blocking nodes emit it all here)."""
        return []


Operator = Source | Transform


class MapBatches(Transform):
    """A one-in, one-out streaming transform from a function of one batch."""

    def __init__(self, fn: Callable[[pa.RecordBatch], pa.RecordBatch | None]) -> None:
        self._fn = fn

    def push(self, port: str, origin: str, batch: pa.RecordBatch) -> Emitted:
        result = self._fn(batch)
        return [] if result is None else [("out", result)]


class NodeBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=NODE_ID_PATTERN, description="Unique id of the node in the graph.")
    type: str
    params: Params
    position: Position | None = Field(default=None, description="Where the editor draws it.")
    label: str | None = Field(default=None, max_length=200, description="Display name.")

    group: ClassVar[Group] = "transform"
    title: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    inputs: ClassVar[tuple[Port, ...]] = (IN,)
    outputs: ClassVar[tuple[Port, ...]] = (OUT,)

    @abstractmethod
    def output_schemas(self, inputs: Inputs | None, check: Check) -> Outputs | None:
        """The schemas of the output ports (None when unknown), reporting problems on check."""

    @abstractmethod
    def operator(self, ctx: RunContext) -> Operator:
        """The operator that runs this node."""

    @classmethod
    def input_port(cls, name: str) -> Port | None:
        return next((port for port in cls.inputs if port.name == name), None)

    @classmethod
    def output_port(cls, name: str) -> Port | None:
        return next((port for port in cls.outputs if port.name == name), None)


def single_input(inputs: Inputs | None, port: str = "in") -> pa.Schema | None:
    """The schema arriving on a one-edge port, or None when unknown."""
    if inputs is None or not inputs.get(port):
        return None
    return inputs[port][0].schema
