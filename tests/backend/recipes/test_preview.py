"""Previews: every node's rows, counts and time; broken branches are skipped, the rest still
previews; nothing is written."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from lathe.datasets import records
from lathe.errors import InvalidInput
from lathe.recipes import preview_recipe, run_recipe
from lathe.settings import Settings
from tests.backend.recipes.conftest import by_id, chain, edge, inline, node, output, turns

logger = logging.getLogger(__name__)

ROWS = [
    {"instruction": f"Question {i}", "input": "", "output": f"Answer number {i}", "topic": i % 3}
    for i in range(50)
]


def branching_graph() -> dict[str, Any]:
    """src -> conv -> split -> (train: filter -> sysprompt -> out_train) and
    (eval: template -> out_eval), plus a dedupe side branch into a mix."""
    return {
        "nodes": [
            inline(ROWS),
            node("conv", "to_messages"),
            node("split", "split", eval_rows=5, seed=1),
            node("f", "filter", expression="topic != 1"),
            node("sp", "system_prompt", prompt="You are terse."),
            node("tpl", "template", template="{{ messages[0].content }}", column="first"),
            node("dd", "dedupe", mode="near"),
            node("mix", "mix", weights={"sp": 2}),
            output("train", "out_train", format="messages"),
            output("eval", "out_eval", format="messages", keep_columns=["first"]),
        ],
        "edges": [
            edge("src", "conv"),
            edge("conv", "split"),
            edge("split", "f", source_port="train"),
            edge("f", "sp"),
            edge("sp", "mix", target_port="inputs"),
            edge("split", "dd", source_port="eval"),
            edge("dd", "mix", target_port="inputs"),
            edge("mix", "out_train"),
            edge("split", "tpl", source_port="eval"),
            edge("tpl", "out_eval"),
        ],
    }


def test_preview_shows_every_node(
    settings: Settings, record_property: Callable[[str, object], None]
) -> None:
    result = preview_recipe(settings, branching_graph())
    nodes = by_id(result)
    assert result.problems == []
    assert all(item.status == "ok" for item in result.nodes), [
        (item.node_id, item.problems) for item in result.nodes
    ]
    assert nodes["src"].stats.rows_out == 20  # the default limit
    assert nodes["conv"].stats.rows_in == 20
    assert len(nodes["split"].outputs["train"].rows) == 15
    assert len(nodes["split"].outputs["eval"].rows) == 5
    assert {c.name: c.type for c in nodes["conv"].outputs["out"].columns} == {
        "messages": "messages",
        "topic": "int",
    }
    first = nodes["sp"].outputs["out"].rows[0]["messages"][0]
    assert first == {"role": "system", "content": "You are terse."}
    assert nodes["out_eval"].outputs["dataset"].rows[0].keys() == {"messages", "first"}
    assert all(item.stats.seconds >= 0 for item in result.nodes)
    # Timing is logged, never asserted: it depends on the machine.
    logger.info("preview of %d nodes took %.3f s", len(result.nodes), result.seconds)
    record_property("preview_seconds", result.seconds)


def test_a_broken_node_skips_its_branch_only(settings: Settings) -> None:
    graph = branching_graph()
    graph["nodes"][3] = node("f", "filter", expression="topic.real > 1")
    result = by_id(preview_recipe(settings, graph))
    assert result["f"].status == "error"
    assert result["f"].problems[0].field == "nodes.f.params.expression"
    for skipped in ("sp", "mix", "out_train"):
        assert result[skipped].status == "skipped"
        assert result[skipped].skipped_because and not result[skipped].outputs
    for fine in ("src", "conv", "split", "dd", "tpl", "out_eval"):
        assert result[fine].status == "ok"
    assert len(result["out_eval"].outputs["dataset"].rows) == 5


def test_a_node_failing_at_run_time_skips_its_branch_only(settings: Settings) -> None:
    graph = branching_graph()
    graph["nodes"][5] = node(
        "tpl", "template", template="{{ messages[7].content }}", column="first"
    )
    result = by_id(preview_recipe(settings, graph))
    assert result["tpl"].status == "error"
    assert "row 1" in result["tpl"].problems[0].message
    assert result["out_eval"].status == "skipped"
    assert result["out_train"].status == "ok"
    assert result["out_train"].outputs["dataset"].rows


def test_graph_problems_do_not_stop_a_preview(settings: Settings) -> None:
    graph = chain(inline(ROWS), node("conv", "to_messages"))  # no output node
    result = preview_recipe(settings, graph, limit=3)
    assert [problem.type for problem in result.problems] == ["no_output"]
    assert len(by_id(result)["conv"].outputs["out"].rows) == 3


def test_preview_writes_nothing_and_reads_only_what_it_needs(settings: Settings) -> None:
    run_recipe(settings, chain(inline([{"text": f"t{i}"} for i in range(100)]), output("big")))
    before = sorted(path for path in settings.home.rglob("*") if path.is_file())
    graph = chain(node("src", "dataset", dataset="big"), node("d", "dedupe"), output("copy"))
    result = by_id(preview_recipe(settings, graph, limit=5))
    assert result["src"].stats.rows_out == 5
    assert result["out"].outputs["dataset"].rows == [{"text": f"t{i}"} for i in range(5)]
    assert records.find_by_name(settings, "copy") is None
    assert list(settings.tmp_dir.iterdir()) == []
    after = sorted(path for path in settings.home.rglob("*") if path.is_file())
    assert [p for p in after if p.suffix == ".parquet"] == [
        p for p in before if p.suffix == ".parquet"
    ]


def test_preview_rows_are_json_safe(settings: Settings) -> None:
    rows = [{"x": 1.5, "messages": turns(), "tags": ["a"], "obj": {"k": 1}}]
    result = by_id(preview_recipe(settings, chain(inline(rows), output())))
    assert result["src"].outputs["out"].rows == rows


def test_bad_limit_and_training_view_node(settings: Settings) -> None:
    with pytest.raises(InvalidInput, match="limit"):
        preview_recipe(settings, chain(inline(ROWS), output()), limit=0)
    with pytest.raises(InvalidInput, match="no node 'nope'") as caught:
        preview_recipe(
            settings,
            chain(inline(ROWS), output()),
            training_view={"node_id": "nope", "model": "m"},
        )
    assert caught.value.details[0]["field"] == "training_view.node_id"
    with pytest.raises(InvalidInput, match="has no messages column"):
        preview_recipe(
            settings,
            chain(inline(ROWS), output()),
            training_view={"node_id": "src", "model": "m"},
        )
