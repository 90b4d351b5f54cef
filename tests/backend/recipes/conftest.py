"""Helpers that build small recipe graphs and run one node over typed rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

import pytest

from lathe.recipes import preview_recipe
from lathe.recipes.preview import NodePreview, PreviewResult
from lathe.settings import Settings


def node(node_id: str, node_type: str, **params: Any) -> dict[str, Any]:
    return {"id": node_id, "type": node_type, "params": params}


def edge(
    source: str, target: str, source_port: str = "out", target_port: str = "in"
) -> dict[str, str]:
    return {
        "source": source,
        "source_port": source_port,
        "target": target,
        "target_port": target_port,
    }


def chain(*nodes: dict[str, Any]) -> dict[str, Any]:
    """A linear graph through `nodes` in order."""
    edges = [edge(a["id"], b["id"]) for a, b in pairwise(nodes)]
    return {"schema_version": 1, "nodes": list(nodes), "edges": edges}


def inline(rows: Sequence[Mapping[str, Any]], node_id: str = "src") -> dict[str, Any]:
    return node(node_id, "inline", rows=[dict(row) for row in rows])


def output(dataset: str = "out", node_id: str = "out", **params: Any) -> dict[str, Any]:
    return node(node_id, "output", dataset=dataset, **{"format": "table", **params})


def turns(
    user: str = "hi", assistant: str = "hello", system: str | None = None
) -> list[dict[str, str]]:
    head = [{"role": "system", "content": system}] if system else []
    return [*head, {"role": "user", "content": user}, {"role": "assistant", "content": assistant}]


def by_id(result: PreviewResult) -> dict[str, NodePreview]:
    return {item.node_id: item for item in result.nodes}


class Apply:
    """Run one node over typed rows (inline source -> node -> table output) in a preview and
    return what leaves one of its ports."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.last: NodePreview | None = None

    def __call__(
        self, node_type: str, rows: Sequence[Mapping[str, Any]], port: str = "out", **params: Any
    ) -> list[dict[str, Any]]:
        graph = chain(inline(rows), node("n", node_type, **params), output())
        if port != "out":
            graph["edges"][-1]["source_port"] = port
        result = by_id(preview_recipe(self.settings, graph, limit=1000))
        self.last = result["n"]
        assert self.last.status == "ok", self.last.problems
        return self.last.outputs[port].rows


@pytest.fixture
def apply(settings: Settings) -> Apply:
    return Apply(settings)
