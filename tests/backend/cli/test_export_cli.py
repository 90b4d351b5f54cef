"""`lathe export ADAPTER` and `lathe exports`: bad input is one `error:` line, exit 2 and no
job; an export followed to the end through a worker prints its verification report and
copies the artifact (-o); list, show and rm."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from lathe.cli import app
from lathe.cli import follow as follow_cli
from lathe.db.tables import ModelRow
from lathe.jobs import service
from lathe.jobs.worker import Worker
from lathe.settings import Settings
from tests.backend.export.export_fixtures import AddExport, add_export, tiny, tiny_lora

__all__ = ["add_export", "tiny", "tiny_lora"]

runner = CliRunner()


def export_jobs(settings: Settings) -> int:
    rows, _ = service.list_jobs(settings, kinds=("export",), limit=50)
    return len(rows)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "no model named 'nope'"),
        (["tiny"], "is a base model, not an adapter"),
        (["tiny-lora", "--quant", "q9_9"], "quant: Input should be"),
        (["tiny-lora", "--format", "onnx"], "format: Input should be"),
        (["tiny-lora", "--name", "a/b"], "path separator"),
        (["tiny-lora", "-o", "/no/such/folder/x.gguf"], "-o: the folder /no/such/folder"),
        (["tiny-lora", "-o", ".", "--no-follow"], "-o needs --follow"),
    ],
)
def test_bad_input_exits_2_and_queues_nothing(
    settings: Settings, tiny_lora: ModelRow, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["export", *args])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert export_jobs(settings) == 0


def test_queue_without_follow(settings: Settings, tiny_lora: ModelRow) -> None:
    result = runner.invoke(app, ["export", "tiny-lora", "--quant", "f16", "--no-follow"])
    assert result.exit_code == 0, result.output
    (job,), _ = service.list_jobs(settings, kinds=("export",), limit=5)
    assert f"queued export: job {job.id}" in result.stdout
    assert "no worker is running" in result.stderr
    assert (job.params["format"], job.params["quant"], job.params["name"]) == (
        "gguf",
        "F16",
        "tiny-lora",
    )


@pytest.mark.integration
def test_follow_an_export_to_the_end_and_copy_it(
    settings: Settings,
    tiny_lora: ModelRow,
    tmp_path: Path,
    worker: Worker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(follow_cli, "FOLLOW_POLL_S", 0.2)
    out = tmp_path / "out"
    out.mkdir()
    result = runner.invoke(app, ["export", "tiny-lora", "--format", "adapter", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Verification of export 1 (tiny-lora-adapter)" in result.stdout
    assert "adapter_model.safetensors" in result.stdout
    copied = out / "tiny-lora-adapter"
    assert f"copied to {copied}" in result.stdout
    assert (copied / "adapter_config.json").is_file()
    assert not any(path.name.startswith(".") for path in out.iterdir())

    listing = runner.invoke(app, ["exports", "list", "--model", "tiny"])
    assert listing.exit_code == 0 and "tiny-lora-adapter" in listing.stdout
    shown = runner.invoke(app, ["exports", "show", "1"])
    assert shown.exit_code == 0 and str(settings.exports_dir / "1") in shown.stdout

    taken = str(copied / "adapter_config.json")
    again = runner.invoke(app, ["export", "tiny-lora", "--format", "adapter", "-o", taken])
    assert again.exit_code == 2 and "exists already" in again.stderr  # checked before queueing
    assert export_jobs(settings) == 1


def test_list_show_and_remove(
    settings: Settings, tiny_lora: ModelRow, add_export: AddExport
) -> None:
    empty = runner.invoke(app, ["exports", "list"])
    assert empty.exit_code == 0 and "No exports yet" in empty.stdout
    row = add_export(tiny_lora)
    listing = runner.invoke(app, ["exports", "list"])
    assert listing.exit_code == 0
    assert "tiny-lora-Q8_0" in listing.stdout and "passed" in listing.stdout
    shown = runner.invoke(app, ["exports", "show", str(row.id)])
    assert shown.exit_code == 0 and "Modelfile:" in shown.stdout
    assert "FROM ./tiny-lora-Q8_0.gguf" in shown.stdout
    missing = runner.invoke(app, ["exports", "show", "99"])
    assert missing.exit_code == 2 and "export 99 not found" in missing.stderr
    removed = runner.invoke(app, ["exports", "rm", str(row.id), "--yes"])
    assert removed.exit_code == 0 and not (settings.exports_dir / str(row.id)).exists()
    refused = runner.invoke(app, ["exports", "register", "99"])
    assert refused.exit_code == 2 and "export 99 not found" in refused.stderr
