"""Parsing recipe graphs, the node-type catalog, and the YAML form."""

from __future__ import annotations

from typing import Any

import pytest

from lathe.errors import InvalidInput
from lathe.recipes import dump_yaml, load_yaml, node_types_catalog, parse_graph
from lathe.recipes.registry import NODE_TYPES
from tests.backend.recipes.conftest import chain, inline, node, output


def parse_error(data: Any) -> list[dict[str, Any]]:
    with pytest.raises(InvalidInput) as caught:
        parse_graph(data)
    details: list[dict[str, Any]] = caught.value.details
    return details


def test_a_valid_graph_parses_into_typed_nodes() -> None:
    graph = parse_graph(
        chain(inline([{"text": "a"}]), node("f", "filter", expression="len(text) > 0"), output())
    )
    assert [type(item).__name__ for item in graph.nodes] == [
        "InlineNode",
        "FilterNode",
        "OutputNode",
    ]
    assert graph.edges[0].source_port == "out" and graph.edges[0].target_port == "in"
    assert graph.schema_version == 1


def test_params_may_be_left_out_when_every_param_has_a_default() -> None:
    data = chain(inline([{"text": "a"}]), {"id": "d", "type": "dedupe"}, output())
    assert parse_graph(data).nodes[1].params.mode == "exact"  # type: ignore[union-attr]


def test_every_parse_problem_is_listed_with_its_node() -> None:
    data = {
        "schema_version": 1,
        "nodes": [
            node("a", "no_such_type"),
            node("b", "split", eval_fraction=1.5),
            node("c", "filter"),
            node("b", "dedupe"),
            {"id": "bad id!", "type": "dedupe"},
            node("d", "dedupe", mode="fuzzy", colour="red"),
        ],
        "edges": [{"source": "a"}],
    }
    details = parse_error(data)
    fields = {(item["node_id"], item["field"]) for item in details}
    assert ("a", "nodes.a.type") in fields
    assert ("b", "nodes.b.params.eval_fraction") in fields
    assert ("c", "nodes.c.params.expression") in fields
    assert ("b", "nodes.b") in fields  # duplicate id
    assert (None, "nodes.4.id") in fields
    assert ("d", "nodes.d.params.mode") in fields
    assert ("d", "nodes.d.params.colour") in fields
    assert (None, "edges.0.target") in fields
    unknown = next(item for item in details if item["node_id"] == "a")
    assert unknown["type"] == "unknown_node_type"
    assert "unknown node type 'no_such_type'" in unknown["message"]
    assert "filter" in unknown["message"]  # lists the known types
    split = next(item for item in details if item["field"] == "nodes.b.params.eval_fraction")
    assert split["message"].startswith("node b: params.eval_fraction: ")
    assert "less than 1" in split["message"]


def test_bad_documents() -> None:
    assert parse_error([1, 2])[0]["field"] == "graph"
    assert parse_error({"nodes": "x"})[0]["field"] == "nodes"
    assert parse_error({"schema_version": 2, "nodes": []})[0]["field"] == "schema_version"
    assert parse_error({"nodes": [], "extra": 1})[0]["field"] == "extra"


def test_the_error_summary_names_the_first_problem_and_counts_the_rest() -> None:
    with pytest.raises(InvalidInput, match=r"^recipe graph is invalid: node a: .* \(and 1 more\)"):
        parse_graph({"nodes": [node("a", "nope"), node("b", "nope")]})


def test_catalog_describes_every_type() -> None:
    catalog = node_types_catalog()
    assert {info.type for info in catalog} == set(NODE_TYPES)
    assert {info.type for info in catalog} >= {
        "dataset", "samples", "inline", "to_messages", "template", "filter", "select", "rename",
        "drop", "system_prompt", "dedupe", "token_length", "sample", "split", "mix", "generate",
        "judge", "output",
    }  # fmt: skip
    for info in catalog:
        assert info.group in ("source", "transform", "generate", "output")
        assert info.title and info.description
        schema = info.params_schema
        assert schema["additionalProperties"] is False, info.type
        for name, prop in schema["properties"].items():
            assert prop.get("description"), f"{info.type}.{name} has no description"
    split = next(info for info in catalog if info.type == "split")
    assert [port.name for port in split.outputs] == ["train", "eval"]
    mix = next(info for info in catalog if info.type == "mix")
    assert mix.inputs[0].multiple
    assert next(info for info in catalog if info.type == "dataset").inputs == []


YAML = """\
name: demo
description: a small recipe
schema_version: 1
nodes:
  - id: src
    type: inline
    params:
      rows:
        - {question: "what?", answer: that}
  - id: tpl
    type: template
    params:
      column: text
      template: |
        Q: {{ question }}
        A: {{ answer }}
  - id: out
    type: output
    params: {dataset: demo, format: text}
edges:
  - {source: src, target: tpl}
  - {source: tpl, target: out}
"""


def test_yaml_round_trip() -> None:
    data = load_yaml(YAML)
    graph = parse_graph(data)
    assert graph.name == "demo" and graph.description == "a small recipe"
    text = dump_yaml(graph)
    assert "template: |\n" in text  # multi-line strings stay readable
    assert text.startswith("name: demo\n")
    assert parse_graph(load_yaml(text)) == graph


def test_dump_yaml_of_a_plain_document() -> None:
    data = chain(inline([{"a": 1}]), output())
    assert load_yaml(dump_yaml(data)) == data


def test_yaml_errors_name_the_line() -> None:
    with pytest.raises(InvalidInput, match=r"^recipe YAML: line 3: ") as caught:
        load_yaml("nodes:\n  - id: a\n    type: dedupe: x\n")
    assert caught.value.details[0]["field"] == "yaml"
    assert caught.value.details[0]["line"] == 3
    with pytest.raises(InvalidInput, match="must be a mapping"):
        load_yaml("- 1\n- 2\n")
