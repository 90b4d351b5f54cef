"""Detect the source format of a dataset from the keys of its first records.

Formats (checked in this order for each record):
- `preference`: `chosen` and `rejected` (strings or message lists), optional `prompt`.
- `messages` (OpenAI chat): `messages` as a list of {role, content}.
- `sharegpt`: `conversations` (or `messages`) as a list of {from, value}.
- `alpaca`: `instruction` and `output`, optional `input` and `system`.
- `prompt_completion`: `prompt` and `completion` (strings or message lists).
- `text`: `text`.
The file's format is the one most of the first records match; ties go to the earlier format.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from lathe.errors import InvalidInput
from lathe.schemas.datasets import SourceFormat

DETECT_RECORDS = 100
FORMAT_ORDER: tuple[SourceFormat, ...] = (
    "preference",
    "messages",
    "sharegpt",
    "alpaca",
    "prompt_completion",
    "text",
)


def _first_turn(value: Any) -> Mapping[str, Any] | None:
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return value[0]
    return None


def _is_sharegpt_turns(value: Any) -> bool:
    turn = _first_turn(value)
    return turn is not None and "from" in turn and "value" in turn


def record_format(record: Any) -> SourceFormat | None:
    """The format one record looks like, or None."""
    if not isinstance(record, Mapping):
        return None
    if "chosen" in record and "rejected" in record:
        return "preference"
    if "conversations" in record or _is_sharegpt_turns(record.get("messages")):
        return "sharegpt"
    if "messages" in record:
        return "messages"
    if "instruction" in record and "output" in record:
        return "alpaca"
    if "prompt" in record and "completion" in record:
        return "prompt_completion"
    if "text" in record:
        return "text"
    return None


def detect_format(records: Iterable[Any], columns: list[str]) -> SourceFormat:
    """The format most records match; InvalidInput naming the columns when none matches."""
    votes = Counter(fmt for fmt in map(record_format, records) if fmt is not None)
    if not votes:
        raise InvalidInput(
            f"file: cannot detect the dataset format from columns {columns}; expected messages, "
            "conversations (ShareGPT), instruction/output (Alpaca), prompt/completion, "
            "prompt/chosen/rejected or text",
            field="file",
            details={"reason": "unknown_format", "columns": columns},
        )
    best = max(votes.values())
    return next(fmt for fmt in FORMAT_ORDER if votes[fmt] == best)
