"""Stats of a dataset version, computed in one streaming pass over its record batches: row count,
columns, turns per conversation and role counts (messages and preference data; preference rows
count their prompt + chosen conversation), characters (text data), and, given a tokenizer, token
lengths as training sees them with the share of rows over the training max length.

Memory stays bounded whatever the row count: per batch only counts of distinct values are kept,
which also makes the percentiles exact."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, Field

from lathe.datasets.columns import MESSAGES_TYPE, describe_schema, format_of_schema
from lathe.errors import InvalidInput
from lathe.training.tokens import token_lengths

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

# Turns per conversation: the upper bound (inclusive) of each histogram bin, then "33 or more".
TURN_BIN_UPPERS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32)
# Token-length bins are powers of two from this size up to max_length, at most this many.
FIRST_TOKEN_BIN = 16
MAX_TOKEN_BINS = 12
CONVERSATION = "conversation"


class DatasetColumn(BaseModel):
    name: str
    type: str = Field(description="string, int, float, bool, messages, list, struct or other.")


class HistogramBin(BaseModel):
    min: int = Field(description="Smallest value in the bin.")
    max: int | None = Field(description="Largest value in the bin; null for the open last bin.")
    count: int = Field(description="Rows in the bin.")


class Summary(BaseModel):
    min: int
    mean: float
    max: int


class TurnStats(Summary):
    """Messages per conversation (every role counts)."""

    histogram: list[HistogramBin]


class TokenStats(BaseModel):
    model: str | None = Field(description="The registered model whose tokenizer counted.")
    max_length: int = Field(description="The training max length the rows are measured against.")
    min: int
    mean: float
    p50: int
    p95: int
    max: int
    over_max_length: int = Field(description="Rows longer than max_length.")
    over_max_length_share: float = Field(description="over_max_length / rows, from 0 to 1.")
    histogram: list[HistogramBin] = Field(
        description="Power-of-two bins up to max_length, then one bin for longer rows."
    )


class DatasetStats(BaseModel):
    rows: int
    columns: list[DatasetColumn]
    format: str = Field(description="messages, text, preference or table.")
    turns: TurnStats | None = Field(description="Messages and preference data; null otherwise.")
    roles: dict[str, int] = Field(description="Messages per role, over all conversations.")
    characters: Summary | None = Field(description="Characters per row of text data.")
    tokens: TokenStats | None = Field(description="Null without a tokenizer or for table data.")


class _Distribution:
    """Counts of distinct integer values: exact min, mean, max, percentiles and histograms in
    memory proportional to the number of distinct values, not of rows."""

    def __init__(self) -> None:
        self.counts: Counter[int] = Counter()

    def add_array(self, values: pa.Array) -> None:
        pairs = pc.value_counts(values.fill_null(0))
        self.counts.update(
            dict(
                zip(
                    pairs.field("values").to_pylist(),
                    pairs.field("counts").to_pylist(),
                    strict=True,
                )
            )
        )

    def add(self, values: Iterable[int]) -> None:
        self.counts.update(values)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> Summary | None:
        total = self.total
        if not total:
            return None
        mean = sum(value * count for value, count in self.counts.items()) / total
        return Summary(min=min(self.counts), mean=round(mean, 2), max=max(self.counts))

    def percentile(self, share: float) -> int:
        """Nearest rank: the smallest value with at least `share` of the rows at or below it."""
        rank = max(1, math.ceil(share * self.total))
        seen = 0
        for value in sorted(self.counts):
            seen += self.counts[value]
            if seen >= rank:
                return value
        raise ValueError("percentile of an empty distribution")

    def histogram(self, uppers: Sequence[int]) -> list[HistogramBin]:
        bins = [HistogramBin(min=0, max=uppers[0], count=0)]
        bins += [HistogramBin(min=low + 1, max=high, count=0) for low, high in pairwise(uppers)]
        bins.append(HistogramBin(min=uppers[-1] + 1, max=None, count=0))
        for value, count in self.counts.items():
            index = next((i for i, upper in enumerate(uppers) if value <= upper), len(uppers))
            bins[index].count += count
        return bins

    def above(self, limit: int) -> int:
        return sum(count for value, count in self.counts.items() if value > limit)


def token_bin_uppers(max_length: int) -> list[int]:
    """16, 32, 64, ... below max_length, then max_length: readable edges, the last of which is
    the training limit, so the bin after it holds exactly the rows that would be cut."""
    powers = [2**k for k in range(max_length.bit_length()) if FIRST_TOKEN_BIN <= 2**k < max_length]
    return [*powers, max_length][-MAX_TOKEN_BINS:]


class _Tally:
    """The running totals of one pass."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase | None) -> None:
        self.tokenizer = tokenizer
        self.rows = 0
        self.turns = _Distribution()
        self.roles: Counter[str] = Counter()
        self.characters = _Distribution()
        self.tokens = _Distribution()

    def add_conversations(self, conversations: pa.Array) -> None:
        self.turns.add_array(pc.list_value_length(conversations))
        roles = pc.value_counts(pc.list_flatten(conversations).field("role").drop_null())
        self.roles.update(
            dict(
                zip(
                    roles.field("values").to_pylist(),
                    roles.field("counts").to_pylist(),
                    strict=True,
                )
            )
        )
        self._add_tokens(conversations)

    def add_texts(self, texts: pa.Array) -> None:
        self.characters.add_array(pc.utf8_length(texts))
        self._add_tokens(texts)

    def _add_tokens(self, values: pa.Array) -> None:
        if self.tokenizer is None:
            return
        batch = pa.RecordBatch.from_arrays([values], names=[CONVERSATION])
        self.tokens.add(token_lengths(self.tokenizer, batch, CONVERSATION))


def _chosen_conversations(batch: pa.RecordBatch, messages_type: pa.DataType) -> pa.Array:
    """Each preference row's prompt followed by its chosen reply."""
    prompts = batch.column("prompt").to_pylist()
    chosen = batch.column("chosen").to_pylist()
    conversations = [
        [{"role": m["role"], "content": m["content"]} for m in (prompt or []) + (reply or [])]
        for prompt, reply in zip(prompts, chosen, strict=True)
    ]
    return pa.array(conversations, type=messages_type)


def _token_stats(tally: _Tally, model: str | None, max_length: int) -> TokenStats | None:
    summary = tally.tokens.summary()
    if tally.tokenizer is None or summary is None:
        return None
    over = tally.tokens.above(max_length)
    return TokenStats(
        model=model,
        max_length=max_length,
        min=summary.min,
        mean=summary.mean,
        p50=tally.tokens.percentile(0.5),
        p95=tally.tokens.percentile(0.95),
        max=summary.max,
        over_max_length=over,
        over_max_length_share=round(over / tally.tokens.total, 4),
        histogram=tally.tokens.histogram(token_bin_uppers(max_length)),
    )


def compute_stats(
    batches: Iterable[pa.RecordBatch],
    *,
    tokenizer: PreTrainedTokenizerBase | None = None,
    max_length: int = 2048,
    model: str | None = None,
    schema: pa.Schema | None = None,
) -> DatasetStats:
    """Stats of the rows in `batches`, in one pass. `model` is the name shown for the
    tokenizer's model. The dataset's schema is `schema` when given (an empty dataset may have
    no batches at all), else the first batch's."""
    if max_length < 1:
        raise InvalidInput(f"max_length must be at least 1, not {max_length}", field="max_length")
    tally = _Tally(tokenizer)
    fmt = format_of_schema(schema) if schema is not None else "table"
    for batch in batches:
        if schema is None:
            schema = batch.schema
            fmt = format_of_schema(schema)
        tally.rows += batch.num_rows
        if fmt == "messages":
            tally.add_conversations(batch.column("messages"))
        elif fmt == "preference":
            tally.add_conversations(_chosen_conversations(batch, MESSAGES_TYPE))
        elif fmt == "text":
            tally.add_texts(batch.column("text"))
    turns = tally.turns.summary()
    return DatasetStats(
        rows=tally.rows,
        columns=[DatasetColumn(**column) for column in describe_schema(schema or pa.schema([]))],
        format=fmt,
        turns=(
            TurnStats(**turns.model_dump(), histogram=tally.turns.histogram(TURN_BIN_UPPERS))
            if turns is not None
            else None
        ),
        roles=dict(sorted(tally.roles.items())),
        characters=tally.characters.summary(),
        tokens=_token_stats(tally, model, max_length),
    )
