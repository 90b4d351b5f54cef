"""Map one source record onto its canonical row (see lathe.schemas.datasets).

- `messages`: roles system/user/assistant/tool (`developer` is read as system); content a
  string or a list of text parts, which are joined.
- `sharegpt`: `conversations` of {from, value}; human/user -> user, gpt/assistant/chatgpt/
  model -> assistant, system -> system, tool/function/observation -> tool.
- `alpaca`: [system], user = instruction (+ blank line + input when there is one),
  assistant = output.
- `prompt_completion`: user = prompt, assistant = completion (each may also be a message list).
- `preference`: prompt turns plus chosen/rejected replies; strings become one user/assistant
  turn; message lists that repeat the prompt (or share it as a common prefix when there is no
  `prompt`) have it split off.
- `text`: a non-empty string.

A record that cannot be mapped raises RowProblem with the reason (without its location, which
the caller adds). CSV cells holding JSON lists (messages, conversations, ...) are decoded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

from lathe.schemas.datasets import Role, SourceFormat

Message = dict[str, str]

ROLES: tuple[Role, ...] = ("system", "user", "assistant", "tool")
_ROLE_ALIASES: dict[str, Role] = {"developer": "system"}
SHAREGPT_ROLES: dict[str, Role] = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "chatgpt": "assistant",
    "model": "assistant",
    "system": "system",
    "tool": "tool",
    "function": "tool",
    "observation": "tool",
}


class RowProblem(Exception):
    """One record cannot be normalised; the message is the reason."""


def normalise(record: Any, fmt: SourceFormat) -> dict[str, Any]:
    """The canonical row for `record` read as `fmt`; RowProblem if it does not fit."""
    if not isinstance(record, Mapping):
        raise RowProblem(f"record is {_json_type(record)}, expected an object")
    if fmt == "messages":
        return {"messages": _conversation(_messages(_field(record, "messages"), "messages"))}
    if fmt == "sharegpt":
        key = "conversations" if "conversations" in record else "messages"
        return {"messages": _conversation(_sharegpt(_field(record, key), key))}
    if fmt == "alpaca":
        return {"messages": _conversation(_alpaca(record))}
    if fmt == "prompt_completion":
        prompt = _turns(_field(record, "prompt"), "prompt", "user")
        completion = _turns(_field(record, "completion"), "completion", "assistant")
        _need_assistant(completion, "completion")
        return {"messages": _conversation(prompt + completion)}
    if fmt == "preference":
        return _preference(record)
    return {"text": _text(_field(record, "text"), "text")}


def _json_type(value: Any) -> str:
    """The JSON type of `value` with its article: "a string", "an array", ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object" if isinstance(value, Mapping) else f"a {type(value).__name__}"


def _field(record: Mapping[str, Any], key: str) -> Any:
    if key not in record or record[key] is None:
        raise RowProblem(f"missing field {key!r}")
    value = record[key]
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:  # a CSV cell holding a JSON list
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise RowProblem(f"{where}: is {_json_type(value)}, expected a string")
    if not value.strip():
        raise RowProblem(f"{where}: is empty")
    return value


def _content(value: Any, where: str) -> str:
    if isinstance(value, list):  # OpenAI content parts
        texts = []
        for part in value:
            if not (isinstance(part, Mapping) and part.get("type") == "text"):
                raise RowProblem(f"{where}: only text content parts are supported")
            texts.append(part.get("text"))
        if not all(isinstance(text, str) for text in texts):
            raise RowProblem(f"{where}: a text part has no string 'text'")
        value = "".join(cast(list[str], texts))
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RowProblem(f"{where}: empty content")
    if not isinstance(value, str):
        raise RowProblem(f"{where}: content is {_json_type(value)}, expected a string")
    return value


def _message_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise RowProblem(f"{where}: is {_json_type(value)}, expected a list of messages")
    if not value:
        raise RowProblem(f"{where}: empty messages")
    return value


def _messages(value: Any, where: str) -> list[Message]:
    out = []
    for i, item in enumerate(_message_list(value, where), start=1):
        at = f"{where}[{i}]"
        if not isinstance(item, Mapping):
            raise RowProblem(f"{at}: is {_json_type(item)}, expected {{role, content}}")
        role = item.get("role")
        role = _ROLE_ALIASES.get(role, role) if isinstance(role, str) else role
        if role not in ROLES:
            raise RowProblem(f"{at}: unknown role {role!r}; expected one of {', '.join(ROLES)}")
        out.append({"role": role, "content": _content(item.get("content"), f"{at} ({role})")})
    return out


def _sharegpt(value: Any, where: str) -> list[Message]:
    out = []
    for i, item in enumerate(_message_list(value, where), start=1):
        at = f"{where}[{i}]"
        if not isinstance(item, Mapping):
            raise RowProblem(f"{at}: is {_json_type(item)}, expected {{from, value}}")
        speaker = item.get("from")
        role = SHAREGPT_ROLES.get(speaker.lower()) if isinstance(speaker, str) else None
        if role is None:
            known = ", ".join(SHAREGPT_ROLES)
            raise RowProblem(f"{at}: unknown role {speaker!r}; expected one of {known}")
        out.append({"role": role, "content": _content(item.get("value"), f"{at} ({speaker})")})
    return out


def _alpaca(record: Mapping[str, Any]) -> list[Message]:
    instruction = _text(_field(record, "instruction"), "instruction")
    extra = record.get("input")
    if extra is not None and not isinstance(extra, str):
        raise RowProblem(f"input: is {_json_type(extra)}, expected a string")
    user = f"{instruction}\n\n{extra}" if extra and extra.strip() else instruction
    system = record.get("system")
    out: list[Message] = []
    if isinstance(system, str) and system.strip():
        out.append({"role": "system", "content": system})
    out.append({"role": "user", "content": user})
    output = _field(record, "output")
    if isinstance(output, str) and not output.strip():
        raise RowProblem("output: is empty, so there is no assistant turn")
    out.append({"role": "assistant", "content": _text(output, "output")})
    return out


def _turns(value: Any, where: str, role: Role) -> list[Message]:
    if isinstance(value, list):
        return _messages(value, where)
    return [{"role": role, "content": _text(value, where)}]


def _need_assistant(messages: list[Message], where: str) -> None:
    if not any(m["role"] == "assistant" for m in messages):
        raise RowProblem(f"{where}: no assistant turn")


def _conversation(messages: list[Message]) -> list[Message]:
    _need_assistant(messages, "messages")
    return messages


def _preference(record: Mapping[str, Any]) -> dict[str, Any]:
    chosen = _turns(_field(record, "chosen"), "chosen", "assistant")
    rejected = _turns(_field(record, "rejected"), "rejected", "assistant")
    if record.get("prompt") is not None:
        prompt = _turns(_field(record, "prompt"), "prompt", "user")
        if chosen[: len(prompt)] == prompt and rejected[: len(prompt)] == prompt:
            chosen, rejected = chosen[len(prompt) :], rejected[len(prompt) :]
    else:
        shared = 0
        while shared < min(len(chosen), len(rejected)) - 1 and chosen[shared] == rejected[shared]:
            shared += 1
        prompt, chosen, rejected = chosen[:shared], chosen[shared:], rejected[shared:]
        if not prompt:
            raise RowProblem("prompt: missing, and chosen/rejected share no prompt turns")
    _need_assistant(chosen, "chosen")
    _need_assistant(rejected, "rejected")
    return {"prompt": prompt, "chosen": chosen, "rejected": rejected}
