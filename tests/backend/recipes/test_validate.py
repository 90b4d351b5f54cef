"""Validation of whole graphs: every problem is listed, each with its node id."""

from __future__ import annotations

from typing import Any

import pytest

from lathe.errors import InvalidInput
from lathe.recipes import Problem, run_recipe, validate_graph
from lathe.settings import Settings
from tests.backend.recipes.conftest import chain, edge, inline, node, output, turns

TEXT_ROWS = [{"text": "hello there", "n": 1}]
CHAT_ROWS = [{"messages": turns(), "n": 1}]


def problems_of(graph: dict[str, Any], settings: Settings | None = None) -> list[Problem]:
    return validate_graph(graph, settings)


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def test_a_valid_graph_has_no_problems() -> None:
    graph = chain(inline(TEXT_ROWS), node("f", "filter", expression="n > 0"), output())
    assert problems_of(graph) == []


def test_cycle_names_the_nodes_on_it() -> None:
    graph = {
        "nodes": [
            inline(TEXT_ROWS),
            node("a", "filter", expression="n > 0"),
            node("b", "dedupe"),
            node("c", "sample", limit=5),
            output(),
            node("m", "mix"),
        ],
        "edges": [
            edge("src", "m", target_port="inputs"),
            edge("m", "a"),
            edge("a", "b"),
            edge("b", "c"),
            edge("c", "m", target_port="inputs"),
            edge("c", "out"),
        ],
    }
    cycle = [problem for problem in problems_of(graph) if problem.type == "cycle"]
    assert {problem.node_id for problem in cycle} == {"m", "a", "b", "c"}
    assert (
        "m -> a -> b -> c -> m" in cycle[0].message or "a -> b -> c -> m -> a" in cycle[0].message
    )
    assert all("cycle" in problem.message for problem in cycle)


def test_unknown_node_type() -> None:
    graph = chain(inline(TEXT_ROWS), node("x", "frobnicate"), output())
    problem = next(p for p in problems_of(graph) if p.node_id == "x")
    assert problem.type == "unknown_node_type"
    assert problem.field == "nodes.x.type"


def test_edge_to_a_missing_port_or_node() -> None:
    graph = chain(inline(TEXT_ROWS), node("d", "dedupe"), output())
    graph["edges"][0]["target_port"] = "left"
    graph["edges"].append(edge("d", "ghost"))
    graph["edges"].append(edge("d", "out", source_port="eval"))
    problems = problems_of(graph)
    port = next(p for p in problems if p.field == "edges.0.target_port")
    assert port.node_id == "d" and port.type == "missing_port"
    assert "no input port 'left' (inputs: in)" in port.message
    ghost = next(p for p in problems if p.field == "edges.2.target")
    assert ghost.node_id == "d" and ghost.type == "missing_node"
    assert "'ghost' does not exist" in ghost.message
    source_port = next(p for p in problems if p.field == "edges.3.source_port")
    assert "no output port 'eval' (outputs: out)" in source_port.message
    # The dedupe's input is not connected now (its only edge went to a missing port).
    assert any(p.node_id == "d" and p.type == "unconnected" for p in problems)


def test_split_fraction_above_one() -> None:
    graph = chain(inline(TEXT_ROWS), node("s", "split", eval_fraction=1.5), output())
    graph["edges"][-1]["source_port"] = "train"
    problem = only(problems_of(graph))
    assert (problem.node_id, problem.field) == ("s", "nodes.s.params.eval_fraction")
    assert "less than 1" in problem.message


def test_mix_with_zero_weights() -> None:
    graph = {
        "nodes": [
            inline(TEXT_ROWS, "a"),
            inline(TEXT_ROWS, "b"),
            node("m", "mix", weights={"a": 0, "b": 0}),
            output(),
        ],
        "edges": [
            edge("a", "m", target_port="inputs"),
            edge("b", "m", target_port="inputs"),
            edge("m", "out"),
        ],
    }
    problem = only(problems_of(graph))
    assert (problem.node_id, problem.field) == ("m", "nodes.m.params.weights")
    assert "greater than 0" in problem.message and "a, b" in problem.message


def test_mix_weights_must_name_connected_inputs_and_inputs_must_match() -> None:
    graph = {
        "nodes": [
            inline(TEXT_ROWS, "a"),
            inline(CHAT_ROWS, "b"),
            node("m", "mix", weights={"a": 1, "z": 2}),
            output(),
        ],
        "edges": [
            edge("a", "m", target_port="inputs"),
            edge("b", "m", target_port="inputs"),
            edge("m", "out"),
        ],
    }
    messages = [problem.message for problem in problems_of(graph)]
    assert any("weights name z, which is not connected (inputs: a, b)" in m for m in messages)
    assert any("inputs must have the same columns" in m for m in messages)


def test_template_with_a_missing_column() -> None:
    graph = chain(
        inline(TEXT_ROWS), node("t", "template", template="Q: {{ text }}\n{{ answer }}"), output()
    )
    problem = only(problems_of(graph))
    assert (problem.node_id, problem.field, problem.type) == (
        "t",
        "nodes.t.params.template",
        "missing_column",
    )
    assert "'answer' (line 2)" in problem.message and "columns: text, n" in problem.message
    assert problem.line == 2


def test_template_syntax_error_names_the_line() -> None:
    graph = chain(inline(TEXT_ROWS), node("t", "template", template="a\n{% if %}"), output())
    problem = only(problems_of(graph))
    assert problem.type == "invalid_template" and problem.line == 2


@pytest.mark.parametrize(
    ("expression", "offset", "words"),
    [
        ("text.__class__", 4, "attribute access"),
        ("__import__('os')", 0, "names starting with '__'"),
        ("(lambda: 1)() == 1", 1, "lambda"),
        ("[c for c in text] == []", 0, "comprehensions"),
        ("len(texts) > 1", 4, "unknown column 'texts'"),
        ("shout(text)", 0, "unknown function 'shout'"),
    ],
)
def test_refused_filter_expressions_name_the_offset(
    expression: str, offset: int, words: str
) -> None:
    graph = chain(inline(TEXT_ROWS), node("f", "filter", expression=expression), output())
    problem = only(problems_of(graph))
    assert (problem.node_id, problem.field, problem.type) == (
        "f",
        "nodes.f.params.expression",
        "invalid_expression",
    )
    assert problem.offset == offset
    assert f"at offset {offset}: " in problem.message and words in problem.message


def test_required_input_not_connected_and_two_edges_on_a_single_input() -> None:
    graph = {
        "nodes": [inline(TEXT_ROWS, "a"), inline(TEXT_ROWS, "b"), node("d", "dedupe"), output()],
        "edges": [edge("a", "out"), edge("b", "out")],
    }
    problems = problems_of(graph)
    unconnected = next(p for p in problems if p.type == "unconnected")
    assert (unconnected.node_id, unconnected.field) == ("d", "nodes.d.inputs.in")
    twice = next(p for p in problems if p.type == "too_many_edges")
    assert twice.node_id == "out" and "takes one edge, it has 2" in twice.message


def test_no_output_node() -> None:
    problem = only(problems_of(chain(inline(TEXT_ROWS), node("d", "dedupe"))))
    assert (problem.node_id, problem.field, problem.type) == (None, "nodes", "no_output")


def test_two_outputs_writing_one_dataset() -> None:
    graph = chain(inline(TEXT_ROWS), node("s", "split"), output("same", "o1"))
    graph["nodes"].append(output("SAME", "o2"))
    graph["edges"][-1]["source_port"] = "train"
    graph["edges"].append(edge("s", "o2", source_port="eval"))
    assert {p.node_id for p in problems_of(graph)} == {"o1", "o2"}


@pytest.mark.parametrize(
    ("bad", "field", "kind"),
    [
        (node("x", "system_prompt", prompt="be nice", column="text"), "column", "type_mismatch"),
        (node("x", "select", columns=["text", "nope"]), "columns", "missing_column"),
        (node("x", "rename", columns={"nope": "yes"}), "columns", "missing_column"),
        (node("x", "drop", columns=["nope"]), "columns", "missing_column"),
        (node("x", "dedupe", columns=["nope"]), "columns", "missing_column"),
        (node("x", "to_messages", source_format="alpaca"), "source_format", "missing_column"),
        (
            node("x", "to_messages", source_format="columns", user_column="text",
                 assistant_column="reply"),
            "assistant_column",
            "missing_column",
        ),
        (node("x", "to_messages", source_format="columns", user_column="text",
              assistant_column="n"), "assistant_column", "type_mismatch"),
    ],
)  # fmt: skip
def test_columns_must_exist_where_they_are_used(bad: dict[str, Any], field: str, kind: str) -> None:
    problems = problems_of(chain(inline(TEXT_ROWS), bad, output()))
    assert problems
    for problem in problems:
        assert (problem.node_id, problem.field, problem.type) == (
            "x",
            f"nodes.x.params.{field}",
            kind,
        )


def test_output_format_needs_its_canonical_columns() -> None:
    graph = chain(inline(TEXT_ROWS), output(format="messages"))
    problem = only(problems_of(graph))
    assert problem.field == "nodes.out.params.format"
    assert "column 'messages' is not in the input" in problem.message


def test_rename_that_clashes_and_drop_of_every_column() -> None:
    rename = chain(inline(TEXT_ROWS), node("r", "rename", columns={"n": "text"}), output())
    assert "several columns are named 'text'" in only(problems_of(rename)).message
    drop = chain(inline(TEXT_ROWS), node("d", "drop", columns=["text", "n"]), output())
    assert "every column" in only(problems_of(drop)).message


def test_a_broken_node_is_not_reported_again_downstream() -> None:
    graph = chain(
        inline(TEXT_ROWS),
        node("a", "select", columns=["nope"]),
        node("b", "filter", expression="len(text) > 1"),
        node("c", "filter", expression="(("),
        output(),
    )
    problems = problems_of(graph)
    # b is fine on its own; c's syntax error is found without knowing its columns.
    assert {p.node_id for p in problems} == {"a", "c"}


def test_every_problem_in_one_list() -> None:
    graph = {
        "nodes": [
            inline(TEXT_ROWS),
            node("s", "split", eval_fraction=1.5),
            node("t", "template", template="{{ missing }}"),
            node("f", "filter", expression="text.upper()"),
            node("q", "quux"),
        ],
        "edges": [edge("src", "t"), edge("t", "f"), edge("src", "s")],
    }
    problems = problems_of(graph)
    assert {p.node_id for p in problems} == {"s", "t", "f", "q", None}


def test_dataset_sources_are_looked_up_with_settings(settings: Settings) -> None:
    graph = chain(node("src", "dataset", dataset="nope"), output())
    assert problems_of(graph) == []  # without a database, its columns are unknown
    problem = only(problems_of(graph, settings))
    assert (problem.node_id, problem.field, problem.type) == (
        "src",
        "nodes.src.params.dataset",
        "not_found",
    )


def test_unknown_sample_and_model(settings: Settings) -> None:
    graph = chain(
        node("src", "samples", key="nope"),
        node("tl", "token_length", model="no-such-model", max_tokens=10),
        output(),
    )
    problems = problems_of(graph, settings)
    assert {(p.node_id, p.field) for p in problems} == {
        ("src", "nodes.src.params.key"),
        ("tl", "nodes.tl.params.model"),
    }
    assert "known samples: identity" in problems[0].message


def test_run_refuses_an_invalid_graph_listing_every_problem(settings: Settings) -> None:
    graph = chain(inline(TEXT_ROWS), node("f", "filter", expression="nope > 1"))
    with pytest.raises(InvalidInput, match=r"^recipe is invalid: .*\(and 1 more\)") as caught:
        run_recipe(settings, graph)
    assert {item["node_id"] for item in caught.value.details} == {"f", None}
    assert all(
        {"field", "node_id", "message", "type"} <= set(item) for item in caught.value.details
    )
