"""`sample` (shuffle, limit, fraction) and `split` (train/eval), both deterministic from a
seed: the same input and seed give the same rows, however the input was batched.

Memory: `split` streams, holding one block of rows (8192) plus, with `eval_rows`, the eval
sample. `sample` streams with only `limit` (the first rows) and holds `limit` rows with
`limit` + `shuffle`; with `fraction`, or `shuffle` alone, it is fully blocking and holds its
whole input in memory as Arrow (it needs the row count first)."""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
import pyarrow as pa
from pydantic import Field, model_validator

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
    single_input,
)
from lathe.recipes.reservoir import Blocks, Reservoir, partition, pick, round_half_up

DEFAULT_EVAL_FRACTION = 0.1


class SampleParams(Params):
    shuffle: bool = Field(default=True, description="Put the rows in a random order.")
    seed: int = Field(
        default=0, ge=0, description="Random seed; the same seed picks the same rows."
    )
    limit: int | None = Field(default=None, ge=1, description="Keep at most this many rows.")
    fraction: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="Keep this share of the rows, chosen at random (rounded to whole rows).",
    )


class SampleNode(NodeBase):
    type: Literal["sample"] = "sample"
    params: SampleParams = Field(default_factory=SampleParams)

    group: ClassVar[Group] = "transform"
    title: ClassVar[str] = "Sample / shuffle"
    summary: ClassVar[str] = (
        "Shuffle rows with a seed, and keep a random fraction and/or at most N rows. "
        "Without shuffle and fraction, `limit` keeps the first N rows."
    )

    def output_schemas(self, inputs: Inputs | None, check: Check) -> Outputs | None:
        schema = single_input(inputs)
        return None if schema is None else {"out": schema}

    def operator(self, ctx: RunContext) -> Operator:
        params = self.params
        schema = ctx.input_schema()
        if params.fraction is None and params.limit is not None:
            if params.shuffle:
                return ReservoirSample(schema, params.limit, params.seed, ctx.batch_rows)
            return Head(params.limit)
        if params.fraction is None and not params.shuffle:
            return Head(None)
        return FullSample(schema, params, ctx.batch_rows)


class Head(Transform):
    def __init__(self, limit: int | None) -> None:
        self._left = limit

    def push(self, port: str, origin: str, batch: pa.RecordBatch) -> Emitted:
        if self._left is None:
            return [("out", batch)]
        batch = batch.slice(0, self._left)
        self._left -= batch.num_rows
        return [("out", batch)]


class ReservoirSample(Transform):
    def __init__(self, schema: pa.Schema, limit: int, seed: int, batch_rows: int) -> None:
        self._rng = np.random.default_rng(seed)
        self._blocks = Blocks(schema)
        self._reservoir = Reservoir(limit, self._rng, schema)
        self._batch_rows = batch_rows

    def push(self, port: str, origin: str, batch: pa.RecordBatch) -> Emitted:
        for block in self._blocks.add(batch):
            self._reservoir.add(block)
        return []

    def close(self) -> Emitted:
        rest = self._blocks.rest()
        if rest is not None:
            self._reservoir.add(rest)
        sample = self._reservoir.sample
        shuffled = sample.take(pa.array(self._rng.permutation(sample.num_rows)))
        return [("out", batch) for batch in to_batches(shuffled, self._batch_rows)]


class FullSample(Transform):
    """Holds every row, then picks (and orders) them."""

    def __init__(self, schema: pa.Schema, params: SampleParams, batch_rows: int) -> None:
        self._schema = schema
        self._params = params
        self._batch_rows = batch_rows
        self._held: list[pa.RecordBatch] = []

    def push(self, port: str, origin: str, batch: pa.RecordBatch) -> Emitted:
        self._held.append(batch)
        return []

    def close(self) -> Emitted:
        table = pa.Table.from_batches(self._held, schema=self._schema)
        self._held = []
        rows = table.num_rows
        count = (
            rows if self._params.fraction is None else round_half_up(rows * self._params.fraction)
        )
        if self._params.limit is not None:
            count = min(count, self._params.limit)
        rng = np.random.default_rng(self._params.seed)
        indices = rng.choice(rows, size=count, replace=False)
        if not self._params.shuffle:
            indices = np.sort(indices)
        picked = table.take(pa.array(indices, pa.int64()))
        return [("out", batch) for batch in to_batches(picked, self._batch_rows)]


class SplitParams(Params):
    eval_fraction: float | None = Field(
        default=None,
        gt=0,
        lt=1,
        description="Share of rows that go to `eval` (0.1 when neither this nor eval_rows is "
        "set); rounded to whole rows.",
    )
    eval_rows: int | None = Field(
        default=None, ge=1, description="Exactly this many rows go to `eval` (or all, if fewer)."
    )
    seed: int = Field(
        default=0, ge=0, description="Random seed; the same seed gives the same split."
    )

    @model_validator(mode="after")
    def _one_size(self) -> SplitParams:
        if self.eval_fraction is not None and self.eval_rows is not None:
            raise ValueError("set eval_fraction or eval_rows, not both")
        return self


class SplitNode(NodeBase):
    type: Literal["split"] = "split"
    params: SplitParams = Field(default_factory=SplitParams)

    group: ClassVar[Group] = "transform"
    title: ClassVar[str] = "Train / eval split"
    summary: ClassVar[str] = (
        "Split rows at random into a training set and an evaluation set, by fraction or by an "
        "exact number of eval rows; the same seed gives the same split."
    )
    outputs: ClassVar[tuple[Port, ...]] = (
        Port("train", description="Rows for training."),
        Port("eval", description="Rows held out for evaluation."),
    )

    def output_schemas(self, inputs: Inputs | None, check: Check) -> Outputs | None:
        schema = single_input(inputs)
        return None if schema is None else {"train": schema, "eval": schema}

    def operator(self, ctx: RunContext) -> Operator:
        return Split(ctx.input_schema(), self.params, ctx.batch_rows)


class Split(Transform):
    """By fraction: each block of rows sends round(rows seen x fraction) - eval rows so far to
    eval, chosen at random within the block, so the eval count is exact at every block
    boundary and at the end. By rows: a reservoir of eval_rows rows; rows it passes over or
    evicts go to train as they come, the reservoir goes to eval at the end."""

    def __init__(self, schema: pa.Schema, params: SplitParams, batch_rows: int) -> None:
        self._params = params
        self._batch_rows = batch_rows
        self._blocks = Blocks(schema)
        self._fraction = params.eval_fraction
        if self._fraction is None and params.eval_rows is None:
            self._fraction = DEFAULT_EVAL_FRACTION
        self._rng = np.random.default_rng(params.seed)
        self._reservoir = (
            Reservoir(params.eval_rows, self._rng, schema) if params.eval_rows else None
        )
        self._seen = 0
        self._evaluated = 0
        self._block = 0

    def _emit(self, port: str, table: pa.Table) -> Emitted:
        return [(port, batch) for batch in to_batches(table, self._batch_rows)]

    def _split(self, block: pa.Table) -> Emitted:
        if self._reservoir is not None:
            return self._emit("train", self._reservoir.add(block))
        assert self._fraction is not None
        self._seen += block.num_rows
        wanted = round_half_up(self._seen * self._fraction) - self._evaluated
        count = min(max(wanted, 0), block.num_rows)
        self._evaluated += count
        rng = np.random.default_rng([self._params.seed, self._block])
        self._block += 1
        evaluation, training = partition(block, pick(rng, block.num_rows, count))
        return self._emit("train", training) + self._emit("eval", evaluation)

    def push(self, port: str, origin: str, batch: pa.RecordBatch) -> Emitted:
        emitted: Emitted = []
        for block in self._blocks.add(batch):
            emitted += self._split(block)
        return emitted

    def close(self) -> Emitted:
        rest = self._blocks.rest()
        emitted = [] if rest is None else self._split(rest)
        if self._reservoir is not None:
            emitted += self._emit("eval", self._reservoir.sample)
        return emitted
