"""`system_prompt`: give every conversation a system turn, or replace the one it has."""

from __future__ import annotations

from typing import ClassVar, Literal

import pyarrow as pa
from pydantic import Field

from lathe.datasets.columns import MESSAGES_TYPE
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
    Port,
    RunContext,
    single_input,
)
from lathe.recipes.messages import with_system


class SystemPromptParams(Params):
    prompt: str = Field(min_length=1, description="The system prompt.")
    mode: Literal["replace", "add"] = Field(
        default="replace",
        description="`replace`: every conversation gets this system turn, replacing one it "
        "starts with; `add`: only conversations without a leading system turn get it.",
    )
    column: str = Field(default="messages", description="The conversation column.")


class SystemPromptNode(NodeBase):
    type: Literal["system_prompt"] = "system_prompt"
    params: SystemPromptParams

    group: ClassVar[Group] = "transform"
    title: ClassVar[str] = "System prompt"
    summary: ClassVar[str] = "Add a system turn to every conversation, or replace the one it has."
    inputs: ClassVar[tuple[Port, ...]] = (
        Port("in", kinds=("messages",), description="Rows with a conversation column."),
    )
    outputs: ClassVar[tuple[Port, ...]] = (
        Port("out", kinds=("messages",), description="The rows with the system turn set."),
    )

    def output_schemas(self, inputs: Inputs | None, check: Check) -> Outputs | None:
        schema = single_input(inputs)
        if (
            schema is None
            or check.column(schema, self.params.column, "column", ("messages",)) is None
        ):
            return None
        return {"out": schema_with(schema, pa.field(self.params.column, MESSAGES_TYPE))}

    def operator(self, ctx: RunContext) -> Operator:
        params = self.params
        replace = params.mode == "replace"

        def apply(batch: pa.RecordBatch) -> pa.RecordBatch:
            turns = with_system(batch.column(params.column), params.prompt, replace=replace)
            return batch_with(batch, params.column, turns)

        return MapBatches(apply)
