"""`template`: a new (or replaced) string column rendered from a Jinja template per row."""

from __future__ import annotations

from typing import ClassVar, Literal

import pyarrow as pa
from pydantic import Field

from lathe.recipes.arrow import batch_with, schema_with
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
from lathe.recipes.templating import RowRenderer, check_template


class TemplateParams(Params):
    template: str = Field(
        min_length=1,
        description="A Jinja template; columns are its variables, e.g. "
        "`Q: {{ question }}\\nA: {{ answer }}`. Conversations are lists of {role, content}.",
    )
    column: str = Field(
        default="text",
        min_length=1,
        description="The column the text goes into; an existing column of that name is replaced.",
    )


class TemplateNode(NodeBase):
    type: Literal["template"] = "template"
    params: TemplateParams

    group: ClassVar[Group] = "transform"
    title: ClassVar[str] = "Template"
    summary: ClassVar[str] = "A text column rendered from a sandboxed Jinja template per row."

    def output_schemas(self, inputs: Inputs | None, check: Check) -> Outputs | None:
        schema = single_input(inputs)
        compiled = check_template(check, self.params.template, "template", schema)
        if schema is None or compiled is None:
            return None
        check.resolved = compiled
        return {"out": schema_with(schema, pa.field(self.params.column, pa.string()))}

    def operator(self, ctx: RunContext) -> Operator:
        renderer = RowRenderer(ctx.resolved, lambda text: ctx.fail(text, param="template"))
        column = self.params.column

        def render(batch: pa.RecordBatch) -> pa.RecordBatch:
            return batch_with(batch, column, pa.array(renderer.render(batch), pa.string()))

        return MapBatches(render)
