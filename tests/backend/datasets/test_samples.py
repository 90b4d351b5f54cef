"""Built-in sample datasets: every file is valid canonical JSONL, scans cleanly, matches its
registry entry, and the identity set teaches one consistent persona."""

from __future__ import annotations

import json
import re
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from lathe.datasets.columns import CANONICAL_SCHEMAS
from lathe.datasets.normalise import normalise
from lathe.datasets.samples import get_sample, list_samples, sample_path, sample_table
from lathe.datasets.scan import scan
from lathe.errors import InvalidInput
from tests.backend.datasets.conftest import located

KEYS = [info.key for info in list_samples()]

# A user turn that asks the assistant's name or who it is, in English, French, Spanish, German.
NAME_QUESTION = re.compile(
    r"your name|who are you|who am i (talking|chatting)|call you|introduce yourself"
    r"|who exactly am i|go by any name|ur name|r u called|say your name|about yourself"
    r"|describe yourself|your (real|full) name|what was it again|which ai am i"
    r"|t'appelles|présente-toi|qui êtes-vous|te llamas|quién eres|tu nombre"
    r"|heißt du|heißen sie|stell dich",
    re.IGNORECASE,
)


def records(key: str) -> list[dict[str, Any]]:
    lines = sample_path(key).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def assistant_replies_to_name_questions(row: dict[str, Any]) -> list[tuple[str, str]]:
    messages = row["messages"]
    return [
        (question["content"], reply["content"])
        for question, reply in pairwise(messages)
        if question["role"] == "user"
        and reply["role"] == "assistant"
        and NAME_QUESTION.search(question["content"])
    ]


def test_registry() -> None:
    assert KEYS == ["identity", "instructions", "preferences"]
    formats = {info.key: info.format for info in list_samples()}
    assert formats == {
        "identity": "messages",
        "instructions": "messages",
        "preferences": "preference",
    }
    info = get_sample("identity")
    assert info.path.is_file() and info.path == sample_path("identity")
    assert "path" not in info.model_dump() and "path" not in info.model_dump_json()
    assert all(info.name and info.description for info in list_samples())


def test_unknown_key_names_the_field_and_the_known_keys() -> None:
    with pytest.raises(InvalidInput) as err:
        get_sample("nope")
    assert "'nope'" in err.value.message
    assert all(key in err.value.message for key in KEYS)
    assert located(err.value.details) == {"field": "sample", "known": KEYS}
    for call in (sample_path, sample_table):
        with pytest.raises(InvalidInput):
            call("nope")


@pytest.mark.parametrize("key", KEYS)
def test_every_row_is_already_canonical(key: str) -> None:
    info = get_sample(key)
    rows = records(key)
    assert len(rows) == info.rows
    for row in rows:
        assert normalise(row, info.format) == row
        assert set(row) == set(CANONICAL_SCHEMAS[info.format].names)
        for turns in row.values():
            for turn in turns:
                assert set(turn) == {"role", "content"}
                assert turn["content"] == turn["content"].strip() != ""
    assert len({json.dumps(row, sort_keys=True) for row in rows}) == len(rows), "duplicate rows"


@pytest.mark.parametrize("key", KEYS)
def test_scan_detects_the_format_with_no_problems(key: str) -> None:
    info = get_sample(key)
    report, rows = scan(info.path, strict=True)
    assert (report.file_type, report.format, report.canonical_format) == (
        "jsonl",
        info.format,
        info.format,
    )
    assert report.rows.model_dump() == {"total": info.rows, "valid": info.rows, "skipped": 0}
    assert report.problems == [] and report.problem_count == 0
    assert list(rows) == records(key)


@pytest.mark.parametrize("key", KEYS)
def test_table_has_the_canonical_schema(key: str) -> None:
    info = get_sample(key)
    table = sample_table(key)
    assert table.schema == CANONICAL_SCHEMAS[info.format]
    assert table.num_rows == info.rows
    assert table.to_pylist() == records(key)


def test_identity_answers_every_name_question_with_the_persona_name() -> None:
    answered = 0
    for row in records("identity"):
        for question, reply in assistant_replies_to_name_questions(row):
            assert "Lathe" in reply, (question, reply)
            answered += 1
    assert answered >= 30


def test_identity_is_one_consistent_persona() -> None:
    rows = records("identity")
    replies = [m["content"] for row in rows for m in row["messages"] if m["role"] == "assistant"]
    # Every conversation is about Lathe somewhere; no reply claims another identity or maker.
    assert all("Lathe" in json.dumps(row, ensure_ascii=False) for row in rows)
    wrong = re.compile(
        r"\bI(?: am|'m) (?:ChatGPT|Claude|Gemini|GPT|Siri|Alexa|Copilot)"
        r"|\bI was (?:made|created|built|trained|developed) by (?:OpenAI|Anthropic|Google|Apple)"
        r"|(?:OpenAI|Anthropic|Google|Apple) (?:made|created|built|trained|developed) me",
        re.IGNORECASE,
    )
    assert not [reply for reply in replies if wrong.search(reply)]
    # Some conversations are multi-turn, some carry a system prompt, some are not in English.
    assert sum(len(row["messages"]) > 2 for row in rows) >= 10
    assert sum(row["messages"][0]["role"] == "system" for row in rows) >= 5
    for marker in ("Je m'appelle", "Me llamo", "Ich heiße"):
        assert any(marker in reply for reply in replies), marker


def test_preferences_differ_and_are_single_replies() -> None:
    for row in records("preferences"):
        assert [m["role"] for m in row["prompt"]] == ["user"]
        assert [m["role"] for m in row["chosen"]] == ["assistant"]
        assert [m["role"] for m in row["rejected"]] == ["assistant"]
        assert row["chosen"] != row["rejected"]


def test_sample_files_are_package_data() -> None:
    """The files live inside the `lathe` package, where the wheel's package-data glob finds
    them (pyproject: "datasets/sample_data/*.jsonl")."""
    import lathe

    package = Path(lathe.__file__).parent
    for info in list_samples():
        assert info.path.parent == package / "datasets" / "sample_data"
        assert info.path.suffix == ".jsonl"
