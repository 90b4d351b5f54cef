"""`filter`: keep the rows for which an expression is true (see lathe.recipes.expr for the
language). Evaluated over whole record batches with pyarrow.compute; a row whose value is
null (a missing value, a division by zero) is dropped."""

from __future__ import annotations

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
from lathe.recipes.expr import Expr, ExprError, compile_expression, selection


class FilterParams(Params):
    expression: str = Field(
        min_length=1,
        description="Keep rows where this is true, e.g. `len(output) > 20 and not "
        "contains(lower(output), 'as an ai')`. Columns by name (or col('a name')); "
        "and/or/not, comparisons, + - * / // %, x in [..], 'text' in column, x is None; "
        "functions len, lower, upper, strip, contains, startswith, endswith, matches (regex), "
        "num, abs, turns, chars, words, role(messages, i), content(messages, i).",
    )


class FilterNode(NodeBase):
    type: Literal["filter"] = "filter"
    params: FilterParams

    group: ClassVar[Group] = "transform"
    title: ClassVar[str] = "Filter"
    summary: ClassVar[str] = "Keep the rows for which an expression over the columns is true."

    def output_schemas(self, inputs: Inputs | None, check: Check) -> Outputs | None:
        schema = single_input(inputs)
        try:
            expr = compile_expression(self.params.expression, schema)
        except ExprError as error:
            check.problem(
                error.message, param="expression", type="invalid_expression", offset=error.offset
            )
            return None
        if schema is None:
            return None
        check.resolved = expr
        return {"out": schema}

    def operator(self, ctx: RunContext) -> Operator:
        expr: Expr = ctx.resolved

        def keep(batch: pa.RecordBatch) -> pa.RecordBatch:
            try:
                chosen = selection(expr, batch)
            except pa.ArrowException as error:  # overflow and the like, on some row
                raise ctx.fail(f"cannot evaluate: {error}", param="expression") from error
            return batch.filter(chosen, null_selection_behavior="drop")

        return MapBatches(keep)
