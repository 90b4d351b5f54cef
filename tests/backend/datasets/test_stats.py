"""Dataset stats in one streaming pass: rows, columns, turns, roles, characters, token lengths."""

from __future__ import annotations

import pyarrow as pa
import pytest

from lathe.datasets.columns import CANONICAL_SCHEMAS, MESSAGES_TYPE
from lathe.datasets.stats import (
    DatasetColumn,
    DatasetStats,
    HistogramBin,
    Summary,
    compute_stats,
    token_bin_uppers,
)
from lathe.errors import InvalidInput
from lathe.training.tokens import tokenize_conversation
from tests.backend.training.templates import chatml, llama3


def _chat(*contents: str, system: str | None = None) -> list[dict[str, str]]:
    messages = [{"role": "system", "content": system}] if system else []
    roles = ("user", "assistant")
    messages += [{"role": roles[i % 2], "content": text} for i, text in enumerate(contents)]
    return messages


CONVERSATIONS = [
    _chat("hi", "hello"),
    _chat("hi", "hello", "more", "sure", system="Be nice."),
    _chat("the quick brown fox", "jumps over the lazy dog"),
]


def _batches(rows: list[list[dict[str, str]]], size: int) -> list[pa.RecordBatch]:
    table = pa.table({"messages": pa.array(rows, type=MESSAGES_TYPE)})
    batches: list[pa.RecordBatch] = table.to_batches(max_chunksize=size)
    return batches


def test_messages_turns_roles_and_columns() -> None:
    stats = compute_stats(_batches(CONVERSATIONS, 2))
    assert stats.rows == 3
    assert stats.format == "messages"
    assert [column.model_dump() for column in stats.columns] == [
        {"name": "messages", "type": "messages"}
    ]
    assert (stats.turns.min, stats.turns.mean, stats.turns.max) == (2, 3.0, 5)  # type: ignore[union-attr]
    histogram = stats.turns.histogram  # type: ignore[union-attr]
    assert histogram[:5] == [
        HistogramBin(min=0, max=1, count=0),
        HistogramBin(min=2, max=2, count=2),
        HistogramBin(min=3, max=3, count=0),
        HistogramBin(min=4, max=4, count=0),
        HistogramBin(min=5, max=6, count=1),
    ]
    assert histogram[-1] == HistogramBin(min=33, max=None, count=0)
    assert stats.roles == {"assistant": 4, "system": 1, "user": 4}
    assert stats.characters is None
    assert stats.tokens is None


def test_token_lengths_with_a_tokenizer() -> None:
    tokenizer = chatml()
    lengths = sorted(len(tokenize_conversation(tokenizer, c).input_ids) for c in CONVERSATIONS)
    stats = compute_stats(_batches(CONVERSATIONS, 1), tokenizer=tokenizer, max_length=30, model="m")
    tokens = stats.tokens
    assert tokens is not None
    assert tokens.model == "m" and tokens.max_length == 30
    assert (tokens.min, tokens.p50, tokens.max) == (lengths[0], lengths[1], lengths[2])
    assert tokens.p95 == lengths[2]
    assert tokens.mean == round(sum(lengths) / 3, 2)
    over = sum(length > 30 for length in lengths)
    assert tokens.over_max_length == over
    assert tokens.over_max_length_share == round(over / 3, 4)
    assert [(b.min, b.max) for b in tokens.histogram] == [(0, 16), (17, 30), (31, None)]
    assert sum(b.count for b in tokens.histogram) == 3
    assert tokens.histogram[-1].count == over


def test_batching_does_not_change_the_answer() -> None:
    rows = CONVERSATIONS * 7
    tokenizer = llama3()
    one = compute_stats(_batches(rows, 100), tokenizer=tokenizer, max_length=64)
    many = compute_stats(_batches(rows, 3), tokenizer=tokenizer, max_length=64)
    assert one == many
    assert one.rows == 21


def test_text_characters_and_tokens() -> None:
    table = pa.table({"text": ["abc", "é✓", "", None]})
    stats = compute_stats(table.to_batches(), tokenizer=llama3(), max_length=8)
    assert stats.format == "text"
    assert stats.characters == Summary(min=0, mean=1.25, max=3)
    assert stats.turns is None and stats.roles == {}
    assert stats.tokens is not None and stats.tokens.min == 0
    assert [(b.min, b.max) for b in stats.tokens.histogram] == [(0, 8), (9, None)]


def test_preference_counts_prompt_and_chosen() -> None:
    prompt = [{"role": "user", "content": "hi"}]
    table = pa.table(
        {
            "prompt": pa.array([prompt, prompt], type=MESSAGES_TYPE),
            "chosen": pa.array(
                [[{"role": "assistant", "content": "hello there"}], []], type=MESSAGES_TYPE
            ),
            "rejected": pa.array(
                [[{"role": "assistant", "content": "go away"}]] * 2, type=MESSAGES_TYPE
            ),
        },
        schema=CANONICAL_SCHEMAS["preference"],
    )
    tokenizer = chatml()
    stats = compute_stats(table.to_batches(), tokenizer=tokenizer)
    assert stats.format == "preference"
    assert (stats.turns.min, stats.turns.max) == (1, 2)  # type: ignore[union-attr]
    assert stats.roles == {"assistant": 1, "user": 2}
    chosen = [*prompt, {"role": "assistant", "content": "hello there"}]
    assert stats.tokens is not None
    assert stats.tokens.max == len(tokenize_conversation(tokenizer, chosen).input_ids)


def test_table_data_has_rows_and_columns_only() -> None:
    table = pa.table({"question": ["a", "b"], "score": [1.5, 2.0]})
    stats = compute_stats(table.to_batches(), tokenizer=chatml())
    assert stats.format == "table"
    assert stats.rows == 2
    assert [(c.name, c.type) for c in stats.columns] == [("question", "string"), ("score", "float")]
    assert stats.turns is None and stats.characters is None and stats.tokens is None


def test_no_rows() -> None:
    empty = pa.table({"messages": pa.array([], type=MESSAGES_TYPE)})
    # An empty table has no batches: its schema comes separately.
    assert empty.to_batches() == []
    stats = compute_stats(empty.to_batches(), tokenizer=chatml(), schema=empty.schema)
    assert stats == DatasetStats(
        rows=0,
        columns=[DatasetColumn(name="messages", type="messages")],
        format="messages",
        turns=None,
        roles={},
        characters=None,
        tokens=None,
    )
    assert compute_stats([]).model_dump(include={"rows", "columns", "format"}) == {
        "rows": 0,
        "columns": [],
        "format": "table",
    }


def test_stats_are_json() -> None:
    stats = compute_stats(_batches(CONVERSATIONS, 2), tokenizer=chatml(), model="tiny")
    assert DatasetStats.model_validate(stats.model_dump(mode="json")) == stats


@pytest.mark.parametrize(
    ("max_length", "uppers"),
    [
        (2048, [16, 32, 64, 128, 256, 512, 1024, 2048]),
        (3000, [16, 32, 64, 128, 256, 512, 1024, 2048, 3000]),
        (100, [16, 32, 64, 100]),
        (16, [16]),
        (5, [5]),
        (131072, [2**k for k in range(6, 17)] + [131072]),
    ],
)
def test_token_bins(max_length: int, uppers: list[int]) -> None:
    assert token_bin_uppers(max_length) == uppers


def test_bad_max_length() -> None:
    with pytest.raises(InvalidInput, match="max_length must be at least 1"):
        compute_stats([], max_length=0)
