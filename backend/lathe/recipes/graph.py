"""The recipe graph document and its parsing.

    {schema_version: 1, name?, description?,
     nodes: [{id, type, params, position: {x, y} | null, label?}],
     edges: [{source, source_port, target, target_port}]}

`parse_parts` reads as much of a document as it can and lists every problem (bad shape,
invalid or duplicate ids, unknown types, invalid params, malformed edges), each with its node
id, so validation can go on to check the rest of the graph; `parse_graph` raises them as one
InvalidInput, or returns the typed graph."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lathe.recipes.base import NODE_ID_PATTERN, NodeBase
from lathe.recipes.problems import Problem, problems_error
from lathe.recipes.registry import NODE_ADAPTER, NODE_TYPES, Node

SCHEMA_VERSION = 1
_TOP_KEYS = ("schema_version", "name", "description", "nodes", "edges")


class Edge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(pattern=NODE_ID_PATTERN, description="Id of the node the rows come from.")
    source_port: str = Field(default="out", description="Its output port.")
    target: str = Field(pattern=NODE_ID_PATTERN, description="Id of the node the rows go to.")
    target_port: str = Field(default="in", description="Its input port.")


class RecipeGraph(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = Field(default=1, description="Version of this document format.")
    name: str | None = Field(default=None, description="Optional name (recipe YAML files).")
    description: str | None = Field(default=None, description="Optional description.")
    nodes: list[Node] = Field(description="The nodes; ids are unique.")
    edges: list[Edge] = Field(default_factory=list, description="Port-to-port connections.")


def origin_of(edge: Edge, source_type: type[NodeBase]) -> str:
    """How a downstream node names an input: the source id, or `id.port` for a node with
    several outputs (mix weights use these keys)."""
    if len(source_type.outputs) == 1:
        return edge.source
    return f"{edge.source}.{edge.source_port}"


@dataclass
class Parsed:
    """What could be read of a graph document."""

    nodes: dict[str, NodeBase] = field(default_factory=dict)
    # The type of every node with a usable id and a known type, params valid or not.
    types: dict[str, type[NodeBase]] = field(default_factory=dict)
    ids: set[str] = field(default_factory=set)
    edges: list[tuple[int, Edge]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    name: str | None = None
    description: str | None = None


def _loc(loc: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in loc)


def _message(error: Mapping[str, Any]) -> str:
    text = str(error.get("msg", "invalid value"))
    return text.removeprefix("Value error, ")


def _graph_problem(field_name: str, message: str, type: str = "invalid_graph") -> Problem:
    return Problem(node_id=None, field=field_name, message=f"{field_name}: {message}", type=type)


def _node_errors(node_id: str, error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = list(item["loc"][1:])  # the first part is the `type` tag
        where = _loc(loc) or "node"
        problems.append(
            Problem(
                node_id=node_id,
                field=f"nodes.{node_id}" + (f".{_loc(loc)}" if loc else ""),
                message=f"node {node_id}: {where}: {_message(item)}",
                type="invalid_params" if loc and loc[0] == "params" else "invalid_graph",
            )
        )
    return problems


def _parse_node(index: int, raw: Any, parsed: Parsed) -> None:
    if not isinstance(raw, Mapping):
        parsed.problems.append(_graph_problem(f"nodes.{index}", "a node must be an object"))
        return
    node_id = raw.get("id")
    if not isinstance(node_id, str) or not re.fullmatch(NODE_ID_PATTERN, node_id):
        parsed.problems.append(
            _graph_problem(
                f"nodes.{index}.id",
                f"{node_id!r} is not a valid node id (1-64 letters, digits, _ or -)",
            )
        )
        return
    if node_id in parsed.ids:
        parsed.problems.append(
            Problem(
                node_id=node_id,
                field=f"nodes.{node_id}",
                message=f"node {node_id}: the id is used by more than one node",
                type="duplicate_id",
            )
        )
        return
    parsed.ids.add(node_id)
    node_type = raw.get("type")
    cls = NODE_TYPES.get(node_type) if isinstance(node_type, str) else None
    if cls is None:
        parsed.problems.append(
            Problem(
                node_id=node_id,
                field=f"nodes.{node_id}.type",
                message=f"node {node_id}: unknown node type {node_type!r}; known types: "
                f"{', '.join(NODE_TYPES)}",
                type="unknown_node_type",
            )
        )
        return
    parsed.types[node_id] = cls
    data = {"params": {}, **raw}
    if data["params"] is None:
        data["params"] = {}
    try:
        parsed.nodes[node_id] = NODE_ADAPTER.validate_python(data)
    except ValidationError as error:
        parsed.problems.extend(_node_errors(node_id, error))


def _parse_edge(index: int, raw: Any, parsed: Parsed) -> None:
    try:
        parsed.edges.append((index, Edge.model_validate(raw)))
    except ValidationError as error:
        for item in error.errors():
            where = f"edges.{index}" + (f".{_loc(item['loc'])}" if item["loc"] else "")
            parsed.problems.append(_graph_problem(where, _message(item)))


def parse_parts(data: Any) -> Parsed:
    parsed = Parsed()
    if isinstance(data, RecipeGraph):
        data = data.model_dump(mode="json")
    if not isinstance(data, Mapping):
        parsed.problems.append(_graph_problem("graph", "a recipe graph must be an object"))
        return parsed
    for key in data:
        if key not in _TOP_KEYS:
            parsed.problems.append(
                _graph_problem(str(key), f"unknown field; expected {', '.join(_TOP_KEYS)}")
            )
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        parsed.problems.append(
            _graph_problem("schema_version", f"expected {SCHEMA_VERSION}, got {version!r}")
        )
    for key in ("name", "description"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            parsed.problems.append(_graph_problem(key, "must be a string"))
    parsed.name, parsed.description = data.get("name"), data.get("description")
    nodes, edges = data.get("nodes"), data.get("edges", [])
    if not isinstance(nodes, list):
        parsed.problems.append(_graph_problem("nodes", "a list of nodes is required"))
        nodes = []
    if not isinstance(edges, list):
        parsed.problems.append(_graph_problem("edges", "must be a list of edges"))
        edges = []
    for index, raw in enumerate(nodes):
        _parse_node(index, raw, parsed)
    for index, raw in enumerate(edges):
        _parse_edge(index, raw, parsed)
    return parsed


def parse_graph(data: Mapping[str, Any] | RecipeGraph) -> RecipeGraph:
    """The typed graph; one InvalidInput listing every parse problem (with node ids) when the
    document is malformed. Checks of the graph as a whole (edges, cycles, columns) are
    validate_graph's."""
    if isinstance(data, RecipeGraph):
        return data
    parsed = parse_parts(data)
    if parsed.problems:
        raise problems_error(parsed.problems, "recipe graph")
    return RecipeGraph(
        name=parsed.name,
        description=parsed.description,
        nodes=cast(list[Node], list(parsed.nodes.values())),
        edges=[edge for _, edge in parsed.edges],
    )
