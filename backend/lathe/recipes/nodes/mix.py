"""`mix`: combine several inputs with weights. Fully blocking: it holds every input in memory
as Arrow until all have ended, because the row counts decide how many rows each contributes.

How weights become row counts (W is the sum of the weights, n_i the rows of input i):
- `proportion` (default): weights are shares of the output; input i makes up w_i / W of it.
  Without `rows`, the mix is as large as it can be without repeating a row:
  total = min_i floor(n_i * W / w_i) (the input that runs out first sets the size; an empty
  input makes the mix empty). With `rows`, total = rows, and an input that has fewer rows than
  its share repeats them all as often as needed plus a random part. Shares are rounded to whole
  rows by largest remainder, so they add up to the total exactly.
- `multiplier`: each input contributes round(w_i * n_i) rows: 1 = as it is, 2 = every row
  twice, 0.5 = a random half.
Rows are picked at random with the seed (without repeats where possible); the result is
shuffled unless `shuffle` is off, in which case inputs follow each other in edge order."""

from __future__ import annotations

import math
from collections import Counter
from typing import ClassVar, Literal

import numpy as np
import pyarrow as pa
from pydantic import Field, field_validator

from lathe.datasets.columns import column_type
from lathe.recipes.arrow import to_batches
from lathe.recipes.base import (
    Check,
    Emitted,
    Group,
    Inputs,
    NodeBase,
    Operator,
    Outputs,
    Params,
    Port,
    RunContext,
    Transform,
)
from lathe.recipes.reservoir import round_half_up

Mode = Literal["proportion", "multiplier"]


def _apportion(total: int, shares: list[float]) -> list[int]:
    """`total` split by `shares` (summing to 1) into whole numbers that add up to it."""
    exact = [total * share for share in shares]
    counts = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts


def mix_counts(sizes: list[int], weights: list[float], mode: Mode, rows: int | None) -> list[int]:
    """How many rows each input contributes (see the module docstring)."""
    if mode == "multiplier":
        return [round_half_up(weight * size) for weight, size in zip(weights, sizes, strict=True)]
    total_weight = sum(weights)
    shares = [weight / total_weight for weight in weights]
    if rows is None:
        # The small epsilon keeps 3 / 0.3 from flooring to 9 through float error.
        rows = min(
            math.floor(size / share + 1e-9) for size, share in zip(sizes, shares, strict=True)
        )
    return _apportion(rows, shares)


def draw(rng: np.random.Generator, size: int, count: int) -> np.ndarray:
    """`count` row indices of an input of `size` rows: whole repeats, then a random subset."""
    if size == 0:
        return np.zeros(0, dtype=np.int64)
    repeats, rest = divmod(count, size)
    subset = np.sort(rng.choice(size, size=rest, replace=False))
    return np.concatenate([np.tile(np.arange(size), repeats), subset]).astype(np.int64)


class MixParams(Params):
    weights: dict[str, float] = Field(
        default_factory=dict,
        description="Weight of each input, keyed by the upstream node id (`node.port` for a "
        "node with several outputs, e.g. `split.train`); an input without a weight has 1.",
    )
    mode: Mode = Field(
        default="proportion",
        description="`proportion`: weights are shares of the output; `multiplier`: each input "
        "contributes weight x its rows.",
    )
    rows: int | None = Field(
        default=None,
        ge=1,
        description="`proportion`: total rows of the mix; unset = as many as possible without "
        "repeating rows.",
    )
    shuffle: bool = Field(default=True, description="Interleave the inputs in a random order.")
    seed: int = Field(default=0, ge=0, description="Random seed.")

    @field_validator("weights")
    @classmethod
    def _positive(cls, weights: dict[str, float]) -> dict[str, float]:
        bad = [key for key, weight in weights.items() if not (math.isfinite(weight) and weight > 0)]
        if bad:
            raise ValueError(
                f"weights must be finite and greater than 0 (not for {', '.join(bad)}); remove "
                "an input's edge to leave it out"
            )
        return weights


class MixNode(NodeBase):
    type: Literal["mix"] = "mix"
    params: MixParams = Field(default_factory=MixParams)

    group: ClassVar[Group] = "transform"
    title: ClassVar[str] = "Mix"
    summary: ClassVar[str] = (
        "Combine several inputs with the same columns. Proportion mode: weights are shares of "
        "the output (3 and 1 = 75% and 25%), sized so no input repeats unless `rows` asks for "
        "more. Multiplier mode: each input contributes weight x its rows. Holds its inputs in "
        "memory."
    )
    inputs: ClassVar[tuple[Port, ...]] = (
        Port("inputs", multiple=True, description="The datasets to mix (two or more)."),
    )

    def output_schemas(self, inputs: Inputs | None, check: Check) -> Outputs | None:
        if inputs is None or not inputs.get("inputs"):
            return None
        upstreams = inputs["inputs"]
        origins = [upstream.origin for upstream in upstreams]
        twice = [origin for origin, count in Counter(origins).items() if count > 1]
        if twice:
            check.problem(f"{', '.join(twice)} is connected more than once", param="weights")
        unknown = [key for key in self.params.weights if key not in origins]
        if unknown:
            check.problem(
                f"weights name {', '.join(unknown)}, which is not connected "
                f"(inputs: {', '.join(origins)})",
                param="weights",
            )
        first = upstreams[0].schema
        shape = [(field.name, column_type(field.type)) for field in first]
        for upstream in upstreams[1:]:
            other = sorted((field.name, column_type(field.type)) for field in upstream.schema)
            if other != sorted(shape):
                check.problem(
                    f"inputs must have the same columns: {upstreams[0].origin} has "
                    f"{_describe(first)}, {upstream.origin} has {_describe(upstream.schema)}",
                    param=None,
                    type="type_mismatch",
                )
        if check.problems:
            return None
        return {"out": first}

    def operator(self, ctx: RunContext) -> Operator:
        origins = [upstream.origin for upstream in ctx.inputs["inputs"]]
        return Mix(ctx.output_schema(), origins, self.params, ctx.batch_rows)


def _describe(schema: pa.Schema) -> str:
    return ", ".join(f"{field.name} ({column_type(field.type)})" for field in schema)


class Mix(Transform):
    def __init__(
        self, schema: pa.Schema, origins: list[str], params: MixParams, batch_rows: int
    ) -> None:
        self._schema = schema
        self._params = params
        self._batch_rows = batch_rows
        self._origins = origins
        self._held: dict[str, list[pa.RecordBatch]] = {origin: [] for origin in origins}

    def push(self, port: str, origin: str, batch: pa.RecordBatch) -> Emitted:
        self._held[origin].append(batch.select(self._schema.names).cast(self._schema))
        return []

    def close(self) -> Emitted:
        tables = [
            pa.Table.from_batches(self._held[origin], schema=self._schema)
            for origin in self._origins
        ]
        self._held = {}
        weights = [self._params.weights.get(origin, 1.0) for origin in self._origins]
        sizes = [table.num_rows for table in tables]
        counts = mix_counts(sizes, weights, self._params.mode, self._params.rows)
        rng = np.random.default_rng(self._params.seed)
        parts = [
            table.take(pa.array(draw(rng, size, count)))
            for table, size, count in zip(tables, sizes, counts, strict=True)
        ]
        mixed = pa.concat_tables(parts) if parts else self._schema.empty_table()
        if self._params.shuffle:
            mixed = mixed.take(pa.array(rng.permutation(mixed.num_rows)))
        return [("out", batch) for batch in to_batches(mixed, self._batch_rows)]
