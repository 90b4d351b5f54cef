"""`to_messages`: convert rows of a source format onto a canonical schema (messages, text or
preference), keeping the columns the format does not use.

Column-mapped formats (alpaca, prompt_completion with string columns, `columns`, text) are
converted with Arrow compute over whole batches, which matters on million-row datasets.
Formats that need per-row parsing (sharegpt, messages, preference, or message lists stored as
JSON strings) go through `lathe.datasets.normalise`, the same code uploads use. Rows that
cannot be converted are dropped and counted with their reasons, never fatal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field, model_validator

from lathe.datasets.columns import CANONICAL_SCHEMAS, column_type
from lathe.datasets.formats import record_format
from lathe.datasets.normalise import RowProblem, normalise
from lathe.recipes.arrow import mask, nonblank, strings
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
    SkipLog,
    Transform,
    single_input,
)
from lathe.recipes.messages import build_messages
from lathe.schemas.datasets import CANONICAL_OF, SourceFormat

Mode = Literal[
    "auto", "alpaca", "sharegpt", "prompt_completion", "messages", "preference", "text", "columns"
]
Resolved = SourceFormat | Literal["columns"]

# The columns each format reads; the first group are required.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "alpaca": ("instruction", "output"),
    "prompt_completion": ("prompt", "completion"),
    "messages": ("messages",),
    "preference": ("chosen", "rejected"),
    "text": ("text",),
}
_OPTIONAL: dict[str, tuple[str, ...]] = {
    "alpaca": ("input", "system"),
    "preference": ("prompt",),
}


class ToMessagesParams(Params):
    source_format: Mode = Field(
        default="auto",
        description="How the input rows are shaped. `auto` detects it from the column names; "
        "`columns` builds one user/assistant exchange from the columns named below.",
    )
    user_column: str | None = Field(
        default=None, description="`columns` format: the column holding the user turn."
    )
    assistant_column: str | None = Field(
        default=None, description="`columns` format: the column holding the assistant turn."
    )
    system_column: str | None = Field(
        default=None, description="`columns` format: an optional column holding a system turn."
    )

    @model_validator(mode="after")
    def _columns_named(self) -> ToMessagesParams:
        if self.source_format == "columns" and not (self.user_column and self.assistant_column):
            raise ValueError("the columns format needs user_column and assistant_column")
        return self


def _placeholder(field: pa.Field) -> Any:
    """A stand-in value whose shape lets record_format recognise the column."""
    dtype = field.type
    if (pa.types.is_list(dtype) or pa.types.is_large_list(dtype)) and pa.types.is_struct(
        dtype.value_type
    ):
        item = dtype.value_type
        return [{item.field(i).name: "" for i in range(item.num_fields)}]
    return ""


def detect(schema: pa.Schema) -> SourceFormat | None:
    """The source format the columns look like (the rules uploads use on records)."""
    return record_format({field.name: _placeholder(field) for field in schema})


def format_columns(fmt: Resolved, params: ToMessagesParams, schema: pa.Schema) -> list[str]:
    """The input columns `fmt` reads (that exist)."""
    if fmt == "columns":
        named = [params.user_column, params.assistant_column, params.system_column]
        return [name for name in named if name]
    if fmt == "sharegpt":
        return ["conversations" if "conversations" in schema.names else "messages"]
    wanted = _REQUIRED[fmt] + _OPTIONAL.get(fmt, ())
    return [name for name in wanted if name in schema.names]


def canonical_schema(fmt: Resolved) -> pa.Schema:
    return CANONICAL_SCHEMAS["messages" if fmt == "columns" else CANONICAL_OF[fmt]]


def _string_like(schema: pa.Schema, names: Sequence[str]) -> bool:
    return all(
        column_type(schema.field(name).type) == "string"
        or pa.types.is_null(schema.field(name).type)
        for name in names
    )


class ToMessagesNode(NodeBase):
    type: Literal["to_messages"] = "to_messages"
    params: ToMessagesParams = Field(default_factory=ToMessagesParams)

    group: ClassVar[Group] = "transform"
    title: ClassVar[str] = "Convert format"
    summary: ClassVar[str] = (
        "Convert Alpaca, ShareGPT, prompt/completion, OpenAI messages, preference pairs, text "
        "or any two columns into the canonical messages (or text / preference) columns. "
        "Rows that cannot be converted are dropped and counted."
    )
    outputs: ClassVar[tuple[Port, ...]] = (
        Port("out", kinds=("messages", "string"), description="Canonical rows."),
    )

    def resolve(self, schema: pa.Schema, check: Check) -> Resolved | None:
        mode = self.params.source_format
        if mode == "auto":
            found = detect(schema)
            if found is None:
                check.problem(
                    f"cannot detect the format from columns {schema.names}; expected "
                    "messages, conversations, instruction/output, prompt/completion, "
                    "chosen/rejected or text, or set source_format",
                    param="source_format",
                    type="missing_column",
                )
            return found
        if mode == "columns":
            names = format_columns(mode, self.params, schema)
            params = ["user_column", "assistant_column", "system_column"]
            ok = all(
                check.column(schema, name, param, ("string",)) is not None
                for name, param in zip(names, params, strict=False)
            )
            return mode if ok else None
        if mode == "sharegpt":
            if "conversations" not in schema.names and "messages" not in schema.names:
                check.problem(
                    f"sharegpt needs a conversations (or messages) column; columns: "
                    f"{', '.join(schema.names)}",
                    param="source_format",
                    type="missing_column",
                )
                return None
            return mode
        ok = check.columns(schema, _REQUIRED[mode], "source_format")
        return mode if ok else None

    def output_schemas(self, inputs: Inputs | None, check: Check) -> Outputs | None:
        schema = single_input(inputs)
        if schema is None:
            return None
        fmt = self.resolve(schema, check)
        if fmt is None:
            return None
        check.resolved = fmt
        canonical = canonical_schema(fmt)
        used = set(format_columns(fmt, self.params, schema)) | set(canonical.names)
        extras = [field for field in schema if field.name not in used]
        return {"out": pa.schema(list(canonical) + extras)}

    def operator(self, ctx: RunContext) -> Operator:
        return Convert(ctx, self.params)


class Convert(Transform):
    def __init__(self, ctx: RunContext, params: ToMessagesParams) -> None:
        self.fmt: Resolved = ctx.resolved
        self.schema = ctx.output_schema()
        source = ctx.input_schema()
        self.used = format_columns(self.fmt, params, source)
        self.params = params
        self.canonical = canonical_schema(self.fmt).names
        self.extras = [name for name in self.schema.names if name not in self.canonical]
        self.vectorised = self.fmt in ("alpaca", "prompt_completion", "columns", "text") and (
            _string_like(source, self.used)
        )
        self.log = SkipLog()
        self.skips = self.log

    def push(self, port: str, origin: str, batch: pa.RecordBatch) -> Emitted:
        if self.vectorised:
            keep, columns = self._vectorised(batch)
        else:
            keep, columns = self._per_row(batch)
        extras = [batch.column(name).filter(mask(keep)) for name in self.extras]
        out = pa.RecordBatch.from_arrays(columns + extras, schema=self.schema)
        return [("out", out)] if out.num_rows else []

    def _required(self, batch: pa.RecordBatch, name: str, where: str) -> np.ndarray:
        present = nonblank(batch.column(name))
        self.log.add(f"{where}: missing or empty", int((~present).sum()))
        return present

    def _vectorised(self, batch: pa.RecordBatch) -> tuple[np.ndarray, list[pa.Array]]:
        names = batch.schema.names
        if self.fmt == "text":
            keep = self._required(batch, "text", "text")
            return keep, [strings(batch.column("text")).filter(mask(keep))]
        if self.fmt == "columns":
            user_name, assistant_name = self.params.user_column, self.params.assistant_column
            assert user_name is not None and assistant_name is not None
            system_name = self.params.system_column
        elif self.fmt == "alpaca":
            user_name, assistant_name = "instruction", "output"
            system_name = "system" if "system" in names else None
        else:
            user_name, assistant_name, system_name = "prompt", "completion", None
        user_ok = self._required(batch, user_name, user_name)
        assistant_ok = nonblank(batch.column(assistant_name))
        self.log.add(
            f"{assistant_name}: missing or empty, so there is no assistant turn",
            int((user_ok & ~assistant_ok).sum()),
        )
        keep = user_ok & assistant_ok
        selected = batch.filter(mask(keep))
        user = strings(selected.column(user_name))
        if self.fmt == "alpaca" and "input" in names:
            extra = strings(selected.column("input"))
            joined = pc.binary_join_element_wise(user, extra, "\n\n")
            user = pc.if_else(mask(nonblank(extra)), joined, user)
        turns = [("user", user), ("assistant", strings(selected.column(assistant_name)))]
        if system_name is not None:
            system = strings(selected.column(system_name))
            blank = pa.nulls(len(system), pa.string())
            turns.insert(0, ("system", pc.if_else(mask(nonblank(system)), system, blank)))
        return keep, [build_messages(turns)]

    def _per_row(self, batch: pa.RecordBatch) -> tuple[np.ndarray, list[pa.Array]]:
        fmt = self.fmt
        assert fmt != "columns"  # `columns` always has string columns: vectorised
        keep = np.zeros(batch.num_rows, dtype=bool)
        rows: list[dict[str, Any]] = []
        for index, record in enumerate(batch.select(self.used).to_pylist()):
            try:
                rows.append(normalise(record, fmt))
            except RowProblem as problem:
                self.log.add(str(problem))
                continue
            keep[index] = True
        columns = [
            pa.array([row[name] for row in rows], self.schema.field(name).type)
            for name in self.canonical
        ]
        return keep, columns
