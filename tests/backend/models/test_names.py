"""Model names and hub ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from lathe.errors import InvalidInput
from lathe.models.names import (
    check_name,
    default_folder_name,
    default_gguf_name,
    default_hub_name,
    is_hub_id,
    sanitize_name,
)


@pytest.mark.parametrize("name", ["tiny", "SmolLM2-135M-Instruct.Q4_1", "a_b-c.d", "7b", "x" * 128])
def test_valid_names(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize(
    "name", ["", "a/b", "../evil", "..", "a..b", "a\\b", "-lead", ".hidden", " x", "x\n", "x" * 129]
)
def test_invalid_names_name_the_field(name: str) -> None:
    with pytest.raises(InvalidInput, match="name") as caught:
        check_name(name)
    assert caught.value.details[0]["field"] == "name"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SmolLM2-135M-Instruct.Q4_1", "SmolLM2-135M-Instruct.Q4_1"),
        ("my model (v2)", "my-model-v2"),
        ("..weird..name..", "weird.name"),
        ("___", "model"),
        ("", "model"),
        ("é" * 3 + "x", "x"),
    ],
)
def test_sanitize_name(text: str, expected: str) -> None:
    assert sanitize_name(text) == expected
    check_name(sanitize_name(text))


def test_sanitize_name_truncates() -> None:
    assert len(sanitize_name("a" * 300)) == 128


def test_default_names() -> None:
    assert default_folder_name(Path("/x/My Model")) == "My-Model"
    snapshot = Path("/c/hub/models--HuggingFaceTB--SmolLM2-135M/snapshots/0123abcd")
    assert default_folder_name(snapshot) == "SmolLM2-135M"
    assert default_gguf_name(Path("/x/SmolLM2-135M-Instruct.Q4_1.gguf")) == (
        "SmolLM2-135M-Instruct.Q4_1"
    )
    assert default_hub_name("HuggingFaceTB/SmolLM2-135M-Instruct") == "SmolLM2-135M-Instruct"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HuggingFaceTB/SmolLM2-135M-Instruct", True),
        ("org/name.v1_x", True),
        ("name", False),
        ("a/b/c", False),
        ("./a", False),
        ("/abs/path", False),
        ("org/a..b", False),
        ("org/a--b", False),
        ("org/", False),
        ("~/models", False),
    ],
)
def test_is_hub_id(text: str, expected: bool) -> None:
    assert is_hub_id(text) is expected
