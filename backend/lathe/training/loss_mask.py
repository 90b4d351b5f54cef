"""Which tokens of a rendered conversation carry loss: each assistant turn's content and its
end-of-turn marker, and nothing else.

The template is treated as a black box. An assistant turn i spans from the end of
render(messages[:i], add_generation_prompt=True) to the end of render(messages[:i+1]); that works
for any template that renders conversations prefix by prefix (ChatML, Llama 3, Mistral, Gemma,
Phi-3, ...). Whitespace a template writes after an end-of-turn special token (ChatML's newline
after <|im_end|>) is left out: generation stops at that token, so the model never produces it.
A token carries loss when it holds any character of a span: where a template's generation prompt
ends in a space, the first word of the answer is one token with that space ("Ġthe"), and it is
still the answer's first word that training must learn.

Templates that render earlier turns differently once later turns follow (some drop the reasoning
of earlier turns) have no such prefixes; for those, {% generation %} blocks in the template are
used when present, through transformers' assistant mask, and otherwise the conversation is
refused rather than trained with a wrong mask."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lathe.errors import InvalidInput
from lathe.training.chat_template import (
    Messages,
    chat_template_of,
    has_generation_blocks,
    render_messages,
    tokenizer_label,
)

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

Span = tuple[int, int]


class _NotPrefixStable(Exception):
    """The template renders the conversation up to message `index` (0-based) differently on
    its own than as the start of the whole conversation."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


# Per tokenizer: its size when last read, and its special tokens. Reading them takes longer than
# the rest of the masking, so they are kept until the tokenizer grows or goes away.
_SPECIAL_TOKENS: weakref.WeakKeyDictionary[PreTrainedTokenizerBase, tuple[int, tuple[str, ...]]] = (
    weakref.WeakKeyDictionary()
)


def _special_tokens(tokenizer: PreTrainedTokenizerBase) -> tuple[str, ...]:
    size = len(tokenizer)
    cached = _SPECIAL_TOKENS.get(tokenizer)
    if cached is None or cached[0] != size:
        added = [t.content for t in tokenizer.added_tokens_decoder.values() if t.special]
        tokens = tuple(name for name in {*tokenizer.all_special_tokens, *added} if name)
        cached = _SPECIAL_TOKENS[tokenizer] = (size, tokens)
    return cached[1]


def _trim_after_end_marker(tokenizer: PreTrainedTokenizerBase, turn: str) -> int:
    """The length of `turn` without whitespace that follows its end-of-turn special token."""
    kept = turn.rstrip()
    if len(kept) == len(turn) or not kept:
        return len(turn)
    specials = _special_tokens(tokenizer)
    return len(kept) if specials and kept.endswith(specials) else len(turn)


def assistant_spans(
    tokenizer: PreTrainedTokenizerBase, messages: Messages, rendered: str
) -> list[Span]:
    """Character spans of the assistant turns in `rendered` (the whole conversation)."""
    spans: list[Span] = []
    for index, message in enumerate(messages):
        if message.get("role") != "assistant":
            continue
        if index == 0:
            # No prefix to render before a conversation that opens with the assistant.
            raise _NotPrefixStable(index)
        before = render_messages(tokenizer, messages[:index], add_generation_prompt=True)
        through = (
            rendered
            if index == len(messages) - 1
            else render_messages(tokenizer, messages[: index + 1])
        )
        if not (through.startswith(before) and rendered.startswith(through)):
            raise _NotPrefixStable(index)
        start = len(before)
        end = start + _trim_after_end_marker(tokenizer, through[start:])
        if end > start:
            spans.append((start, end))
    return spans


def flags_from_offsets(offsets: Sequence[tuple[int, int]], spans: Sequence[Span]) -> list[bool]:
    """For each token (by its character offsets), whether it holds a character of one of
    `spans` (an empty token: whether it sits inside one)."""
    flags: list[bool] = []
    current = 0
    for token_start, token_end in offsets:
        while current < len(spans) and spans[current][1] <= token_start:
            current += 1
        if current == len(spans):
            flags.append(False)
            continue
        span_start = spans[current][0]
        if token_start == token_end:
            flags.append(span_start <= token_start)
        else:
            flags.append(token_end > span_start)
    return flags


def _generation_flags(tokenizer: PreTrainedTokenizerBase, messages: Messages) -> list[bool]:
    from transformers import BatchEncoding

    encoded = tokenizer.apply_chat_template(
        list(messages),
        chat_template=chat_template_of(tokenizer),
        tokenize=True,
        return_dict=True,
        return_assistant_tokens_mask=True,
    )
    if not isinstance(encoded, BatchEncoding):
        raise TypeError(f"apply_chat_template returned {type(encoded).__name__}, not an encoding")
    return [bool(flag) for flag in encoded["assistant_masks"]]


def loss_flags(
    tokenizer: PreTrainedTokenizerBase,
    messages: Messages,
    rendered: str,
    offsets: Sequence[tuple[int, int]],
) -> list[bool]:
    """Per token of `rendered` (tokenized without added special tokens, with `offsets`),
    whether it is assistant output that training learns."""
    try:
        return flags_from_offsets(offsets, assistant_spans(tokenizer, messages, rendered))
    except _NotPrefixStable as unstable:
        if has_generation_blocks(tokenizer):
            flags = _generation_flags(tokenizer, messages)
            if len(flags) == len(offsets):
                return flags
        raise InvalidInput(
            f"the chat template of {tokenizer_label(tokenizer)} renders the conversation up to "
            f"message {unstable.index + 1} differently from the start of the whole "
            "conversation, so the assistant's tokens cannot be found exactly; use a template "
            "that renders conversations prefix by prefix or marks assistant output with "
            "{% generation %} blocks",
            field="messages",
        ) from None
