"""An Ollama Modelfile for an exported GGUF: FROM the file, TEMPLATE translated from the chat
template, SYSTEM for a default system prompt the template injects, PARAMETER stop for the
end-of-turn tokens.

Jinja cannot be translated in general, so the chat template is not parsed: it is rendered on
probe conversations and compared with what ChatML (`<|im_start|>role\\n...<|im_end|>\\n`, as
SmolLM2 and Qwen use) renders. Only when every probe matches exactly (with or without one
default system prompt) is the Go-template equivalent written; otherwise the Modelfile says in
a comment that the template was not translated, and Ollama falls back to recognising the chat
template stored in the GGUF. A wrong TEMPLATE is never written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

Message = dict[str, str]

TURN_START = "<|im_start|>"
TURN_END = "<|im_end|>"
# Ollama gives a .Messages template every message (system ones too, the Modelfile's SYSTEM
# included when the request has none) and adds the reply after the open assistant turn.
CHATML_TEMPLATE = (
    "{{- range .Messages }}<|im_start|>{{ .Role }}\n"
    "{{ .Content }}<|im_end|>\n"
    "{{ end }}<|im_start|>assistant\n"
)
# Contents with edge whitespace and newlines: a template that trims or rewrites them is not
# plain ChatML and must not be translated as if it were.
PROBES: tuple[list[Message], ...] = (
    [{"role": "user", "content": " first question \n"}],
    [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}],
    [
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": "two\n\nthree"},
        {"role": "user", "content": "four"},
    ],
    [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": " two "},
        {"role": "user", "content": "three"},
    ],
)


@dataclass(frozen=True)
class Translation:
    template: str | None  # the Go template, or None when the chat template has no translation
    system: str | None  # a default system prompt the chat template adds when none is given
    reason: str | None  # why there is no translation


def _chatml(messages: list[Message]) -> str:
    turns = "".join(f"{TURN_START}{m['role']}\n{m['content']}{TURN_END}\n" for m in messages)
    return f"{turns}{TURN_START}assistant\n"


def _render(tokenizer: PreTrainedTokenizerBase, messages: list[Message]) -> str:
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    if not isinstance(text, str):
        raise TypeError("the chat template did not render to text")
    return text


def _default_system(rendered: str) -> str | None:
    """The system prompt a template added to a conversation that had none."""
    head = f"{TURN_START}system\n"
    if not rendered.startswith(head):
        return None
    end = rendered.find(f"{TURN_END}\n", len(head))
    return rendered[len(head) : end] if end >= 0 else None


def translate_chat_template(tokenizer: PreTrainedTokenizerBase) -> Translation:
    if not tokenizer.chat_template:
        return Translation(None, None, "the model has no chat template")
    try:
        rendered = [(probe, _render(tokenizer, probe)) for probe in PROBES]
    except Exception as error:  # a template can raise anything
        return Translation(None, None, f"the chat template fails on a probe ({error})")
    system = _default_system(rendered[0][1])
    if system is not None and '"""' in system:
        return Translation(None, None, "its default system prompt contains triple quotes")

    def expected(messages: list[Message]) -> str:
        if system is not None and messages[0]["role"] != "system":
            messages = [{"role": "system", "content": system}, *messages]
        return _chatml(messages)

    if all(text == expected(probe) for probe, text in rendered):
        return Translation(CHATML_TEMPLATE, system, None)
    return Translation(None, None, "the chat template does not render as ChatML")


def stop_tokens(tokenizer: PreTrainedTokenizerBase, translation: Translation) -> list[str]:
    stops = [TURN_END] if translation.template == CHATML_TEMPLATE else []
    eos = tokenizer.eos_token
    if isinstance(eos, str) and eos and eos not in stops:
        stops.append(eos)
    return [stop for stop in stops if '"' not in stop and "\n" not in stop]


def modelfile_text(
    gguf_name: str, tokenizer: PreTrainedTokenizerBase, translation: Translation
) -> str:
    lines = [
        "# Ollama Modelfile written by Lathe. Create the model with:",
        "#   ollama create <name> -f Modelfile",
        f"FROM ./{gguf_name}",
    ]
    if translation.template is not None:
        lines.append(f'TEMPLATE """{translation.template}"""')
    else:
        lines += [
            f"# No TEMPLATE: {translation.reason}, so it was not translated to Ollama's Go",
            "# template. Ollama uses the chat template stored in the GGUF if it recognises it.",
        ]
    if translation.system is not None:
        lines.append(f'SYSTEM """{translation.system}"""')
    lines += [f'PARAMETER stop "{stop}"' for stop in stop_tokens(tokenizer, translation)]
    return "\n".join(lines) + "\n"
