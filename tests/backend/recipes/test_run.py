"""Running recipes: outputs become dataset versions in one transaction; a stop or a failure
leaves nothing behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from lathe.datasets import records
from lathe.datasets.storage import version_file
from lathe.errors import InvalidInput
from lathe.jobs.context import JobStopped
from lathe.recipes import run_recipe
from lathe.settings import Settings
from tests.backend.recipes.conftest import chain, edge, inline, node, output, turns

ALPACA = [
    {"instruction": f"Say {i % 40}", "input": "", "output": f"{i % 40}!", "id": i}
    for i in range(60)
]


def read_back(settings: Settings, name: str, version: int = 0) -> list[dict[str, Any]]:
    dataset = records.find_by_name(settings, name)
    assert dataset is not None
    row = records.get_version(settings, dataset.id, version)
    rows: list[dict[str, Any]] = pq.read_table(version_file(settings, row.path)).to_pylist()
    return rows


def split_graph() -> dict[str, Any]:
    graph = chain(
        inline(ALPACA),
        node("conv", "to_messages"),
        node("dd", "dedupe", columns=["messages"]),
        node("split", "split", eval_fraction=0.25, seed=3),
        output("chat-train", "train", format="messages", keep_columns=["id"]),
    )
    graph["edges"][-1]["source_port"] = "train"
    graph["nodes"].append(output("chat-eval", "eval", format="messages"))
    graph["edges"].append(edge("split", "eval", source_port="eval"))
    return graph


def assert_home_clean(settings: Settings) -> None:
    assert list(settings.tmp_dir.iterdir()) == []
    assert [path for path in settings.datasets_dir.rglob("*") if path.is_file()] == []
    assert records.page_after(settings, 0, 10) == []


def test_a_split_writes_two_outputs_that_read_back(settings: Settings) -> None:
    progress: list[tuple[int, dict[str, dict[str, int]]]] = []
    result = run_recipe(
        settings, split_graph(), batch_rows=8, on_progress=lambda *args: progress.append(args)
    )
    by_node = {item.node_id: item for item in result.outputs}
    assert (by_node["train"].rows, by_node["eval"].rows) == (30, 10)  # 40 distinct rows
    train, evaluation = read_back(settings, "chat-train"), read_back(settings, "chat-eval")
    assert len(train) == 30 and len(evaluation) == 10
    assert set(train[0]) == {"messages", "id"} and set(evaluation[0]) == {"messages"}
    contents = {row["messages"][0]["content"] for row in train + evaluation}
    assert contents == {f"Say {i}" for i in range(40)}
    assert train[0]["messages"] == turns(train[0]["messages"][0]["content"], f"{train[0]['id']}!")
    version = records.get_version(settings, by_node["train"].dataset_id, 0)
    assert (version.version, version.format, version.source) == (1, "messages", "recipe")
    assert result.nodes["dd"].rows_in == 60 and result.nodes["dd"].rows_out == 40
    assert result.rows_read == 60
    assert progress and progress[-1][0] == 60
    assert progress[-1][1]["split"] == {"rows_in": 40, "rows_out": 40}
    assert list(settings.tmp_dir.iterdir()) == []

    again = run_recipe(settings, split_graph())
    assert {item.version for item in again.outputs} == {2}
    assert read_back(settings, "chat-eval", 2) == evaluation  # the seed decides the split


def test_a_dataset_source_reads_a_stored_version(settings: Settings) -> None:
    run_recipe(settings, chain(inline([{"text": "one"}]), output("base", format="text")))
    run_recipe(settings, chain(inline([{"text": "two"}]), output("base", format="text")))
    newest = chain(node("src", "dataset", dataset="base"), output("copy", format="text"))
    run_recipe(settings, newest)
    assert read_back(settings, "copy") == [{"text": "two"}]
    first = chain(node("src", "dataset", dataset="base", version=1), output("copy", format="text"))
    run_recipe(settings, first)
    assert read_back(settings, "copy") == [{"text": "one"}]


def test_dedupe_and_sample_work_across_batches(settings: Settings) -> None:
    rows = [{"n": i % 7} for i in range(50)]
    graph = chain(inline(rows), node("dd", "dedupe"), node("s", "sample", seed=1), output("n"))
    result = run_recipe(settings, graph, batch_rows=3)
    assert result.outputs[0].rows == 7
    assert sorted(row["n"] for row in read_back(settings, "n")) == list(range(7))


def test_stop_mid_run_leaves_nothing(settings: Settings) -> None:
    calls = 0

    def should_stop() -> bool:
        nonlocal calls
        calls += 1
        return calls >= 3

    with pytest.raises(JobStopped):
        run_recipe(settings, split_graph(), batch_rows=5, should_stop=should_stop)
    assert calls == 3
    assert_home_clean(settings)


def test_a_failing_node_leaves_nothing(settings: Settings) -> None:
    rows = [{"messages": turns()}] * 20 + [{"messages": turns()[:1]}]
    graph = chain(
        inline(rows),
        node("t", "template", template="{{ messages[1].content }}"),
        output("never", format="table"),
    )
    with pytest.raises(InvalidInput, match=r"^node t: template: row 21: ") as caught:
        run_recipe(settings, graph, batch_rows=4)
    assert caught.value.details[0]["node_id"] == "t"
    assert_home_clean(settings)


def test_a_failed_commit_removes_every_staged_file(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    staged: list[Path] = []

    def refuse(_settings: Settings, writes: list[Any]) -> None:
        staged.extend(staged_version.path for _, staged_version, _ in writes)
        assert all(path.exists() for path in staged)
        raise RuntimeError("database went away")

    monkeypatch.setattr(records, "add_versions", refuse)
    with pytest.raises(RuntimeError):
        run_recipe(settings, split_graph())
    assert len(staged) == 2 and not any(path.exists() for path in staged)
    assert_home_clean(settings)


def test_an_output_with_no_rows_is_still_a_version(settings: Settings) -> None:
    graph = chain(
        node("src", "samples", key="identity"),
        node("f", "filter", expression="turns(messages) > 1000"),
        output("empty", format="messages"),
    )
    result = run_recipe(settings, graph)
    assert result.outputs[0].rows == 0
    assert result.nodes["src"].rows_out > 100
    assert read_back(settings, "empty") == []
