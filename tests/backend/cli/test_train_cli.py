"""`lathe train CONFIG.yaml`: the estimate, queueing, presets and --set overrides, bad input,
and following a run to the end against a worker thread."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from lathe.cli import app
from lathe.cli import follow as follow_cli
from lathe.db.tables import ModelRow
from lathe.jobs import service
from lathe.jobs.worker import Worker
from lathe.settings import Settings
from lathe.training import estimate as est
from lathe.training import memory_model as mm
from tests.backend.api.test_training_api import names, run_config, tiny

__all__ = ["names", "tiny"]  # fixtures shared with the API tests

runner = CliRunner()


def write_config(tmp_path: Path, **changes: Any) -> Path:
    path = tmp_path / "train.yaml"
    path.write_text(yaml.safe_dump(run_config(**changes), sort_keys=False))
    return path


def train_jobs(settings: Settings) -> list[Any]:
    rows, _ = service.list_jobs(settings, kinds=("train",), limit=50)
    return rows


def test_queue_without_follow_warns_when_no_worker_runs(
    settings: Settings, tiny: ModelRow, names: str, tmp_path: Path
) -> None:
    path = write_config(tmp_path)
    result = runner.invoke(
        app, ["train", str(path), "--no-follow", "--set", "lora.r=2", "-s", "max_steps=3"]
    )
    assert result.exit_code == 0, result.output
    assert "Estimate: tiny" in result.stdout and "fits" in result.stdout
    assert "no worker is running" in result.stderr and "lathe worker" in result.stderr
    (job,) = train_jobs(settings)
    assert f"queued training run: job {job.id}" in result.stdout
    assert job.status == "queued"
    assert job.params["lora"]["r"] == 2 and job.params["lora"]["alpha"] == 8
    assert job.params["max_steps"] == 3


def test_a_preset_fills_the_fields_the_file_does_not_set(
    settings: Settings, tiny: ModelRow, names: str, tmp_path: Path
) -> None:
    path = tmp_path / "small.yaml"
    path.write_text("model: tiny\ndataset: names\nmax_length: 64\nmax_steps: 1\n")
    result = runner.invoke(app, ["train", str(path), "--preset", "quick-cpu-demo", "--no-follow"])
    assert result.exit_code == 0, result.output
    (job,) = train_jobs(settings)
    assert job.params["preset"] == "quick-cpu-demo"
    assert job.params["max_length"] == 64  # the file wins over the preset
    assert job.params["learning_rate"] == 0.0005  # from the preset


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "lora.r=0"], "lora.r:"),
        (["--set", "learning_rate=0"], "learning_rate:"),
        (["--set", "model=nope"], "no model named 'nope'"),
        (["--set", "nonsense"], "expected KEY=VALUE"),
        (["--preset", "fastest"], "unknown preset"),
        (["--set", "batch_size=100000", "--set", "max_length=128"], "does not fit"),
    ],
)
def test_bad_input_exits_2_and_queues_nothing(
    settings: Settings,
    tiny: ModelRow,
    names: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.setattr(est, "host_memory_bytes", lambda: 1024 * mm.MiB)
    result = runner.invoke(app, ["train", str(write_config(tmp_path)), "--no-follow", *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert train_jobs(settings) == []


def test_files_that_are_not_configs(settings: Settings, tmp_path: Path) -> None:
    missing = runner.invoke(app, ["train", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "is not a file" in missing.stderr
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n")
    result = runner.invoke(app, ["train", str(listing)])
    assert result.exit_code == 2 and "mapping" in result.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("model: [tiny\n")
    result = runner.invoke(app, ["train", str(broken)])
    assert result.exit_code == 2 and "not valid YAML" in result.stderr


def test_follow_a_run_to_the_end(
    settings: Settings,
    tiny: ModelRow,
    names: str,
    tmp_path: Path,
    worker: Worker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(follow_cli, "FOLLOW_POLL_S", 0.2)
    result = runner.invoke(app, ["train", str(write_config(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "no worker is running" not in result.stderr
    (job,) = train_jobs(settings)
    assert job.status == "succeeded"
    assert f"run {job.id} succeeded" in result.stdout
    assert "train_loss" in result.stdout and "global_step: 2" in result.stdout
    assert f"(model {job.result['adapter']['id']})" in result.stdout


def test_a_failed_run_exits_1_with_its_error(
    settings: Settings,
    tiny: ModelRow,
    names: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(follow_cli, "FOLLOW_POLL_S", 0.05)
    finished = {"status": "failed", "error_message": "loss became NaN"}

    def follow(settings: Settings, job_id: int) -> Any:
        row = service.get_job(settings, job_id)
        for key, value in finished.items():
            setattr(row, key, value)
        return row

    monkeypatch.setattr(follow_cli, "follow_run", follow)
    result = runner.invoke(app, ["train", str(write_config(tmp_path))])
    assert result.exit_code == 1, result.output
    assert "failed" in result.stderr and "loss became NaN" in result.stderr
