"""`judge`: a registered model scores each row against a rubric. The row is rendered with a
Jinja template (by default, its conversation as `role: content` lines), the model is asked for
`{"score": n, "reason": "..."}` on the given scale, and its answer is parsed leniently
(lathe.recipes.verdict): the score goes into a float column (null when unreadable or out of
range) and the reason (or the raw answer) into a string column. Filter on the score next."""

from __future__ import annotations

from typing import ClassVar, Literal

import pyarrow as pa
from pydantic import Field, model_validator

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
from lathe.recipes.nodes.models import ModelParams, check_prompted_input, generate
from lathe.recipes.templating import RowRenderer
from lathe.recipes.verdict import parse_verdict

DEFAULT_TEMPLATE = "{% for turn in messages %}{{ turn.role }}: {{ turn.content }}\n{% endfor %}"
JUDGE_SYSTEM = (
    "You are a careful, strict judge of training data. Score the item against the rubric on a "
    "scale from {low:g} to {high:g}, where {high:g} is best. Reply with one JSON object and "
    'nothing else: {{"score": <number>, "reason": "<one short sentence>"}}'
)


class JudgeParams(ModelParams):
    rubric: str = Field(
        min_length=1,
        description="What makes a row good, e.g. `The answer is correct, complete and polite.`",
    )
    template: str = Field(
        default=DEFAULT_TEMPLATE,
        min_length=1,
        description="Jinja template of the item shown to the judge; by default the row's "
        "conversation (`messages`) as role: content lines.",
    )
    score_column: str = Field(default="score", min_length=1, description="Column of the score.")
    reason_column: str = Field(
        default="reason", min_length=1, description="Column of the judge's reason."
    )
    min_score: float = Field(default=1, description="Lowest score of the scale.")
    max_score: float = Field(default=10, description="Highest (best) score of the scale.")
    temperature: float = Field(
        default=0.0, ge=0, le=2, description="Sampling temperature; 0 = greedy (steadiest)."
    )

    @model_validator(mode="after")
    def _scale(self) -> JudgeParams:
        if self.min_score >= self.max_score:
            raise ValueError(f"min_score ({self.min_score:g}) must be below max_score")
        if self.score_column == self.reason_column:
            raise ValueError("score_column and reason_column must differ")
        return self


class JudgeNode(NodeBase):
    type: Literal["judge"] = "judge"
    params: JudgeParams

    group: ClassVar[Group] = "generate"
    title: ClassVar[str] = "Judge"
    summary: ClassVar[str] = (
        "A registered model scores each row against a rubric: a numeric score column (null "
        "when its answer cannot be read) and a reason column."
    )

    def output_schemas(self, inputs: Inputs | None, check: Check) -> Outputs | None:
        schema = check_prompted_input(
            check, self.params.model, self.params.template, "template", inputs
        )
        if schema is None:
            return None
        schema = schema_with(schema, pa.field(self.params.score_column, pa.float64()))
        return {"out": schema_with(schema, pa.field(self.params.reason_column, pa.string()))}

    def operator(self, ctx: RunContext) -> Operator:
        return Judge(ctx, self.params)


class Judge(Transform):
    def __init__(self, ctx: RunContext, params: JudgeParams) -> None:
        self._ctx = ctx
        self._params = params
        self._renderer = RowRenderer(ctx.resolved, lambda text: ctx.fail(text, param="template"))
        self._system = JUDGE_SYSTEM.format(low=params.min_score, high=params.max_score)

    def push(self, port: str, origin: str, batch: pa.RecordBatch) -> Emitted:
        params = self._params
        prompts = [
            [
                {"role": "system", "content": self._system},
                {"role": "user", "content": f"Rubric:\n{params.rubric}\n\nItem:\n{item}"},
            ]
            for item in self._renderer.render(batch)
        ]
        answers = generate(self._ctx, params, params.temperature, prompts)
        verdicts = [
            parse_verdict(texts[0], params.min_score, params.max_score) for texts in answers
        ]
        scores = pa.array([score for score, _ in verdicts], pa.float64())
        reasons = pa.array([reason for _, reason in verdicts], pa.string())
        batch = batch_with(batch, params.score_column, scores)
        return [("out", batch_with(batch, params.reason_column, reasons))]
