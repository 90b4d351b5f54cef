"""Training rows: labels on assistant turns only (or every token), rows without trainable
tokens dropped and counted, text rows as plain language modelling, a seeded eval split, and
the padding collator."""

from __future__ import annotations

import pyarrow as pa
import pytest

from lathe.db.tables import ModelRow
from lathe.errors import InvalidInput
from lathe.settings import Settings
from lathe.training.config import TrainingConfig
from lathe.training.data import (
    PaddingCollator,
    TrainingRows,
    prepare_data,
    split,
    tokenize_table,
)
from lathe.training.tokens import IGNORE_INDEX, load_tokenizer
from tests.backend.training.conftest import AddDataset, name_rows

NO_ASSISTANT = {"messages": [{"role": "user", "content": "hello"}]}


def test_conversations_train_on_assistant_turns_and_rows_without_them_are_dropped(
    settings: Settings, tiny_model: ModelRow
) -> None:
    tokenizer = load_tokenizer(settings, "tiny")
    table = pa.Table.from_pylist([*name_rows(2), NO_ASSISTANT, {"messages": []}])
    rows = tokenize_table(
        tokenizer, table, fmt="messages", max_length=64, completion_only_loss=True
    )
    assert (len(rows.examples), rows.dropped, rows.truncated) == (2, 2, 0)
    example = rows.examples[0]
    learned = tokenizer.decode([t for t in example["labels"] if t != IGNORE_INDEX])
    assert "My name is Lathe." in learned and "What is your name" not in learned
    assert 0 < rows.target_tokens < rows.tokens

    everything = tokenize_table(
        tokenizer, table, fmt="messages", max_length=6, completion_only_loss=False
    )
    assert len(everything.examples) == 3 and everything.truncated == 3
    assert all(e["labels"] == e["input_ids"] for e in everything.examples)
    assert all(len(e["input_ids"]) == 6 for e in everything.examples)


def test_text_rows_are_plain_language_modelling(settings: Settings, tiny_model: ModelRow) -> None:
    tokenizer = load_tokenizer(settings, "tiny")
    table = pa.Table.from_pylist([{"text": "hello world"}, {"text": ""}, {"text": None}])
    rows = tokenize_table(tokenizer, table, fmt="text", max_length=64, completion_only_loss=True)
    assert (len(rows.examples), rows.dropped) == (1, 2)
    example = rows.examples[0]
    assert example["labels"] == example["input_ids"]
    assert example["input_ids"][-1] == tokenizer.eos_token_id


def test_the_eval_split_is_seeded() -> None:
    rows = TrainingRows(examples=[{"input_ids": [i, i], "labels": [i, i]} for i in range(20)])
    train, held = split(rows, 0.25, seed=1)
    again_train, again_held = split(rows, 0.25, seed=1)
    assert (len(train.examples), len(held.examples)) == (15, 5)
    assert held.examples == again_held.examples and train.examples == again_train.examples
    assert held.examples != split(rows, 0.25, seed=2)[1].examples
    with pytest.raises(InvalidInput):
        split(TrainingRows(examples=rows.examples[:1]), 0.5, seed=1)


def test_the_padding_collator_pads_right_and_ignores_padding() -> None:
    batch = PaddingCollator(pad_token_id=0)(
        [{"input_ids": [5, 6, 7], "labels": [-100, 6, 7]}, {"input_ids": [8], "labels": [8]}]
    )
    assert batch["input_ids"].tolist() == [[5, 6, 7], [8, 0, 0]]
    assert batch["labels"].tolist() == [[-100, 6, 7], [8, -100, -100]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1], [1, 0, 0]]


def test_prepare_data_reads_an_eval_dataset_or_splits_by_fraction(
    settings: Settings, tiny_model: ModelRow, add_dataset: AddDataset
) -> None:
    add_dataset("names", [*name_rows(10), NO_ASSISTANT])
    add_dataset("held-out", name_rows(3))
    tokenizer = load_tokenizer(settings, "tiny")
    base = {"model": "tiny", "dataset": "names", "max_length": 64}
    separate = prepare_data(settings, TrainingConfig(**base, eval_dataset="held-out"), tokenizer)
    assert separate.eval is not None and len(separate.eval.examples) == 3
    assert separate.eval_dataset is not None and separate.eval_dataset.name == "held-out"
    summary = separate.summary()
    assert (summary["train_rows"], summary["eval_rows"], summary["dropped_rows"]) == (10, 3, 1)
    fraction = prepare_data(settings, TrainingConfig(**base, eval_fraction=0.2), tokenizer)
    assert fraction.eval is not None
    assert (len(fraction.train.examples), len(fraction.eval.examples)) == (8, 2)
