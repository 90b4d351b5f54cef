"""Format detection and normalisation of single records onto the canonical schemas."""

from __future__ import annotations

from typing import Any

import pytest

from lathe.datasets.formats import detect_format, record_format
from lathe.datasets.normalise import RowProblem, normalise
from lathe.errors import InvalidInput
from tests.backend.datasets.conftest import chat, turns

PREFERENCE = {"prompt": "q", "chosen": "good", "rejected": "bad"}
SHAREGPT = {"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "yo"}]}


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (chat(), "messages"),
        (SHAREGPT, "sharegpt"),
        ({"messages": SHAREGPT["conversations"]}, "sharegpt"),
        ({"instruction": "i", "input": "", "output": "o"}, "alpaca"),
        ({"prompt": "p", "completion": "c"}, "prompt_completion"),
        ({"text": "t"}, "text"),
        (PREFERENCE, "preference"),
        ({"chosen": turns(), "rejected": turns()}, "preference"),
        ({"question": "q"}, None),
        ([1, 2], None),
    ],
)
def test_record_format(record: Any, expected: str | None) -> None:
    assert record_format(record) == expected


def test_detect_format_takes_the_majority_and_names_columns_when_unknown() -> None:
    assert detect_format([{"text": "a"}, chat(), chat(), "junk"], ["text"]) == "messages"
    with pytest.raises(InvalidInput, match=r"^file: cannot detect .* columns \['a', 'b'\]"):
        detect_format([{"a": 1, "b": 2}], ["a", "b"])


def test_messages_keep_roles_join_text_parts_and_map_developer() -> None:
    record = {
        "messages": [
            {"role": "developer", "content": "be brief"},
            {
                "role": "user",
                "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
            },
            {"role": "assistant", "content": "c"},
            {"role": "tool", "content": "42"},
        ]
    }
    assert normalise(record, "messages") == {
        "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "ab"},
            {"role": "assistant", "content": "c"},
            {"role": "tool", "content": "42"},
        ]
    }


def test_sharegpt_maps_speakers() -> None:
    record = {
        "conversations": [
            {"from": "system", "value": "s"},
            {"from": "human", "value": "hi"},
            {"from": "gpt", "value": "yo"},
            {"from": "function", "value": "{}"},
        ]
    }
    roles = [m["role"] for m in normalise(record, "sharegpt")["messages"]]
    assert roles == ["system", "user", "assistant", "tool"]


def test_alpaca_joins_instruction_and_input() -> None:
    record = {"instruction": "Translate", "input": "chat", "output": "cat", "system": "S"}
    assert normalise(record, "alpaca") == {
        "messages": [
            {"role": "system", "content": "S"},
            {"role": "user", "content": "Translate\n\nchat"},
            {"role": "assistant", "content": "cat"},
        ]
    }
    no_input = normalise({"instruction": "Say hi", "input": "", "output": "hi"}, "alpaca")
    assert no_input["messages"][0] == {"role": "user", "content": "Say hi"}


def test_prompt_completion_strings_and_message_lists() -> None:
    assert normalise({"prompt": "p", "completion": "c"}, "prompt_completion") == {
        "messages": [{"role": "user", "content": "p"}, {"role": "assistant", "content": "c"}]
    }
    record = {
        "prompt": [{"role": "user", "content": "p"}],
        "completion": [{"role": "assistant", "content": "c"}],
    }
    assert normalise(record, "prompt_completion") == normalise(
        {"prompt": "p", "completion": "c"}, "prompt_completion"
    )


def test_preference_strings_and_conversations() -> None:
    user = [{"role": "user", "content": "q"}]
    expected = {
        "prompt": user,
        "chosen": [{"role": "assistant", "content": "good"}],
        "rejected": [{"role": "assistant", "content": "bad"}],
    }
    assert normalise(PREFERENCE, "preference") == expected
    # Full conversations sharing the prompt, with and without a prompt field.
    full = {"chosen": turns("q", "good"), "rejected": turns("q", "bad")}
    assert normalise(full, "preference") == expected
    assert normalise({**full, "prompt": "q"}, "preference") == expected


def test_csv_cells_holding_json_lists_are_decoded() -> None:
    cell = '[{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]'
    assert normalise({"messages": cell}, "messages") == {"messages": turns("a", "b")}


@pytest.mark.parametrize(
    ("record", "fmt", "reason"),
    [
        ({"messages": []}, "messages", "messages: empty messages"),
        ({"messages": [{"role": "user", "content": "q"}]}, "messages", "no assistant turn"),
        (
            {"messages": [{"role": "wizard", "content": "q"}]},
            "messages",
            "messages[1]: unknown role 'wizard'",
        ),
        (
            {"messages": [{"role": "user", "content": " "}, {"role": "assistant", "content": "a"}]},
            "messages",
            "messages[1] (user): empty content",
        ),
        ({"conversations": [{"from": "alien", "value": "x"}]}, "sharegpt", "unknown role 'alien'"),
        ({"instruction": "i", "output": ""}, "alpaca", "output: is empty"),
        ({"instruction": "i"}, "alpaca", "missing field 'output'"),
        ({"prompt": "p", "completion": 3}, "prompt_completion", "completion: is a number"),
        ({"text": ""}, "text", "text: is empty"),
        ({"chosen": "a", "rejected": "b"}, "preference", "prompt: missing"),
        (["not", "an", "object"], "text", "record is an array, expected an object"),
    ],
)
def test_bad_records_raise_row_problems(record: Any, fmt: Any, reason: str) -> None:
    with pytest.raises(RowProblem) as exc:
        normalise(record, fmt)
    assert reason in str(exc.value)
