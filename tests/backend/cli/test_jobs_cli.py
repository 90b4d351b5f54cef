"""`lathe jobs` against an isolated LATHE_HOME."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from lathe.cli import app
from lathe.jobs import logs, service
from lathe.settings import Settings

runner = CliRunner()


def test_list_show_cancel_retry(settings: Settings) -> None:
    empty = runner.invoke(app, ["jobs", "list"])
    assert empty.exit_code == 0 and "No jobs yet" in empty.stdout

    job = service.enqueue(settings, "sleep", {"seconds": 3})
    listed = runner.invoke(app, ["jobs", "list", "--kind", "sleep"], terminal_width=200)
    assert listed.exit_code == 0 and "queued" in listed.stdout and "sleep" in listed.stdout

    shown = runner.invoke(app, ["jobs", "show", str(job.id)], terminal_width=200)
    assert shown.exit_code == 0 and '"seconds": 3.0' in shown.stdout

    cancelled = runner.invoke(app, ["jobs", "cancel", str(job.id)])
    assert cancelled.exit_code == 0 and "cancelled" in cancelled.stdout
    retried = runner.invoke(app, ["jobs", "retry", str(job.id)])
    assert retried.exit_code == 0 and "queued" in retried.stdout


def test_logs_print_and_follow_a_finished_job(settings: Settings) -> None:
    job = service.enqueue(settings, "noop", {})
    logs.append_line(settings, job.id, "hello from the job")
    service.cancel_job(settings, job.id)  # finished: -f returns after the last line
    result = runner.invoke(app, ["jobs", "logs", str(job.id), "-f"])
    assert result.exit_code == 0
    assert "hello from the job" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["jobs", "show", "404"],
        ["jobs", "cancel", "404"],
        ["jobs", "retry", "404"],
        ["jobs", "logs", "404"],
        ["jobs", "list", "--status", "sleeping"],
    ],
)
def test_bad_input_exits_2_with_one_line(settings: Settings, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")


def test_cancel_of_a_finished_job_is_refused(settings: Settings) -> None:
    job = service.enqueue(settings, "noop", {})
    service.cancel_job(settings, job.id)
    result = runner.invoke(app, ["jobs", "cancel", str(job.id)])
    assert result.exit_code == 2 and "cancelled" in result.stderr
