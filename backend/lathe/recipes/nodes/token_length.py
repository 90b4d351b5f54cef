"""`token_length`: keep rows whose token count, with a model's tokenizer, is within bounds;
optionally add the count as a column. Conversations count as training sees them (the chat
template rendered), via lathe.training.tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
import pyarrow as pa
from pydantic import Field, model_validator

from lathe.errors import LatheError
from lathe.recipes.arrow import batch_with, mask, schema_with
from lathe.recipes.base import (
    Check,
    Emitted,
    Group,
    Inputs,
    NodeBase,
    Operator,
    Outputs,
    Params,
    RunContext,
    Transform,
    single_input,
)
from lathe.recipes.nodes.models import check_model
from lathe.training.tokens import load_tokenizer, token_lengths

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase


class TokenLengthParams(Params):
    model: str = Field(
        min_length=1, description="The registered model (name or id) whose tokenizer counts."
    )
    column: str = Field(
        default="messages", description="A conversation (messages) or string column."
    )
    min_tokens: int | None = Field(default=None, ge=0, description="Drop shorter rows.")
    max_tokens: int | None = Field(default=None, ge=1, description="Drop longer rows.")
    count_column: str | None = Field(
        default=None, min_length=1, description="Also add the token count as this column."
    )

    @model_validator(mode="after")
    def _bounds(self) -> TokenLengthParams:
        low, high = self.min_tokens, self.max_tokens
        if low is not None and high is not None and low > high:
            raise ValueError(f"min_tokens ({low}) is above max_tokens ({high})")
        return self


class TokenLengthNode(NodeBase):
    type: Literal["token_length"] = "token_length"
    params: TokenLengthParams

    group: ClassVar[Group] = "transform"
    title: ClassVar[str] = "Token length"
    summary: ClassVar[str] = (
        "Keep rows whose length in tokens (of a model's tokenizer, conversations rendered "
        "with its chat template) is within bounds; optionally add the count as a column."
    )

    def output_schemas(self, inputs: Inputs | None, check: Check) -> Outputs | None:
        params = self.params
        if params.min_tokens is None and params.max_tokens is None and not params.count_column:
            check.problem("set min_tokens, max_tokens or count_column", param="max_tokens")
        check_model(check, params.model)
        schema = single_input(inputs)
        if schema is None:
            return None
        if check.column(schema, params.column, "column", ("messages", "string")) is None:
            return None
        if params.count_column:
            schema = schema_with(schema, pa.field(params.count_column, pa.int64()))
        return {"out": schema}

    def operator(self, ctx: RunContext) -> Operator:
        return TokenLength(ctx, self.params)


class TokenLength(Transform):
    def __init__(self, ctx: RunContext, params: TokenLengthParams) -> None:
        self._ctx = ctx
        self._params = params
        self._tokenizer: PreTrainedTokenizerBase | None = None  # loaded with the first rows

    def _counts(self, batch: pa.RecordBatch) -> np.ndarray:
        try:
            if self._tokenizer is None:
                self._tokenizer = load_tokenizer(self._ctx.settings, self._params.model)
            counts = token_lengths(self._tokenizer, batch, self._params.column)
        except LatheError as error:
            raise self._ctx.fail(error.message, param="model") from error
        return np.asarray(counts, dtype=np.int64)

    def push(self, port: str, origin: str, batch: pa.RecordBatch) -> Emitted:
        params = self._params
        counts = self._counts(batch)
        keep = np.ones(batch.num_rows, dtype=bool)
        if params.min_tokens is not None:
            keep &= counts >= params.min_tokens
        if params.max_tokens is not None:
            keep &= counts <= params.max_tokens
        if params.count_column:
            batch = batch_with(batch, params.count_column, pa.array(counts, pa.int64()))
        return [("out", batch.filter(mask(keep)))]
