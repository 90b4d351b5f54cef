"""Starting a generation: the service the /v1 routes, the playground's compare and the CLI
call. Everything that can be refused (unknown model, adapter of another base, no chat template,
a prompt or budget beyond the context) is checked here, before a stream exists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lathe.inference.engine import ChatEngine, ChatTarget
from lathe.inference.prompts import PreparedPrompt, chat_prompt, text_prompt
from lathe.inference.sampling import ChatSampling
from lathe.inference.streams import GenerationStream


@dataclass(frozen=True)
class Generation:
    target: ChatTarget
    prompt: PreparedPrompt
    stream: GenerationStream


def start_chat(
    engine: ChatEngine,
    model: str,
    messages: Sequence[dict[str, str]],
    sampling: ChatSampling,
    *,
    adapter: str | None = None,
    truncate: bool = False,
    chat_template: str | None = None,
) -> Generation:
    """The assistant's reply to `messages`, streamed. Blocks while the model loads."""
    target = engine.target(model, adapter)
    prompt = chat_prompt(
        target, messages, sampling.max_tokens, truncate=truncate, chat_template=chat_template
    )
    stream = engine.generate(target, prompt.ids, sampling, prompt.max_new_tokens)
    return Generation(target, prompt, stream)


def start_completion(
    engine: ChatEngine,
    model: str,
    prompt: str,
    sampling: ChatSampling,
    *,
    adapter: str | None = None,
    truncate: bool = False,
) -> Generation:
    """The continuation of a plain text prompt, streamed."""
    target = engine.target(model, adapter)
    prepared = text_prompt(target, prompt, sampling.max_tokens, truncate=truncate)
    stream = engine.generate(target, prepared.ids, sampling, prepared.max_new_tokens)
    return Generation(target, prepared, stream)
