"""Train/eval split and weighted mixing: exact counts, determinism from the seed."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from lathe.recipes import preview_recipe
from lathe.recipes.nodes.mix import draw, mix_counts
from lathe.recipes.nodes.sampling import Split, SplitParams
from lathe.recipes.reservoir import Reservoir
from tests.backend.recipes.conftest import Apply, by_id, edge, inline, node, output

SCHEMA = pa.schema([("n", pa.int64())])


def split(rows: int, batch_rows: int, **params: float | int) -> tuple[list[int], list[int]]:
    """Push 0..rows-1 through a split in batches of `batch_rows`; (train, eval) values."""
    operator = Split(SCHEMA, SplitParams.model_validate(params), batch_rows=1024)
    emitted = []
    for start in range(0, rows, batch_rows):
        stop = min(rows, start + batch_rows)
        batch = pa.RecordBatch.from_arrays([pa.array(range(start, stop), pa.int64())], ["n"])
        emitted += operator.push("in", "src", batch)
    emitted += operator.close()
    out: dict[str, list[int]] = {"train": [], "eval": []}
    for port, batch in emitted:
        out[port] += batch.column("n").to_pylist()
    return out["train"], out["eval"]


def test_split_by_fraction_is_exact_and_complete() -> None:
    for rows in (10, 101, 20_000):
        train, evaluation = split(rows, 700, eval_fraction=0.15, seed=1)
        assert len(evaluation) == int(rows * 0.15 + 0.5)
        assert sorted(train + evaluation) == list(range(rows))
        assert train == sorted(train)  # the stream keeps its order


def test_split_is_deterministic_from_the_seed_whatever_the_batching() -> None:
    first = split(20_000, 1000, eval_fraction=0.1, seed=7)
    assert split(20_000, 333, eval_fraction=0.1, seed=7) == first
    assert split(20_000, 20_000, eval_fraction=0.1, seed=7) == first
    assert split(20_000, 1000, eval_fraction=0.1, seed=8) != first
    rows_first = split(20_000, 1000, eval_rows=50, seed=3)
    assert split(20_000, 777, eval_rows=50, seed=3)[1] == rows_first[1]


def test_split_by_rows() -> None:
    train, evaluation = split(20_000, 1000, eval_rows=123, seed=2)
    assert len(evaluation) == 123
    assert sorted(train + evaluation) == list(range(20_000))
    assert split(5, 2, eval_rows=10)[1] == [0, 1, 2, 3, 4]


def test_split_default_fraction_and_bad_params() -> None:
    assert len(split(100, 10)[1]) == 10
    with pytest.raises(ValueError, match="not both"):
        SplitParams(eval_fraction=0.1, eval_rows=3)


def test_reservoir_is_uniform() -> None:
    rng = np.random.default_rng(0)
    hits = np.zeros(40, dtype=int)
    for _ in range(3000):
        reservoir = Reservoir(5, rng, SCHEMA)
        for start in range(0, 40, 7):
            block = pa.table({"n": pa.array(range(start, min(40, start + 7)), pa.int64())})
            reservoir.add(block)
        hits[reservoir.sample.column("n").to_pylist()] += 1
    # Each of 40 rows is in a 5-row sample with probability 1/8: 375 of 3000 expected.
    assert hits.min() > 300 and hits.max() < 450


def test_split_node_through_a_preview(apply: Apply) -> None:
    rows = [{"n": i} for i in range(30)]
    train = apply("split", rows, port="train", eval_fraction=0.2, seed=4)
    evaluation = apply("split", rows, port="eval", eval_fraction=0.2, seed=4)
    assert len(train) == 24 and len(evaluation) == 6
    assert sorted(r["n"] for r in train + evaluation) == list(range(30))


def test_mix_counts() -> None:
    assert mix_counts([100, 10], [1, 1], "proportion", None) == [10, 10]
    assert mix_counts([100, 100], [3, 1], "proportion", None) == [100, 33]
    assert mix_counts([10, 10], [0.3, 0.7], "proportion", None) == [4, 10]
    assert mix_counts([100, 100], [3, 1], "proportion", 50) == [38, 12]
    assert mix_counts([5, 100], [1, 1], "proportion", 40) == [20, 20]
    assert mix_counts([0, 100], [1, 1], "proportion", None) == [0, 0]
    assert mix_counts([10, 10], [2, 0.5], "multiplier", None) == [20, 5]


def test_draw_repeats_whole_inputs_then_a_random_part() -> None:
    indices = draw(np.random.default_rng(0), 3, 7)
    assert sorted(np.bincount(indices).tolist()) == [2, 2, 3]
    assert len(set(draw(np.random.default_rng(0), 10, 4).tolist())) == 4


def _mix(apply: Apply, **params: object) -> list[str]:
    # Two inline inputs through one mix; the Apply helper drives single-input nodes only.
    graph = {
        "nodes": [
            inline([{"tag": "a", "i": i} for i in range(10)], "a"),
            inline([{"tag": "b", "i": i} for i in range(10)], "b"),
            node("m", "mix", **params),
            output(),
        ],
        "edges": [
            edge("a", "m", target_port="inputs"),
            edge("b", "m", target_port="inputs"),
            edge("m", "out"),
        ],
    }
    result = by_id(preview_recipe(apply.settings, graph, limit=100))
    assert result["m"].status == "ok", result["m"].problems
    return [row["tag"] for row in result["m"].outputs["out"].rows]


def test_mix_node(apply: Apply) -> None:
    tags = _mix(apply, weights={"a": 3, "b": 1}, seed=1)
    assert (tags.count("a"), tags.count("b")) == (10, 3)
    assert tags != sorted(tags)  # shuffled
    assert _mix(apply, weights={"a": 3, "b": 1}, seed=1) == tags
    ordered = _mix(apply, shuffle=False)
    assert ordered == ["a"] * 10 + ["b"] * 10
    upsampled = _mix(apply, weights={"a": 2, "b": 0.5}, mode="multiplier")
    assert (upsampled.count("a"), upsampled.count("b")) == (20, 5)
    sized = _mix(apply, rows=30)
    assert (sized.count("a"), sized.count("b")) == (15, 15)
