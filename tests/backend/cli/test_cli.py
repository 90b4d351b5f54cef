"""The `lathe` CLI through Typer's runner, against an isolated LATHE_HOME."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from lathe import __version__
from lathe.cli import app
from lathe.db import migrate
from lathe.settings import Settings

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == __version__


def test_db_upgrade_on_a_new_home(tmp_path: Path) -> None:
    home = tmp_path / "new-home"
    result = runner.invoke(app, ["--home", str(home), "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"at revision {migrate.head_revision()}" in result.stdout
    assert (home / "lathe.db").is_file() and (home / "models").is_dir()
    current = runner.invoke(app, ["--home", str(home), "db", "current"])
    assert f"current: {migrate.head_revision()}" in current.stdout


def test_serve_refuses_public_host_without_token(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LATHE_API_TOKEN", raising=False)
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "LATHE_API_TOKEN" in result.stderr


def test_serve_starts_uvicorn_with_settings(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, object] = {}

    def fake_run(app: FastAPI, host: str, port: int, log_level: str) -> None:
        seen.update(host=host, port=port, worker=app.state.settings.worker_embedded)

    monkeypatch.setattr("lathe.cli.uvicorn.run", fake_run)
    monkeypatch.setenv("LATHE_API_TOKEN", "t")
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert seen == {"host": "0.0.0.0", "port": 8123, "worker": True}
    result = runner.invoke(app, ["serve", "--no-worker"])
    assert result.exit_code == 0, result.output
    assert seen["worker"] is False


def test_models_list_empty_says_what_to_do(settings: Settings) -> None:
    result = runner.invoke(app, ["models", "list"])
    assert result.exit_code == 0
    assert "lathe models pull" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["models", "import", "/definitely/not/here"],
        ["models", "rm", "999", "--yes"],
        ["models", "show", "no-such-model"],
        ["models", "pull", "no-such-builtin"],
        ["models", "import", "/tmp", "--name", "../up"],
    ],
)
def test_bad_input_is_one_line_and_exit_2(settings: Settings, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.output
    assert list((settings.models_dir).iterdir()) == []


def test_doctor_reports_each_failure_with_a_fix(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LATHE_FRONTEND_DIST", str(tmp_path / "no-build"))
    result = runner.invoke(app, ["doctor"], terminal_width=200)
    assert result.exit_code == 1
    assert "make build" in result.stdout
    assert "lathe models pull" in result.stdout
    assert "LATHE_HOME" in result.stdout
    assert "training kernels" in result.stdout


def test_models_commands_work_on_a_brand_new_home(tmp_path: Path) -> None:
    home = tmp_path / "first-run"
    result = runner.invoke(app, ["--home", str(home), "models", "list"])
    assert result.exit_code == 0, result.output
    assert "lathe models pull" in result.stdout
    assert migrate.current_revision(f"sqlite:///{home / 'lathe.db'}") == migrate.head_revision()
