"""Training data: dataset versions read from Parquet, tokenised exactly as the preview shows
(lathe.training.tokens), rows without trainable tokens dropped, an eval split by fraction with
the seed, and the collators (padded batches, or packed rows whose position ids restart at each
example so attention never crosses examples)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from lathe.datasets import records
from lathe.datasets.storage import version_file
from lathe.db.tables import DatasetRow, DatasetVersionRow
from lathe.errors import InvalidInput, NotFound
from lathe.settings import Settings
from lathe.training.config import TrainingConfig
from lathe.training.tokens import IGNORE_INDEX, tokenize_conversation

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedTokenizerBase

__all__ = [
    "TRAINABLE_FORMATS",
    "DatasetRef",
    "Example",
    "PaddingCollator",
    "PreparedData",
    "TrainingRows",
    "make_collator",
    "prepare_data",
    "resolve_version",
    "tokenize_table",
]

TRAINABLE_FORMATS = ("messages", "text")
Example = dict[str, list[int]]


@dataclass(frozen=True)
class DatasetRef:
    """A resolved dataset version (what the run trained on, stored with the result)."""

    dataset_id: int
    name: str
    version: int
    version_id: int
    format: str
    rows: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.dataset_id,
            "name": self.name,
            "version": self.version,
            "version_id": self.version_id,
            "format": self.format,
            "rows": self.rows,
        }


def resolve_version(
    settings: Settings, ref: str, version: int, *, field_name: str = "dataset"
) -> tuple[DatasetRef, DatasetVersionRow]:
    """The dataset version a config points at; InvalidInput naming the field when it is missing,
    empty or in a format training cannot use."""
    try:
        dataset: DatasetRow = records.resolve(settings, ref)
        row = records.get_version(settings, dataset.id, version)
    except NotFound as error:
        raise InvalidInput(error.message, field=field_name) from error
    if row.format not in TRAINABLE_FORMATS:
        raise InvalidInput(
            f"dataset {dataset.name} v{row.version} is {row.format} data; training needs "
            "messages (chat) or text rows",
            field=field_name,
        )
    if row.row_count == 0:
        raise InvalidInput(f"dataset {dataset.name} v{row.version} has no rows", field=field_name)
    ref_out = DatasetRef(
        dataset_id=dataset.id,
        name=dataset.name,
        version=row.version,
        version_id=row.id,
        format=row.format,
        rows=row.row_count,
    )
    return ref_out, row


def read_table(settings: Settings, row: DatasetVersionRow) -> pa.Table:
    column = "messages" if row.format == "messages" else "text"
    return pq.read_table(version_file(settings, row.path), columns=[column])


@dataclass
class TrainingRows:
    """Tokenised examples of one table, with what was left out."""

    examples: list[Example] = field(default_factory=list)
    dropped: int = 0
    truncated: int = 0

    @property
    def tokens(self) -> int:
        return sum(len(example["input_ids"]) for example in self.examples)

    @property
    def target_tokens(self) -> int:
        return sum(
            sum(label != IGNORE_INDEX for label in example["labels"]) for example in self.examples
        )


def tokenize_table(
    tokenizer: PreTrainedTokenizerBase,
    table: pa.Table,
    *,
    fmt: str,
    max_length: int,
    completion_only_loss: bool,
) -> TrainingRows:
    """Examples for each row: conversations through the chat template with labels on the
    assistant turns only (or on every token without completion_only_loss); text rows as plain
    language modelling. Rows with no trainable token (no assistant turn, empty text) are
    dropped and counted."""
    out = TrainingRows()
    if fmt == "messages":
        for messages in table.column("messages").to_pylist():
            if not messages:
                out.dropped += 1
                continue
            conversation = tokenize_conversation(tokenizer, messages, max_length)
            labels = conversation.labels if completion_only_loss else list(conversation.input_ids)
            _add(out, conversation.input_ids, labels, conversation.truncated)
    else:
        eos = tokenizer.eos_token_id
        for text in table.column("text").to_pylist():
            if not text:
                out.dropped += 1
                continue
            ids: list[int] = list(tokenizer(text, add_special_tokens=True)["input_ids"])
            if isinstance(eos, int) and (not ids or ids[-1] != eos):
                ids.append(eos)
            truncated = len(ids) > max_length
            ids = ids[:max_length]
            _add(out, ids, list(ids), truncated)
    return out


def _add(out: TrainingRows, input_ids: list[int], labels: list[int], truncated: bool) -> None:
    # A label is predicted from the token before it: the first token alone never trains.
    if len(input_ids) < 2 or all(label == IGNORE_INDEX for label in labels[1:]):
        out.dropped += 1
        return
    out.truncated += int(truncated)
    out.examples.append({"input_ids": list(input_ids), "labels": list(labels)})


@dataclass
class PreparedData:
    train: TrainingRows
    eval: TrainingRows | None
    dataset: DatasetRef
    eval_dataset: DatasetRef | None

    def summary(self) -> dict[str, Any]:
        return {
            "train_rows": len(self.train.examples),
            "eval_rows": len(self.eval.examples) if self.eval is not None else 0,
            "dropped_rows": self.train.dropped + (self.eval.dropped if self.eval else 0),
            "truncated_rows": self.train.truncated + (self.eval.truncated if self.eval else 0),
            "train_tokens": self.train.tokens,
            "train_target_tokens": self.train.target_tokens,
        }


def prepare_data(
    settings: Settings, config: TrainingConfig, tokenizer: PreTrainedTokenizerBase
) -> PreparedData:
    """The tokenised train (and eval) examples of a config. InvalidInput (field dataset) when
    nothing is left to train on."""
    dataset, row = resolve_version(settings, config.dataset, config.dataset_version)
    train = _tokenize_version(settings, config, tokenizer, row)
    if not train.examples:
        raise InvalidInput(
            f"dataset {dataset.name} v{dataset.version} has no row with trainable tokens "
            f"({train.dropped} rows without an assistant turn or text)",
            field="dataset",
        )
    eval_rows: TrainingRows | None = None
    eval_ref: DatasetRef | None = None
    if config.eval_dataset:
        eval_ref, eval_version = resolve_version(
            settings, config.eval_dataset, config.eval_dataset_version, field_name="eval_dataset"
        )
        eval_rows = _tokenize_version(settings, config, tokenizer, eval_version)
        if not eval_rows.examples:
            raise InvalidInput(
                f"eval dataset {eval_ref.name} v{eval_ref.version} has no row with trainable "
                "tokens",
                field="eval_dataset",
            )
    elif config.eval_fraction > 0:
        train, eval_rows = split(train, config.eval_fraction, config.seed)
    return PreparedData(train=train, eval=eval_rows, dataset=dataset, eval_dataset=eval_ref)


def _tokenize_version(
    settings: Settings,
    config: TrainingConfig,
    tokenizer: PreTrainedTokenizerBase,
    row: DatasetVersionRow,
) -> TrainingRows:
    return tokenize_table(
        tokenizer,
        read_table(settings, row),
        fmt=row.format,
        max_length=config.max_length,
        completion_only_loss=config.completion_only_loss,
    )


def split(rows: TrainingRows, fraction: float, seed: int) -> tuple[TrainingRows, TrainingRows]:
    """Hold out round(fraction * n) examples (at least 1, leaving at least 1), chosen with
    `seed`; both parts keep the original order."""
    count = len(rows.examples)
    if count < 2:
        raise InvalidInput(
            f"eval_fraction needs at least 2 trainable rows; the dataset has {count}",
            field="eval_fraction",
        )
    held = min(max(1, round(fraction * count)), count - 1)
    chosen = set(random.Random(seed).sample(range(count), held))
    train = TrainingRows(
        examples=[e for i, e in enumerate(rows.examples) if i not in chosen],
        dropped=rows.dropped,
        truncated=rows.truncated,
    )
    held_out = TrainingRows(examples=[e for i, e in enumerate(rows.examples) if i in chosen])
    return train, held_out


class ExampleDataset:
    """A map-style dataset over tokenised examples (what Trainer's DataLoader reads)."""

    def __init__(self, examples: Sequence[Example]) -> None:
        self.examples = list(examples)

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, index: int) -> Example:
        return self.examples[index]


class PaddingCollator:
    """Right-pads a batch: pad token ids, attention mask 0 and label IGNORE_INDEX on padding."""

    def __init__(self, pad_token_id: int) -> None:
        self.pad_token_id = pad_token_id

    def __call__(self, features: list[Example]) -> dict[str, torch.Tensor]:
        import torch

        width = max(len(feature["input_ids"]) for feature in features)
        input_ids, labels, mask = [], [], []
        for feature in features:
            pad = width - len(feature["input_ids"])
            input_ids.append(list(feature["input_ids"]) + [self.pad_token_id] * pad)
            labels.append(list(feature["labels"]) + [IGNORE_INDEX] * pad)
            mask.append([1] * len(feature["input_ids"]) + [0] * pad)
        return {
            "input_ids": torch.tensor(input_ids, dtype=torch.long),
            "labels": torch.tensor(labels, dtype=torch.long),
            "attention_mask": torch.tensor(mask, dtype=torch.long),
        }


def make_collator(tokenizer: PreTrainedTokenizerBase, *, packing: bool) -> Any:
    """Packing: transformers' DataCollatorWithFlattening (one row per batch, position ids
    restarting at each example, the first label of each example ignored), which Llama-style
    models turn into a block-diagonal mask. Otherwise padded batches."""
    if packing:
        from transformers import DataCollatorWithFlattening

        return DataCollatorWithFlattening(  # type: ignore[no-untyped-call]
            return_position_ids=True, separator_id=IGNORE_INDEX
        )
    pad = tokenizer.pad_token_id
    if pad is None:
        pad = tokenizer.eos_token_id
    return PaddingCollator(int(pad) if isinstance(pad, int) else 0)
