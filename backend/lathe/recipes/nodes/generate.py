"""`generate`: a new column written by a registered model (or adapter) from a prompt rendered
per row with a Jinja template; batched, with sampling parameters and n completions per row (each
its own row, the input row repeated). With `output: messages` the column holds the exchange
(system, user prompt, assistant answer), ready for training."""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
import pyarrow as pa
from pydantic import Field

from lathe.datasets.columns import MESSAGES_TYPE
from lathe.recipes.arrow import batch_with, schema_with
from lathe.recipes.base import (
    Check,
    Emitted,
    Group,
    Inputs,
    NodeBase,
    Operator,
    Outputs,
    RunContext,
    Transform,
)
from lathe.recipes.messages import build_messages
from lathe.recipes.nodes.models import ModelParams, check_prompted_input, generate
from lathe.recipes.templating import RowRenderer


class GenerateParams(ModelParams):
    prompt: str = Field(
        min_length=1,
        description="Jinja template of the user message for each row, e.g. "
        "`Write a short question a beginner might ask about {{ topic }}.`",
    )
    system: str | None = Field(default=None, description="A system message sent with each prompt.")
    column: str = Field(default="generation", min_length=1, description="The column to write.")
    output: Literal["text", "messages"] = Field(
        default="text",
        description="`text`: the answer; `messages`: the conversation (system, user prompt, "
        "assistant answer).",
    )
    n: int = Field(default=1, ge=1, le=16, description="Answers per row; each becomes a row.")
    temperature: float = Field(
        default=0.7, ge=0, le=2, description="Sampling temperature; 0 = greedy."
    )


class GenerateNode(NodeBase):
    type: Literal["generate"] = "generate"
    params: GenerateParams

    group: ClassVar[Group] = "generate"
    title: ClassVar[str] = "Generate"
    summary: ClassVar[str] = (
        "Prompt a registered model or adapter once per row (a Jinja template) and write its "
        "answers into a new column; n answers per row become n rows."
    )

    def output_schemas(self, inputs: Inputs | None, check: Check) -> Outputs | None:
        schema = check_prompted_input(
            check, self.params.model, self.params.prompt, "prompt", inputs
        )
        if schema is None:
            return None
        kind = pa.string() if self.params.output == "text" else MESSAGES_TYPE
        return {"out": schema_with(schema, pa.field(self.params.column, kind))}

    def operator(self, ctx: RunContext) -> Operator:
        return Generate(ctx, self.params)


class Generate(Transform):
    def __init__(self, ctx: RunContext, params: GenerateParams) -> None:
        self._ctx = ctx
        self._params = params
        self._renderer = RowRenderer(ctx.resolved, lambda text: ctx.fail(text, param="prompt"))

    def push(self, port: str, origin: str, batch: pa.RecordBatch) -> Emitted:
        params = self._params
        prompts = self._renderer.render(batch)
        system = [{"role": "system", "content": params.system}] if params.system else []
        conversations = [[*system, {"role": "user", "content": prompt}] for prompt in prompts]
        answers = generate(self._ctx, params, params.temperature, conversations, params.n)
        repeat = pa.array(np.repeat(np.arange(batch.num_rows), params.n))
        flat = pa.array([text for texts in answers for text in texts], pa.string())
        if params.output == "text":
            column = flat
        else:
            turns = [("user", pa.array(prompts, pa.string()).take(repeat)), ("assistant", flat)]
            if params.system:
                turns.insert(0, ("system", pa.array([params.system] * len(flat), pa.string())))
            column = build_messages(turns)
        return [("out", batch_with(batch.take(repeat), params.column, column))]
