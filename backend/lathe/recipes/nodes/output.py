"""`output`: write the rows as a new version of a dataset (created when it does not exist).

The input must carry the format's canonical columns with the right kinds (messages: a
conversation column `messages`; text: a string `text`; preference: conversations `prompt`,
`chosen`, `rejected`); other columns are dropped unless `keep_columns` lists them. `table`
writes every column as it is. Rows are staged in a Parquet file under LATHE_HOME/tmp while the
recipe runs; the run records every output's version in one transaction at the end."""

from __future__ import annotations

from typing import ClassVar, Literal

import pyarrow as pa
from pydantic import Field

from lathe.datasets.columns import CANONICAL_SCHEMAS, DatasetFormat, column_type
from lathe.datasets.storage import ROW_GROUP_ROWS, StagedVersion, VersionWriter
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
from lathe.recipes.messages import canonical_messages

DATASET_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
# The pseudo-port an output reports its written rows on (previews show them; no edges).
WRITTEN = "dataset"


class OutputParams(Params):
    dataset: str = Field(
        pattern=DATASET_NAME_PATTERN,
        description="Name of the dataset to write a new version of (created if missing).",
    )
    format: DatasetFormat = Field(
        default="messages",
        description="messages, text or preference (the canonical columns are required), or "
        "table (every column as it is).",
    )
    description: str = Field(
        default="", max_length=2000, description="Description of a dataset this creates."
    )
    keep_columns: list[str] = Field(
        default_factory=list,
        description="Extra columns to keep besides the format's canonical ones.",
    )


class OutputNode(NodeBase):
    type: Literal["output"] = "output"
    params: OutputParams

    group: ClassVar[Group] = "output"
    title: ClassVar[str] = "Output dataset"
    summary: ClassVar[str] = "Write the rows as a new version of a dataset."
    inputs: ClassVar[tuple[Port, ...]] = (
        Port("in", kinds=("messages", "string", "any"), description="The rows to write."),
    )
    outputs: ClassVar[tuple[Port, ...]] = ()

    def written_schema(self, schema: pa.Schema, check: Check) -> pa.Schema | None:
        fmt = self.params.format
        keep = self.params.keep_columns
        if fmt == "table":
            if keep:
                check.problem("table keeps every column already", param="keep_columns")
            return schema
        canonical = CANONICAL_SCHEMAS[fmt]
        fields = []
        for field in canonical:
            found = check.column(schema, field.name, "format", (column_type(field.type),))
            if found is not None:
                fields.append(field)
        overlap = [name for name in keep if name in canonical.names]
        if overlap:
            check.problem(f"{', '.join(overlap)} is kept anyway", param="keep_columns")
        kept = [check.column(schema, name, "keep_columns") for name in keep]
        if check.problems:
            return None
        return pa.schema(fields + [field for field in kept if field is not None])

    def output_schemas(self, inputs: Inputs | None, check: Check) -> Outputs | None:
        schema = single_input(inputs)
        if schema is None:
            return None
        written = self.written_schema(schema, check)
        if written is None:
            return None
        check.resolved = written
        return {}

    def operator(self, ctx: RunContext) -> Operator:
        return Output(ctx)


class Output(Transform):
    def __init__(self, ctx: RunContext) -> None:
        self.schema: pa.Schema = ctx.resolved
        self._writer = None if ctx.preview else VersionWriter(ctx.settings, self.schema)
        self._held: list[pa.RecordBatch] = []
        self._held_rows = 0

    def _convert(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        arrays = []
        for field in self.schema:
            array = batch.column(field.name)
            if column_type(field.type) == "messages":
                array = canonical_messages(array)
            arrays.append(array if array.type == field.type else array.cast(field.type))
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def _flush(self) -> None:
        # Written in row-group-sized pieces: tiny batches (after a filter) would otherwise make
        # tiny row groups, which read slowly.
        if self._writer is not None and self._held:
            self._writer.write(pa.Table.from_batches(self._held, schema=self.schema))
        self._held, self._held_rows = [], 0

    def push(self, port: str, origin: str, batch: pa.RecordBatch) -> Emitted:
        converted = self._convert(batch)
        if self._writer is not None:
            self._held.append(converted)
            self._held_rows += converted.num_rows
            if self._held_rows >= ROW_GROUP_ROWS:
                self._flush()
        return [(WRITTEN, converted)]

    def finish(self) -> StagedVersion:
        """The staged file with every row (run mode only)."""
        if self._writer is None:
            raise RuntimeError("a preview writes nothing")
        self._flush()
        return self._writer.finish()

    def discard(self) -> None:
        self._held = []
        if self._writer is not None:
            self._writer.discard()
