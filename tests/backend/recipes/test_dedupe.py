"""Exact and near-duplicate removal."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from lathe.recipes.nodes.dedupe import row_digests
from tests.backend.recipes.conftest import Apply, turns


def test_exact_over_all_columns_keeps_the_first_of_each(apply: Apply) -> None:
    rows = [
        {"a": 1, "b": "x"},
        {"a": 1, "b": "y"},
        {"a": 1, "b": "x"},
        {"a": 2, "b": "x"},
        {"a": 1, "b": "y"},
    ]
    assert apply("dedupe", rows) == [rows[0], rows[1], rows[3]]
    assert apply.last is not None and apply.last.stats.rows_out == 3


def test_exact_over_chosen_columns(apply: Apply) -> None:
    rows = [{"q": "a", "n": 1}, {"q": "a", "n": 2}, {"q": "b", "n": 1}]
    assert apply("dedupe", rows, columns=["q"]) == [rows[0], rows[2]]


def test_exact_on_conversations(apply: Apply) -> None:
    rows: list[dict[str, Any]] = [
        {"messages": turns("hi", "yo")},
        {"messages": turns("hi", "yo")},
        {"messages": [{"role": "assistant", "content": "hi"}, {"role": "user", "content": "yo"}]},
        {"messages": turns("hi", "yo", system="s")},
        {"messages": None},
        {"messages": []},
        {"messages": None},
    ]
    assert apply("dedupe", rows) == [rows[0], rows[2], rows[3], rows[4], rows[5]]


def test_the_row_encoding_is_unambiguous() -> None:
    batch = pa.RecordBatch.from_pylist(
        [
            {"a": "ab", "b": "c"},
            {"a": "a", "b": "bc"},
            {"a": None, "b": "c"},
            {"a": "~", "b": "c"},
            {"a": "", "b": "c"},
            {"a": "1:a", "b": ""},
        ]
    )
    digests = row_digests(batch, ["a", "b"])
    assert len(set(digests)) == len(digests)
    assert all(len(digest) == 16 for digest in digests)
    lists = pa.RecordBatch.from_pylist([{"t": ["ab", "c"]}, {"t": ["a", "bc"]}, {"t": ["abc"]}])
    assert len(set(row_digests(lists, ["t"]))) == 3


def test_near_duplicates(apply: Apply) -> None:
    base = "the quick brown fox jumps over the lazy dog while the cat sleeps in the warm sun"
    rows = [
        {"text": base},
        {"text": base.replace("warm", "hot")},
        {"text": base.upper()},  # shingles are lower-cased
        {"text": "an entirely different sentence about training small language models"},
    ]
    kept = apply("dedupe", rows, mode="near", threshold=0.6)
    assert kept == [rows[0], rows[3]]
    strict = apply("dedupe", rows, mode="near", threshold=0.99, columns=["text"])
    assert strict == [rows[0], rows[1], rows[3]]


def test_near_duplicates_of_conversations(apply: Apply) -> None:
    answer = "Paris is the capital of France and its largest city by population"
    rows = [
        {"messages": turns("What is the capital of France?", answer)},
        {"messages": turns("What is the capital of France?", answer + ".")},
        {"messages": turns("Name a prime number", "Seven is a prime number")},
    ]
    assert apply("dedupe", rows, mode="near", threshold=0.7) == [rows[0], rows[2]]
