"""Helpers that write small dataset files into tmp_path."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

WriteFile = Callable[[str, str | bytes], Path]


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return path

    return write


def jsonl(*records: Any) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


def chat(user: str = "hi", assistant: str = "hello") -> dict[str, Any]:
    return {
        "messages": [
            {"role": "user", "content": user},
            {"role": "assistant", "content": assistant},
        ]
    }


def turns(user: str = "hi", assistant: str = "hello") -> list[dict[str, str]]:
    return [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]


def located(details: object) -> dict[str, object]:
    """The one field problem an error names, without its message and type."""
    assert isinstance(details, list) and len(details) == 1
    return {k: v for k, v in details[0].items() if k not in ("message", "type")}
