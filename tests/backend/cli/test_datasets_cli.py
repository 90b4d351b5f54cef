"""`lathe datasets import|list|show|head|rm` against an isolated LATHE_HOME."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from lathe.cli import app
from lathe.settings import Settings
from tests.backend.datasets.conftest import chat, jsonl

runner = CliRunner()


def test_import_list_show_head_rm(settings: Settings, tmp_path: Path) -> None:
    source = tmp_path / "my chats.jsonl"
    source.write_text(jsonl(chat("hi", "hello")) + "oops\n" + jsonl(chat("2+2?", "4")))

    result = runner.invoke(app, ["datasets", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "2 of 3 records kept, 1 skipped" in result.stdout
    assert "line 2" in result.stdout
    assert "imported: my-chats version 1 (2 rows)" in result.stdout

    listed = runner.invoke(app, ["datasets", "list"])
    assert listed.exit_code == 0 and "my-chats" in listed.stdout

    shown = runner.invoke(app, ["datasets", "show", "my-chats"])
    assert shown.exit_code == 0, shown.output
    assert "messages" in shown.stdout and '"rows": 2' in shown.stdout

    head = runner.invoke(app, ["datasets", "head", "my-chats", "--json", "-n", "1"])
    assert head.exit_code == 0, head.output
    assert json.loads(head.stdout.strip())["messages"][1]["content"] == "hello"
    pretty = runner.invoke(app, ["datasets", "head", "1"])
    assert "assistant" in pretty.stdout and "4" in pretty.stdout

    again = runner.invoke(app, ["datasets", "import", str(source), "--dataset", "my-chats"])
    assert again.exit_code == 0 and "version 2" in again.stdout

    removed = runner.invoke(app, ["datasets", "rm", "my-chats", "--yes"])
    assert removed.exit_code == 0 and "deleted my-chats" in removed.stdout
    assert not list(settings.datasets_dir.rglob("*.parquet"))


def test_bad_input_is_one_line_and_exit_2(settings: Settings, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    cases = [
        (["datasets", "import", str(empty)], "empty"),
        (["datasets", "import", str(tmp_path / "missing.jsonl")], "not a file"),
        (["datasets", "import", str(empty), "--format", "yaml"], "--format"),
        (["datasets", "show", "nope"], "no dataset named 'nope'"),
        (["datasets", "head", "42"], "dataset 42 not found"),
    ]
    for args, needle in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert needle in result.stderr, (args, result.stderr)
    assert not [p for p in settings.tmp_dir.rglob("*") if p.is_file()]
