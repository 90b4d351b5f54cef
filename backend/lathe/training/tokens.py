"""How training sees a row: the tokenizer of a registered model, a conversation rendered with its
chat template, tokens with labels that carry loss only on assistant output, token counts, and
the preview of exactly which text is trained on. The training engine, the `token_length` recipe
node, dataset stats and the recipe preview all go through these functions, so what the preview
shows is what training trains on."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import pyarrow as pa
from pydantic import BaseModel, Field

from lathe.datasets.columns import column_type
from lathe.errors import InvalidInput
from lathe.inference.model_files import folder_identity, model_files
from lathe.models.reasons import short_reason
from lathe.settings import Settings
from lathe.training.chat_template import Messages, render_messages, tokenizer_label
from lathe.training.loss_mask import loss_flags

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

__all__ = [
    "IGNORE_INDEX",
    "TokenizedConversation",
    "TrainingSegment",
    "TrainingView",
    "load_tokenizer",
    "render_messages",
    "token_lengths",
    "tokenize_conversation",
    "training_view",
]

# The label PyTorch's cross-entropy (and transformers' loss) ignores.
IGNORE_INDEX = -100
TOKENIZER_CACHE_SIZE = 8


@lru_cache(maxsize=TOKENIZER_CACHE_SIZE)
def _cached_tokenizer(folder: str, _inode: int, _mtime_ns: int) -> PreTrainedTokenizerBase:
    # Imported here: it pulls in torch, which most callers of this module never need.
    from transformers import AutoTokenizer

    try:
        tokenizer: PreTrainedTokenizerBase = AutoTokenizer.from_pretrained(
            folder, local_files_only=True
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InvalidInput(
            f"cannot load the tokenizer in {folder}: {short_reason(error)}", field="model"
        ) from error
    return tokenizer


def load_tokenizer(settings: Settings, model: str) -> PreTrainedTokenizerBase:
    """The tokenizer of a registered model (name or id). An adapter uses the tokenizer saved
    with it, else its base model's. Shared and cached: callers must not modify it."""
    return _cached_tokenizer(*folder_identity(model_files(settings, model).tokenizer_folder))


@dataclass(frozen=True)
class TokenizedConversation:
    """One training example. labels[i] is input_ids[i] where token i is assistant output that
    training learns, else IGNORE_INDEX (the model shifts labels itself)."""

    input_ids: list[int]
    labels: list[int]
    attention_mask: list[int]
    truncated: bool


@dataclass(frozen=True)
class _Encoded:
    conversation: TokenizedConversation
    text: str
    offsets: list[tuple[int, int]]


def _check_max_length(max_length: int | None) -> None:
    if max_length is not None and max_length < 1:
        raise InvalidInput(f"max_length must be at least 1, not {max_length}", field="max_length")


def _encode(
    tokenizer: PreTrainedTokenizerBase, messages: Messages, max_length: int | None
) -> _Encoded:
    _check_max_length(max_length)
    if not tokenizer.is_fast:
        raise InvalidInput(
            f"the tokenizer of {tokenizer_label(tokenizer)} has no fast (Rust) version, which "
            "loss masking needs for character offsets",
            field="model",
        )
    text = render_messages(tokenizer, messages)
    # The template writes the special tokens (BOS included) itself, as apply_chat_template does.
    encoding = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    input_ids: list[int] = list(encoding["input_ids"])
    offsets = [(int(start), int(end)) for start, end in encoding["offset_mapping"]]
    flags = loss_flags(tokenizer, messages, text, offsets)
    truncated = max_length is not None and len(input_ids) > max_length
    if truncated:
        input_ids, offsets, flags = input_ids[:max_length], offsets[:max_length], flags[:max_length]
    labels = [token if flag else IGNORE_INDEX for token, flag in zip(input_ids, flags, strict=True)]
    conversation = TokenizedConversation(
        input_ids=input_ids,
        labels=labels,
        attention_mask=[1] * len(input_ids),
        truncated=truncated,
    )
    return _Encoded(conversation=conversation, text=text, offsets=offsets)


def tokenize_conversation(
    tokenizer: PreTrainedTokenizerBase, messages: Messages, max_length: int | None = None
) -> TokenizedConversation:
    """Tokens and labels of a conversation as training sees it, cut to `max_length` tokens
    (the end is dropped) when given."""
    return _encode(tokenizer, messages, max_length).conversation


def token_lengths(
    tokenizer: PreTrainedTokenizerBase, table: pa.Table | pa.RecordBatch, column: str
) -> list[int]:
    """Token count per row of `column`: a messages column counts the whole rendered
    conversation (as tokenize_conversation does); a string column counts the text as the
    tokenizer encodes a document (with the special tokens it adds by itself). Null or empty
    cells count 0."""
    if column not in table.schema.names:
        raise InvalidInput(
            f"no column {column!r}; the columns are {', '.join(table.schema.names) or 'none'}",
            field="column",
        )
    kind = column_type(table.schema.field(column).type)
    values = table.column(column).to_pylist()
    if kind == "messages":
        texts = [_render_row(tokenizer, messages, row) for row, messages in enumerate(values)]
        add_special_tokens = False
    elif kind == "string":
        texts = [value or "" for value in values]
        add_special_tokens = True
    else:
        raise InvalidInput(
            f"column {column!r} is {kind}; token lengths need a messages or string column",
            field="column",
        )
    if not texts:
        return []
    encoded = tokenizer(texts, add_special_tokens=add_special_tokens, return_attention_mask=False)
    return [len(ids) if text else 0 for ids, text in zip(encoded["input_ids"], texts, strict=True)]


def _render_row(
    tokenizer: PreTrainedTokenizerBase, messages: list[dict[str, str]] | None, row: int
) -> str:
    if not messages:
        return ""
    try:
        return render_messages(tokenizer, messages)
    except InvalidInput as error:
        raise InvalidInput(f"row {row + 1}: {error.message}", field="messages") from error


class TrainingSegment(BaseModel):
    text: str = Field(description="Rendered text of consecutive tokens with the same flag.")
    loss: bool = Field(description="Whether training learns these tokens (assistant output).")


class TrainingView(BaseModel):
    """A conversation exactly as training sees it: the rendered chat template cut into runs of
    tokens that do and do not carry loss."""

    segments: list[TrainingSegment]
    tokens: int = Field(description="Tokens after truncation.")
    loss_tokens: int = Field(description="Tokens that carry loss.")
    truncated: bool = Field(description="Whether the conversation was cut at max_length.")


def training_view(
    tokenizer: PreTrainedTokenizerBase, messages: Messages, max_length: int | None = None
) -> TrainingView:
    encoded = _encode(tokenizer, messages, max_length)
    conversation = encoded.conversation
    flags = [label != IGNORE_INDEX for label in conversation.labels]
    # Runs of equal flags; each takes the text from its first token's start to the next
    # run's start, so the segments join up to the rendered text without gaps.
    starts = [i for i in range(len(flags)) if i == 0 or flags[i] != flags[i - 1]]
    end_of_text = encoded.offsets[-1][1] if conversation.truncated else len(encoded.text)
    bounds = [0, *(encoded.offsets[i][0] for i in starts[1:]), end_of_text] if starts else []
    segments = [
        TrainingSegment(text=encoded.text[bounds[n] : bounds[n + 1]], loss=flags[start])
        for n, start in enumerate(starts)
    ]
    return TrainingView(
        segments=segments,
        tokens=len(conversation.input_ids),
        loss_tokens=sum(flags),
        truncated=conversation.truncated,
    )
