"""Source nodes: a stored dataset version, a built-in sample, or rows typed into the editor.

Sources read only what they are asked for: a preview reads the first N rows of a Parquet file
(its first row group), not the whole file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Literal

import pyarrow as pa
from pydantic import Field

from lathe.datasets import records
from lathe.datasets.columns import MESSAGES_TYPE
from lathe.datasets.samples import list_samples, sample_table
from lathe.datasets.storage import read_batches, schema_of, version_file
from lathe.errors import LatheError
from lathe.recipes.arrow import to_batches
from lathe.recipes.base import (
    OUT,
    Check,
    Group,
    Inputs,
    NodeBase,
    Operator,
    Outputs,
    Params,
    Port,
    RunContext,
    Source,
)

MAX_INLINE_ROWS = 10_000


def limited(batches: Iterable[pa.RecordBatch], limit: int | None) -> Iterator[pa.RecordBatch]:
    """The batches, cut off after `limit` rows in all."""
    left = limit
    for batch in batches:
        if left is not None:
            if left <= 0:
                return
            batch = batch.slice(0, left)
            left -= batch.num_rows
        if batch.num_rows:
            yield batch


class TableSource(Source):
    def __init__(self, table: pa.Table, batch_rows: int) -> None:
        self._table = table
        self._batch_rows = batch_rows

    def batches(self, limit: int | None) -> Iterator[pa.RecordBatch]:
        table = self._table if limit is None else self._table.slice(0, limit)
        yield from to_batches(table, self._batch_rows)


class FileSource(Source):
    def __init__(self, path: Path, batch_rows: int) -> None:
        self._path = path
        self._batch_rows = batch_rows

    def batches(self, limit: int | None) -> Iterator[pa.RecordBatch]:
        rows = self._batch_rows if limit is None else max(1, min(self._batch_rows, limit))
        yield from limited(read_batches(self._path, batch_rows=rows), limit)


class DatasetParams(Params):
    dataset: int | str = Field(description="The dataset's name or id.")
    version: int = Field(
        default=0, ge=0, description="The version to read; 0 reads the newest version."
    )


class DatasetNode(NodeBase):
    type: Literal["dataset"] = "dataset"
    params: DatasetParams

    group: ClassVar[Group] = "source"
    title: ClassVar[str] = "Dataset"
    summary: ClassVar[str] = (
        "Rows of a stored dataset version (the newest unless a version is set)."
    )
    inputs: ClassVar[tuple[Port, ...]] = ()
    outputs: ClassVar[tuple[Port, ...]] = (OUT,)

    def output_schemas(self, inputs: Inputs | None, check: Check) -> Outputs | None:
        if check.settings is None:  # validation without a database: columns unknown
            return None
        ref = self.params.dataset
        try:
            dataset = records.resolve(check.settings, str(ref))
        except LatheError as error:
            check.problem(error.message, param="dataset", type="not_found")
            return None
        try:
            version = records.get_version(check.settings, dataset.id, self.params.version)
        except LatheError as error:
            check.problem(f"{dataset.name}: {error.message}", param="version", type="not_found")
            return None
        path = version_file(check.settings, version.path)
        check.resolved = path
        return {"out": schema_of(path)}

    def operator(self, ctx: RunContext) -> Operator:
        return FileSource(ctx.resolved, ctx.batch_rows)


@lru_cache(maxsize=8)
def _sample(key: str) -> pa.Table:
    # Samples are small and never change while Lathe runs; parse each file once.
    return sample_table(key)


class SamplesParams(Params):
    key: str = Field(
        description="Which built-in sample dataset to read.",
        examples=[info.key for info in list_samples()],
    )


class SamplesNode(NodeBase):
    type: Literal["samples"] = "samples"
    params: SamplesParams

    group: ClassVar[Group] = "source"
    title: ClassVar[str] = "Sample dataset"
    summary: ClassVar[str] = "One of the small datasets that ship with Lathe."
    inputs: ClassVar[tuple[Port, ...]] = ()
    outputs: ClassVar[tuple[Port, ...]] = (OUT,)

    def output_schemas(self, inputs: Inputs | None, check: Check) -> Outputs | None:
        try:
            table = _sample(self.params.key)
        except LatheError:
            known = ", ".join(info.key for info in list_samples())
            check.problem(
                f"unknown sample {self.params.key!r}; known samples: {known}",
                param="key",
                type="not_found",
            )
            return None
        check.resolved = table
        return {"out": table.schema}

    def operator(self, ctx: RunContext) -> Operator:
        return TableSource(ctx.resolved, ctx.batch_rows)


def _looks_like_messages(values: list[Any]) -> bool:
    present = [value for value in values if value is not None]
    return bool(present) and all(
        isinstance(value, list)
        and all(
            isinstance(item, Mapping)
            and isinstance(item.get("role"), str)
            and isinstance(item.get("content"), str)
            for item in value
        )
        for value in present
    )


def inline_table(rows: list[dict[str, Any]]) -> pa.Table:
    """The rows as a table: columns in first-seen order, missing values null, types inferred
    by Arrow, and lists of {role, content} objects typed as conversations. ValueError names the
    column whose values do not share one type."""
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    arrays = []
    for name in names:
        values = [row.get(name) for row in rows]
        try:
            if _looks_like_messages(values):
                arrays.append(pa.array(values, MESSAGES_TYPE))
            else:
                arrays.append(pa.array(values))
        except (pa.ArrowException, TypeError, ValueError) as error:
            raise ValueError(f"column {name!r}: values do not share one type ({error})") from None
    return pa.Table.from_arrays(arrays, names=list(names))


class InlineParams(Params):
    rows: list[dict[str, Any]] = Field(
        max_length=MAX_INLINE_ROWS,
        description="The rows, as objects of column name to value. Lists of {role, content} "
        "objects become conversations (messages).",
    )


class InlineNode(NodeBase):
    type: Literal["inline"] = "inline"
    params: InlineParams

    group: ClassVar[Group] = "source"
    title: ClassVar[str] = "Typed rows"
    summary: ClassVar[str] = "A few rows typed into the editor, for trying a recipe out."
    inputs: ClassVar[tuple[Port, ...]] = ()
    outputs: ClassVar[tuple[Port, ...]] = (OUT,)

    def output_schemas(self, inputs: Inputs | None, check: Check) -> Outputs | None:
        if not self.params.rows:
            check.problem("add at least one row", param="rows")
            return None
        try:
            table = inline_table(self.params.rows)
        except ValueError as error:
            check.problem(str(error), param="rows", type="type_mismatch")
            return None
        if not table.num_columns:
            check.problem("the rows have no columns", param="rows")
            return None
        check.resolved = table
        return {"out": table.schema}

    def operator(self, ctx: RunContext) -> Operator:
        return TableSource(ctx.resolved, ctx.batch_rows)
