"""Rendering conversations with a tokenizer's chat template, with errors a person can act on."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from jinja2 import TemplateError

from lathe.errors import InvalidInput
from lathe.models.reasons import short_reason

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

Messages = Sequence[dict[str, str]]

_GENERATION_BLOCK = re.compile(r"\{%-?\s*generation\s*-?%\}")


def tokenizer_label(tokenizer: PreTrainedTokenizerBase) -> str:
    """How errors name a tokenizer: the folder (or hub id) it was loaded from."""
    return str(getattr(tokenizer, "name_or_path", "") or "this tokenizer")


def chat_template_of(tokenizer: PreTrainedTokenizerBase) -> str:
    template = tokenizer.chat_template
    if isinstance(template, dict):
        template = template.get("default")
    if not isinstance(template, str) or not template.strip():
        raise InvalidInput(
            f"the tokenizer of {tokenizer_label(tokenizer)} has no chat template, so "
            "conversations cannot be rendered for it; pick a chat (instruct) model",
            field="model",
        )
    return template


def has_generation_blocks(tokenizer: PreTrainedTokenizerBase) -> bool:
    """Whether the template marks assistant output with {% generation %} blocks."""
    return _GENERATION_BLOCK.search(chat_template_of(tokenizer)) is not None


def render_messages(
    tokenizer: PreTrainedTokenizerBase,
    messages: Messages,
    *,
    add_generation_prompt: bool = False,
) -> str:
    """The conversation as the model reads it, rendered with the model's chat template.
    With `add_generation_prompt` it ends with the header that opens an assistant turn."""
    template = chat_template_of(tokenizer)
    if not messages:
        raise InvalidInput("the conversation has no messages", field="messages")
    try:
        rendered = tokenizer.apply_chat_template(
            list(messages),
            chat_template=template,
            tokenize=False,
            add_generation_prompt=add_generation_prompt,
        )
    except (TemplateError, ValueError, TypeError, KeyError) as error:
        # Templates refuse conversations with raise_exception(...) (roles must alternate,
        # no system prompt allowed, ...); that message is what the person needs to see.
        raise InvalidInput(
            f"the chat template of {tokenizer_label(tokenizer)} refused the conversation: "
            f"{short_reason(error)}",
            field="messages",
        ) from error
    if not isinstance(rendered, str):
        raise TypeError(f"apply_chat_template returned {type(rendered).__name__}, not text")
    return rendered
