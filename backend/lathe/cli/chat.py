"""`lathe chat`: talk to a registered model or adapter in the terminal, the reply streamed token
by token. The conversation is kept until /reset; /exit or end of input quits; Ctrl-C stops a
reply (the conversation goes on)."""

from __future__ import annotations

import sys

import typer
from pydantic import ValidationError

from lathe.cli.common import cli_errors, console, database_settings, fail
from lathe.inference.chat import start_chat
from lathe.inference.engine import ChatEngine
from lathe.inference.sampling import ChatSampling
from lathe.inference.streams import Failed, TextDelta
from lathe.schemas.models import DEFAULT_MODEL_KEY

EXIT_COMMANDS = ("/exit", "/quit")
RESET_COMMAND = "/reset"


def _sampling(**fields: object) -> ChatSampling:
    try:
        return ChatSampling.model_validate(fields)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise fail(f"--{field.replace('_', '-')}: {first['msg']}") from None


def _reply(
    engine: ChatEngine,
    model: str,
    adapter: str | None,
    messages: list[dict[str, str]],
    sampling: ChatSampling,
) -> str:
    """Stream one reply to stdout and return its text ('' when stopped with Ctrl-C)."""
    generation = start_chat(engine, model, messages, sampling, adapter=adapter)
    parts: list[str] = []
    try:
        for event in generation.stream:
            if isinstance(event, TextDelta):
                parts.append(event.text)
                sys.stdout.write(event.text)
                sys.stdout.flush()
            elif isinstance(event, Failed):
                raise event.error
    except KeyboardInterrupt:
        generation.stream.cancel()
        console.print("\n[dim](stopped)[/]")
        return ""
    sys.stdout.write("\n")
    return "".join(parts)


@cli_errors
def chat(
    model: str = typer.Option(DEFAULT_MODEL_KEY, "--model", "-m", help="Model or adapter."),
    adapter: str | None = typer.Option(None, "--adapter", "-a", help="An adapter of --model."),
    system: str | None = typer.Option(None, "--system", "-s", help="System prompt."),
    temperature: float = typer.Option(0.7, help="0 means greedy decoding."),
    top_p: float = typer.Option(1.0, help="Nucleus sampling (1 = off)."),
    top_k: int = typer.Option(0, help="Sample from the k most likely tokens (0 = off)."),
    min_p: float = typer.Option(0.0, help="Drop tokens below min_p x the best one (0 = off)."),
    repetition_penalty: float = typer.Option(1.0, help="1 = off."),
    presence_penalty: float = typer.Option(0.0),
    frequency_penalty: float = typer.Option(0.0),
    max_tokens: int | None = typer.Option(None, help="Most tokens per reply (default: context)."),
    seed: int | None = typer.Option(None, help="Repeatable sampling."),
    stop: list[str] = typer.Option([], "--stop", help="Stop before this string (repeatable)."),
) -> None:
    """Chat with a model in the terminal (type /reset to start over, /exit to quit)."""
    sampling = _sampling(
        temperature=temperature,
        top_p=top_p,
        top_k=top_k,
        min_p=min_p,
        repetition_penalty=repetition_penalty,
        presence_penalty=presence_penalty,
        frequency_penalty=frequency_penalty,
        max_tokens=max_tokens,
        seed=seed,
        stop=stop,
    )
    start = [{"role": "system", "content": system}] if system else []
    messages = list(start)
    with ChatEngine(database_settings()) as engine:
        target = engine.target(model, adapter)  # load now: errors before the first prompt
        console.print(f"Chatting with [bold]{target.name}[/]. /reset starts over, /exit quits.")
        while True:
            sys.stdout.write("> ")
            sys.stdout.flush()
            line = sys.stdin.readline()
            text = line.strip()
            if not line or text in EXIT_COMMANDS:
                return
            if text == RESET_COMMAND:
                messages = list(start)
                continue
            if not text:
                continue
            messages.append({"role": "user", "content": text})
            reply = _reply(engine, model, adapter, messages, sampling)
            if reply:
                messages.append({"role": "assistant", "content": reply})
            else:
                messages.pop()
