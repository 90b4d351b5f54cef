"""`lathe worker` arguments (the running worker is tested in tests/backend/jobs)."""

from __future__ import annotations

from typer.testing import CliRunner

from lathe.cli import app
from lathe.cli.worker import _parse_gpus
from lathe.settings import Settings

runner = CliRunner()


def test_worker_is_a_command() -> None:
    result = runner.invoke(app, ["worker", "--help"])
    assert result.exit_code == 0
    assert "--gpus" in result.stdout and "--cpu-jobs" in result.stdout


def test_bad_gpu_list_is_refused(settings: Settings) -> None:
    result = runner.invoke(app, ["worker", "--gpus", "zero"])
    assert result.exit_code == 2
    assert "--gpus" in result.stderr


def test_gpu_lists() -> None:
    assert _parse_gpus("1,0,1") == [0, 1]
    assert _parse_gpus("none") == []
