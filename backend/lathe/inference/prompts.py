"""Prompts for chat: a conversation rendered with the model's chat template (or one sent with
the request) or a plain text prompt, tokenized and checked against the model's context; the
reply's token budget is what the context leaves unless the request sets one. A prompt that
does not fit is refused unless truncation was asked for, which drops the oldest turns (never
the system prompt or the last message)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jinja2 import TemplateError

from lathe.errors import InvalidInput
from lathe.inference.engine import ChatTarget
from lathe.models.reasons import short_reason
from lathe.training.chat_template import Messages, chat_template_of, render_messages

# The reply budget when neither the request nor the model's config bounds it.
UNBOUNDED_CONTEXT_MAX_TOKENS = 4096


@dataclass(frozen=True)
class PreparedPrompt:
    ids: list[int]
    max_new_tokens: int
    dropped_messages: int = 0


def _render(target: ChatTarget, messages: Messages, template: str | None) -> str:
    tokenizer = target.tokenizer
    if template is None:
        try:
            chat_template_of(tokenizer)
        except InvalidInput as error:
            raise InvalidInput(
                f"model {target.name} has no chat template; send chat_template with the "
                "request, or use a chat (instruct) model",
                field="model",
            ) from error
        return render_messages(tokenizer, messages, add_generation_prompt=True)
    try:
        rendered = tokenizer.apply_chat_template(
            list(messages), chat_template=template, tokenize=False, add_generation_prompt=True
        )
    except (TemplateError, ValueError, TypeError, KeyError) as error:
        raise InvalidInput(
            f"the chat_template sent could not render the conversation: {short_reason(error)}",
            field="chat_template",
        ) from error
    if not isinstance(rendered, str):
        raise InvalidInput("the chat_template sent did not render text", field="chat_template")
    return rendered


def _encode(target: ChatTarget, text: str, *, special_tokens: bool) -> list[int]:
    ids = target.tokenizer(text, add_special_tokens=special_tokens)["input_ids"]
    return [int(token) for token in ids]


def _budget(target: ChatTarget, prompt_tokens: int, max_tokens: int | None) -> int:
    context = target.context_length
    if context is None:
        return max_tokens or UNBOUNDED_CONTEXT_MAX_TOKENS
    room = context - prompt_tokens
    if max_tokens is None:
        return room
    if max_tokens > room:
        raise InvalidInput(
            f"max_tokens is {max_tokens}, but the prompt takes {prompt_tokens} of the "
            f"{context} tokens model {target.name} reads: at most {room} are left for the reply",
            field="max_tokens",
        )
    return max_tokens


def _fits(target: ChatTarget, prompt_tokens: int, max_tokens: int | None) -> bool:
    context = target.context_length
    return context is None or prompt_tokens + (max_tokens or 1) <= context


def _too_long(target: ChatTarget, prompt_tokens: int, field: str) -> InvalidInput:
    return InvalidInput(
        f"the prompt is {prompt_tokens} tokens; model {target.name} reads at most "
        f"{target.context_length} tokens, prompt and reply together: shorten it, or send "
        "truncate: true to drop its oldest part",
        field=field,
    )


def _check_max_tokens(target: ChatTarget, max_tokens: int | None) -> None:
    context = target.context_length
    if context is not None and max_tokens is not None and max_tokens >= context:
        raise InvalidInput(
            f"max_tokens is {max_tokens}, but model {target.name} reads at most {context} "
            "tokens, prompt and reply together",
            field="max_tokens",
        )


def _alone_too_long(target: ChatTarget, prompt_tokens: int) -> bool:
    context = target.context_length
    return context is not None and prompt_tokens >= context


def chat_prompt(
    target: ChatTarget,
    messages: Sequence[dict[str, str]],
    max_tokens: int | None,
    *,
    truncate: bool = False,
    chat_template: str | None = None,
) -> PreparedPrompt:
    if not messages:
        raise InvalidInput("the conversation has no messages", field="messages")
    _check_max_tokens(target, max_tokens)
    kept = list(messages)
    dropped = 0
    while True:
        ids = _encode(target, _render(target, kept, chat_template), special_tokens=False)
        # The oldest turn after the system prompt goes first; the last message always stays.
        first = 1 if kept[0]["role"] == "system" else 0
        if _fits(target, len(ids), max_tokens) or not truncate or len(kept) - first <= 1:
            break
        del kept[first]
        dropped += 1
    if _alone_too_long(target, len(ids)):
        raise _too_long(target, len(ids), "messages")
    return PreparedPrompt(ids, _budget(target, len(ids), max_tokens), dropped)


def text_prompt(
    target: ChatTarget, prompt: str, max_tokens: int | None, *, truncate: bool = False
) -> PreparedPrompt:
    if not prompt:
        raise InvalidInput("the prompt is empty", field="prompt")
    _check_max_tokens(target, max_tokens)
    ids = _encode(target, prompt, special_tokens=True)
    context = target.context_length
    if truncate and context is not None and not _fits(target, len(ids), max_tokens):
        ids = ids[len(ids) - (context - (max_tokens or 1)) :]
    if _alone_too_long(target, len(ids)):
        raise _too_long(target, len(ids), "prompt")
    return PreparedPrompt(ids, _budget(target, len(ids), max_tokens))
