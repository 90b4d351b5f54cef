"""Validate a recipe graph as a whole and work out the columns at every point of it.

`analyse` lists every problem, each with its node id: parse problems (see graph.py), edges
to missing nodes or ports, cycles (naming the nodes on each), required inputs left
unconnected, single inputs with several edges, a graph without an output, two outputs writing
one dataset, and each node's own checks of its params against the columns that reach it
(template variables, filter names, columns to select, ...). Nodes are checked in topological
order so each sees its inputs' schemas; a node downstream of a broken one is checked without
columns (only what its params say on their own), so one mistake is not reported again at every
node below it.

With `settings`, dataset sources are looked up (their columns come from the stored version)
and models are checked to be registered; without, their columns are unknown."""

from __future__ import annotations

import graphlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from lathe.recipes.base import Check, Inputs, NodeBase, Port, Upstream
from lathe.recipes.graph import Edge, Parsed, RecipeGraph, origin_of, parse_parts
from lathe.recipes.nodes.output import OutputNode
from lathe.recipes.problems import Problem
from lathe.settings import Settings


@dataclass
class Link:
    """An edge whose ends both exist, with the name the target knows its source by."""

    index: int
    edge: Edge
    origin: str


@dataclass
class Analysis:
    parsed: Parsed
    links: list[Link] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    inputs: dict[str, Inputs] = field(default_factory=dict)
    outputs: dict[str, dict[str, pa.Schema]] = field(default_factory=dict)
    resolved: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def nodes(self) -> dict[str, NodeBase]:
        return self.parsed.nodes

    def faulty(self) -> set[str]:
        """Nodes with a problem of their own, or that could not be read."""
        named = {problem.node_id for problem in self.problems if problem.node_id is not None}
        return named | (self.parsed.ids - set(self.parsed.nodes))

    def downstream(self, roots: set[str]) -> set[str]:
        """`roots` and every node fed by them, directly or not."""
        targets: dict[str, list[str]] = defaultdict(list)
        for link in self.links:
            targets[link.edge.source].append(link.edge.target)
        seen = set(roots)
        stack = list(roots)
        while stack:
            for target in targets[stack.pop()]:
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return seen


def _edge_problem(index: int, where: str, node_id: str | None, message: str, type: str) -> Problem:
    return Problem(
        node_id=node_id,
        field=f"edges.{index}.{where}",
        message=f"edge {index}: {message}",
        type=type,
    )


def _port_problem(
    index: int, node_id: str, where: str, name: str, ports: tuple[Port, ...]
) -> Problem:
    kind = "output" if where == "source_port" else "input"
    names = ", ".join(port.name for port in ports) or "none"
    return _edge_problem(
        index,
        where,
        node_id,
        f"node {node_id} has no {kind} port {name!r} ({kind}s: {names})",
        "missing_port",
    )


def _edge_problems(index: int, edge: Edge, parsed: Parsed) -> list[Problem]:
    problems = []
    for end, node_id, other in (
        ("source", edge.source, edge.target),
        ("target", edge.target, edge.source),
    ):
        if node_id not in parsed.ids:
            owner = other if other in parsed.ids else None
            message = f"{end} node {node_id!r} does not exist"
            problems.append(_edge_problem(index, end, owner, message, "missing_node"))
    if problems:
        return problems
    source_type, target_type = parsed.types.get(edge.source), parsed.types.get(edge.target)
    if source_type is not None and source_type.output_port(edge.source_port) is None:
        problems.append(
            _port_problem(index, edge.source, "source_port", edge.source_port, source_type.outputs)
        )
    if target_type is not None and target_type.input_port(edge.target_port) is None:
        problems.append(
            _port_problem(index, edge.target, "target_port", edge.target_port, target_type.inputs)
        )
    return problems


def _check_edges(parsed: Parsed) -> tuple[list[Link], list[Problem]]:
    links, problems = [], []
    for index, edge in parsed.edges:
        found = _edge_problems(index, edge, parsed)
        problems += found
        source_type = parsed.types.get(edge.source)
        if not found and source_type is not None and edge.target in parsed.types:
            links.append(Link(index, edge, origin_of(edge, source_type)))
    return links, problems


def _check_ports(parsed: Parsed, links: list[Link]) -> list[Problem]:
    problems = []
    arriving: dict[tuple[str, str], int] = defaultdict(int)
    for link in links:
        arriving[(link.edge.target, link.edge.target_port)] += 1
    for node_id, cls in parsed.types.items():
        for port in cls.inputs:
            count = arriving[(node_id, port.name)]
            where = f"nodes.{node_id}.inputs.{port.name}"
            if port.required and count == 0:
                problems.append(
                    Problem(
                        node_id=node_id,
                        field=where,
                        message=f"node {node_id}: input {port.name!r} is not connected",
                        type="unconnected",
                    )
                )
            if not port.multiple and count > 1:
                problems.append(
                    Problem(
                        node_id=node_id,
                        field=where,
                        message=f"node {node_id}: input {port.name!r} takes one edge, "
                        f"it has {count}",
                        type="too_many_edges",
                    )
                )
    return problems


def _order(ids: set[str], links: list[Link]) -> tuple[list[str], list[Problem], set[str]]:
    """A topological order of every node (cycles broken at one edge each), the problems of
    each cycle (one per node on it), and the nodes on cycles."""
    predecessors: dict[str, set[str]] = {node_id: set() for node_id in sorted(ids)}
    for link in links:
        predecessors[link.edge.target].add(link.edge.source)
    problems: list[Problem] = []
    on_cycles: set[str] = set()
    while True:
        sorter = graphlib.TopologicalSorter(predecessors)
        try:
            return list(sorter.static_order()), problems, on_cycles
        except graphlib.CycleError as error:
            cycle: list[str] = list(error.args[1])  # in the direction rows flow, closed
            text = " -> ".join(cycle)
            for node_id in dict.fromkeys(cycle):
                on_cycles.add(node_id)
                problems.append(
                    Problem(
                        node_id=node_id,
                        field=f"nodes.{node_id}",
                        message=f"node {node_id}: the graph has a cycle: {text}",
                        type="cycle",
                    )
                )
            predecessors[cycle[1]].discard(cycle[0])


def _check_outputs(parsed: Parsed) -> list[Problem]:
    if not any(cls is OutputNode for cls in parsed.types.values()):
        return [
            Problem(
                node_id=None,
                field="nodes",
                message="nodes: the recipe has no output node; add one to write a dataset",
                type="no_output",
            )
        ]
    names = {
        node.id: node.params.dataset
        for node in parsed.nodes.values()
        if isinstance(node, OutputNode)
    }
    writers: dict[str, list[str]] = defaultdict(list)
    for node_id, name in names.items():
        writers[name.lower()].append(node_id)  # dataset names are unique ignoring case
    return [
        Problem(
            node_id=node_id,
            field=f"nodes.{node_id}.params.dataset",
            message=f"node {node_id}: dataset: nodes {', '.join(ids)} all write dataset "
            f"{names[node_id]!r}; give each output its own dataset",
            type="invalid_params",
        )
        for ids in writers.values()
        if len(ids) > 1
        for node_id in ids
    ]


def _node_inputs(
    node: NodeBase, links: list[Link], outputs: dict[str, dict[str, pa.Schema]]
) -> Inputs | None:
    """The schemas arriving at each input port, or None when any of them is unknown."""
    inputs: dict[str, list[Upstream]] = {port.name: [] for port in node.inputs}
    for link in links:
        if link.edge.target != node.id:
            continue
        schema = outputs.get(link.edge.source, {}).get(link.edge.source_port)
        if schema is None:
            return None
        inputs[link.edge.target_port].append(Upstream(link.origin, schema))
    if any(port.required and not inputs[port.name] for port in node.inputs):
        return None
    return inputs


def analyse(data: Mapping[str, Any] | RecipeGraph, settings: Settings | None = None) -> Analysis:
    parsed = parse_parts(data)
    analysis = Analysis(parsed=parsed, problems=list(parsed.problems))
    links, problems = _check_edges(parsed)
    analysis.links = links
    analysis.problems += problems
    analysis.problems += _check_ports(parsed, links)
    order, problems, on_cycles = _order(parsed.ids, links)
    analysis.order = order
    analysis.problems += problems
    analysis.problems += _check_outputs(parsed)
    broken = analysis.faulty()
    for node_id in order:
        node = parsed.nodes.get(node_id)
        if node is None:
            continue
        inputs = None if node_id in on_cycles else _node_inputs(node, links, analysis.outputs)
        check = Check(node_id, settings)
        outputs = node.output_schemas(inputs, check)
        analysis.problems += check.problems
        if outputs is None or node_id in broken or check.problems:
            continue
        if inputs is not None:
            analysis.inputs[node_id] = inputs
        analysis.outputs[node_id] = outputs
        analysis.resolved[node_id] = check.resolved
    return analysis


def validate_graph(
    data: Mapping[str, Any] | RecipeGraph, settings: Settings | None = None
) -> list[Problem]:
    """Every problem of the graph, each with its node id (None for graph-wide ones); empty
    when the recipe can run."""
    return analyse(data, settings).problems
