"""`select`, `rename`, `drop`: reshape the set of columns (no rows change)."""

from __future__ import annotations

from collections import Counter
from typing import ClassVar, Literal

import pyarrow as pa
from pydantic import Field

from lathe.recipes.base import (
    Check,
    Group,
    Inputs,
    MapBatches,
    NodeBase,
    Operator,
    Outputs,
    Params,
    RunContext,
    single_input,
)


def _keep(names: list[str]) -> MapBatches:
    return MapBatches(lambda batch: batch.select(names))


class SelectParams(Params):
    columns: list[str] = Field(
        min_length=1, description="The columns to keep, in the order they should have."
    )


class SelectNode(NodeBase):
    type: Literal["select"] = "select"
    params: SelectParams

    group: ClassVar[Group] = "transform"
    title: ClassVar[str] = "Select columns"
    summary: ClassVar[str] = "Keep only the listed columns, in that order."

    def output_schemas(self, inputs: Inputs | None, check: Check) -> Outputs | None:
        repeated = [name for name, count in Counter(self.params.columns).items() if count > 1]
        if repeated:
            check.problem(f"columns listed twice: {', '.join(repeated)}", param="columns")
        schema = single_input(inputs)
        if schema is None or not check.columns(schema, self.params.columns, "columns"):
            return None
        if repeated:
            return None
        return {"out": pa.schema([schema.field(name) for name in self.params.columns])}

    def operator(self, ctx: RunContext) -> Operator:
        return _keep(self.params.columns)


class RenameParams(Params):
    columns: dict[str, str] = Field(min_length=1, description="Old column name to new column name.")


class RenameNode(NodeBase):
    type: Literal["rename"] = "rename"
    params: RenameParams

    group: ClassVar[Group] = "transform"
    title: ClassVar[str] = "Rename columns"
    summary: ClassVar[str] = "Give columns new names."

    def output_schemas(self, inputs: Inputs | None, check: Check) -> Outputs | None:
        for old, new in self.params.columns.items():
            if not new:
                check.problem(f"the new name of {old!r} is empty", param="columns")
        schema = single_input(inputs)
        if schema is None or not check.columns(schema, list(self.params.columns), "columns"):
            return None
        names = [self.params.columns.get(name, name) for name in schema.names]
        clashes = [name for name, count in Counter(names).items() if count > 1]
        if clashes:
            check.problem(
                f"after renaming, several columns are named {', '.join(map(repr, clashes))}",
                param="columns",
            )
        if clashes or check.problems:
            return None
        return {
            "out": pa.schema(
                [field.with_name(name) for field, name in zip(schema, names, strict=True)]
            )
        }

    def operator(self, ctx: RunContext) -> Operator:
        names = ctx.output_schema().names
        return MapBatches(lambda batch: batch.rename_columns(names))


class DropParams(Params):
    columns: list[str] = Field(min_length=1, description="The columns to remove.")


class DropNode(NodeBase):
    type: Literal["drop"] = "drop"
    params: DropParams

    group: ClassVar[Group] = "transform"
    title: ClassVar[str] = "Drop columns"
    summary: ClassVar[str] = "Remove the listed columns."

    def output_schemas(self, inputs: Inputs | None, check: Check) -> Outputs | None:
        schema = single_input(inputs)
        if schema is None or not check.columns(schema, self.params.columns, "columns"):
            return None
        kept = [field for field in schema if field.name not in self.params.columns]
        if not kept:
            check.problem("this would drop every column", param="columns")
            return None
        return {"out": pa.schema(kept)}

    def operator(self, ctx: RunContext) -> Operator:
        return _keep(ctx.output_schema().names)
