"""Node types on small tables: sources, format conversion, templates, columns, system prompts,
sampling."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lathe.datasets.normalise import normalise
from lathe.datasets.samples import sample_table
from lathe.recipes import preview_recipe, validate_graph
from lathe.settings import Settings
from tests.backend.recipes.conftest import Apply, by_id, chain, inline, node, output, turns

ALPACA: list[dict[str, Any]] = [
    {"instruction": "Add", "input": "2 and 2", "output": "4", "system": "Be exact.", "id": 1},
    {"instruction": "Greet", "input": "", "output": "Hello!", "system": "", "id": 2},
    {"instruction": "Greet", "input": "   ", "output": "Hi", "system": None, "id": 3},
    {"instruction": "Nothing", "input": "", "output": "  ", "system": None, "id": 4},
    {"instruction": None, "input": "x", "output": "y", "system": None, "id": 5},
]


def test_alpaca_is_converted_like_uploads_do(apply: Apply) -> None:
    rows = apply("to_messages", ALPACA)
    expected = [normalise(row, "alpaca") for row in ALPACA[:3]]
    assert [{"messages": row["messages"]} for row in rows] == expected
    assert [row["id"] for row in rows] == [1, 2, 3]  # unused columns are kept
    assert set(rows[0]) == {"messages", "id"}  # the alpaca columns are consumed
    assert apply.last is not None
    stats = apply.last.stats
    assert (stats.rows_in, stats.rows_out, stats.skipped) == (5, 3, 2)
    assert stats.skip_reasons == {
        "instruction: missing or empty": 1,
        "output: missing or empty, so there is no assistant turn": 1,
    }


def test_prompt_completion_and_columns(apply: Apply) -> None:
    rows = [{"prompt": "Q?", "completion": "A."}, {"prompt": "", "completion": "A."}]
    assert apply("to_messages", rows) == [{"messages": turns("Q?", "A.")}]
    custom = [{"q": "Why?", "a": "Because.", "sys": "Explain."}]
    converted = apply(
        "to_messages",
        custom,
        source_format="columns",
        user_column="q",
        assistant_column="a",
        system_column="sys",
    )
    assert converted == [{"messages": turns("Why?", "Because.", system="Explain.")}]


def test_per_row_formats(apply: Apply) -> None:
    sharegpt = [
        {"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "yo"}]},
        {"conversations": [{"from": "alien", "value": "hi"}]},
    ]
    assert apply("to_messages", sharegpt) == [{"messages": turns("hi", "yo")}]
    assert apply.last is not None
    assert apply.last.stats.skipped == 1
    assert "unknown role 'alien'" in next(iter(apply.last.stats.skip_reasons))
    as_json = [{"messages": json.dumps(turns("a", "b"))}, {"messages": "not json"}]
    assert apply("to_messages", as_json, source_format="messages") == [
        {"messages": turns("a", "b")}
    ]
    preference = [{"prompt": "Q", "chosen": "good", "rejected": "bad"}]
    assert apply("to_messages", preference) == [
        {
            "prompt": [{"role": "user", "content": "Q"}],
            "chosen": [{"role": "assistant", "content": "good"}],
            "rejected": [{"role": "assistant", "content": "bad"}],
        }
    ]
    assert apply("to_messages", [{"text": "doc"}, {"text": " "}]) == [{"text": "doc"}]


def test_typed_messages_are_normalised_per_row(apply: Apply) -> None:
    rows = [
        {"messages": [{"role": "developer", "content": "sys"}, *turns()]},
        {"messages": [{"role": "user", "content": "only a question"}]},
    ]
    converted = apply("to_messages", rows)
    assert converted == [{"messages": [{"role": "system", "content": "sys"}, *turns()]}]


def test_auto_detection_failure_is_a_problem() -> None:
    graph = chain(inline([{"question": "q"}]), node("c", "to_messages"), output())
    (problem,) = validate_graph(graph)
    assert problem.field == "nodes.c.params.source_format"
    assert "cannot detect the format from columns ['question']" in problem.message


def test_template(apply: Apply) -> None:
    rows = [{"q": "Why?", "messages": turns("hi", "yo")}, {"q": "How?", "messages": turns()}]
    out = apply(
        "template",
        rows,
        template="{{ q | upper }} / {{ messages[-1].content }} / {{ messages | length }}",
        column="q",
    )
    assert [row["q"] for row in out] == ["WHY? / yo / 2", "HOW? / hello / 2"]


def test_template_sandbox_and_row_errors(settings: Settings) -> None:
    rows = [{"messages": turns()}]
    unsafe = "{{ messages.__class__.__mro__ }}"
    short = "{{ messages[5].content }}"
    for template, words in ((unsafe, "unsafe"), (short, "row 1")):
        graph = chain(inline(rows), node("t", "template", template=template), output())
        result = by_id(preview_recipe(settings, graph))
        assert result["t"].status == "error"
        assert words in result["t"].problems[0].message
        assert result["out"].status == "skipped"


def test_select_rename_drop(apply: Apply) -> None:
    rows = [{"a": 1, "b": "x", "c": True}]
    assert apply("select", rows, columns=["c", "a"]) == [{"c": True, "a": 1}]
    assert apply("rename", rows, columns={"a": "z"}) == [{"z": 1, "b": "x", "c": True}]
    assert apply("drop", rows, columns=["b"]) == [{"a": 1, "c": True}]


def test_system_prompt_replace_and_add(apply: Apply) -> None:
    rows: list[dict[str, Any]] = [
        {"messages": turns("a", "b", system="old")},
        {"messages": turns("c", "d")},
        {"messages": []},
        {"messages": None},
    ]
    replaced = apply("system_prompt", rows, prompt="new")
    assert [row["messages"] for row in replaced] == [
        turns("a", "b", system="new"),
        turns("c", "d", system="new"),
        [{"role": "system", "content": "new"}],
        None,
    ]
    added = apply("system_prompt", rows, prompt="new", mode="add")
    assert [row["messages"] for row in added] == [
        turns("a", "b", system="old"),
        turns("c", "d", system="new"),
        [{"role": "system", "content": "new"}],
        None,
    ]


NUMBERS = [{"n": i} for i in range(100)]


def values(rows: list[dict[str, Any]]) -> list[int]:
    return [row["n"] for row in rows]


def test_sample_limit_fraction_and_shuffle(apply: Apply) -> None:
    assert values(apply("sample", NUMBERS, shuffle=False, limit=5)) == [0, 1, 2, 3, 4]
    assert values(apply("sample", NUMBERS, shuffle=False)) == list(range(100))
    shuffled = values(apply("sample", NUMBERS, seed=1))
    assert sorted(shuffled) == list(range(100)) and shuffled != list(range(100))
    assert values(apply("sample", NUMBERS, seed=1)) == shuffled
    assert values(apply("sample", NUMBERS, seed=2)) != shuffled
    kept = values(apply("sample", NUMBERS, shuffle=False, fraction=0.25, seed=3))
    assert len(kept) == 25 and kept == sorted(kept)
    both = values(apply("sample", NUMBERS, fraction=0.5, limit=10, seed=3))
    assert len(both) == 10 and len(set(both)) == 10


def test_sample_limit_with_shuffle_uses_a_reservoir(apply: Apply) -> None:
    picked = values(apply("sample", NUMBERS, limit=10, seed=5))
    assert len(picked) == 10 and len(set(picked)) == 10
    assert picked == values(apply("sample", NUMBERS, limit=10, seed=5))
    assert len(values(apply("sample", NUMBERS[:3], limit=10))) == 3


def test_inline_rows_infer_types_and_conversations(settings: Settings) -> None:
    rows = [{"messages": turns(), "n": 1, "x": None}, {"messages": turns("a", "b"), "n": 2.5}]
    result = by_id(preview_recipe(settings, chain(inline(rows), output())))
    columns = {c.name: c.type for c in result["src"].outputs["out"].columns}
    assert columns == {"messages": "messages", "n": "float", "x": "other"}
    bad = chain(inline([{"a": 1}, {"a": "text"}]), output())
    (problem,) = validate_graph(bad)
    assert problem.field == "nodes.src.params.rows"
    assert "column 'a': values do not share one type" in problem.message
    (empty,) = validate_graph(chain(inline([]), output()))
    assert "at least one row" in empty.message


def test_samples_source(settings: Settings) -> None:
    graph = chain(node("src", "samples", key="identity"), output(format="messages"))
    result = by_id(preview_recipe(settings, graph, limit=5))
    rows = result["src"].outputs["out"].rows
    assert len(rows) == 5
    assert rows == sample_table("identity").slice(0, 5).to_pylist()


@pytest.mark.parametrize("fmt", ["messages", "text", "preference"])
def test_output_keeps_canonical_columns_and_listed_extras(settings: Settings, fmt: str) -> None:
    rows = {
        "messages": {"messages": turns(), "id": 1, "junk": "x"},
        "text": {"text": "t", "id": 1, "junk": "x"},
        "preference": {"prompt": turns()[:1], "chosen": turns()[1:], "rejected": turns()[1:],
                       "id": 1, "junk": "x"},
    }[fmt]  # fmt: skip
    graph = chain(inline([rows]), output(format=fmt, keep_columns=["id"]))
    written = by_id(preview_recipe(settings, graph))["out"].outputs["dataset"].rows
    assert written == [{key: value for key, value in rows.items() if key != "junk"}]
