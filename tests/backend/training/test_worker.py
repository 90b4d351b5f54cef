"""A queued run goes through a real worker (child process) to a registered adapter; a run
whose process is killed (SIGKILL) resumes from its last checkpoint on the same loss curve."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from lathe.db.tables import JobRow, ModelRow
from lathe.jobs import service as jobs
from lathe.jobs.worker import Worker
from lathe.models.registry import resolve_model
from lathe.models.storage import model_dir
from lathe.settings import Settings
from lathe.training import service
from lathe.training.config import TrainingConfig
from lathe.training.trainer import train_adapter
from tests.backend.training.conftest import AddDataset, name_rows
from tests.backend.training.test_loss import Recorder

pytestmark = pytest.mark.integration


def wait_done(settings: Settings, job_id: int, timeout: float = 120.0) -> JobRow:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = jobs.get_job(settings, job_id)
        if job.status in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {jobs.get_job(settings, job_id).status}")


def test_a_queued_run_trains_in_a_worker(
    settings: Settings, tiny_model: ModelRow, add_dataset: AddDataset, worker: Worker
) -> None:
    add_dataset("names", name_rows(8))
    config = TrainingConfig(
        model="tiny",
        dataset="names",
        max_length=64,
        max_steps=3,
        batch_size=4,
        precision="fp32",
        sample_prompts=["What is your name?"],
        sample_max_new_tokens=3,
    )
    job = wait_done(settings, service.queue_run(settings, config).id)
    assert job.status == "succeeded", job.error_message
    assert job.result is not None
    name = job.result["adapter"]["name"]
    assert name == f"tiny-names-lora-{job.id}"
    adapter = resolve_model(settings, name)
    assert (adapter.kind, adapter.parent_id) == ("adapter", tiny_model.id)
    assert job.result["metrics"]["global_step"] == 3
    assert len(job.result["samples"]) == 1
    steps = {m.step for m in jobs.job_metrics(settings, job.id, names=["train_loss"])}
    assert steps == {1, 2, 3}


def job_children() -> list[int]:
    """Pids of the job processes the in-process worker spawned."""
    import psutil

    return [
        child.pid
        for child in psutil.Process().children(recursive=True)
        if "spawn_main" in " ".join(child.cmdline())
    ]


def test_a_killed_run_resumes_from_its_checkpoint_on_the_same_curve(
    settings: Settings,
    tiny_model: ModelRow,
    add_dataset: AddDataset,
    worker: Worker,
    tmp_path: Path,
) -> None:
    add_dataset("names", name_rows(8))
    config = TrainingConfig(
        model="tiny",
        dataset="names",
        lora={"r": 4, "alpha": 8, "dropout": 0.0},
        max_length=64,
        max_steps=16,
        batch_size=2,
        learning_rate=1e-2,
        precision="fp32",
        save_steps=4,
        save_total_limit=2,
        sample_prompts=[],
    )
    reference = Recorder()
    train_adapter(
        settings,
        config,
        base_folder=model_dir(settings, tiny_model),
        output_dir=tmp_path / "reference",
        hooks=reference,
    )

    job_id = service.queue_run(settings, config).id
    state = settings.runs_dir / str(job_id) / "checkpoints" / "checkpoint-4" / "trainer_state.json"
    deadline = time.monotonic() + 120
    while not state.is_file():
        assert time.monotonic() < deadline, "no checkpoint-4"
        assert jobs.get_job(settings, job_id).status in ("queued", "running")
        time.sleep(0.02)
    for pid in job_children():
        os.kill(pid, signal.SIGKILL)
    killed = wait_done(settings, job_id)
    assert (killed.status, killed.error_code) == ("failed", "process_died")
    assert len(jobs.job_metrics(settings, job_id, names=["train_loss"])) < 16

    jobs.retry_job(settings, job_id)
    job = wait_done(settings, job_id)
    assert job.status == "succeeded", job.error_message
    assert job.result is not None and job.result["resumed_from"].startswith("checkpoint-")
    assert job.result["metrics"]["global_step"] == 16
    resumed: dict[int, float] = {}
    for metric in jobs.job_metrics(settings, job_id, names=["train_loss"]):
        resumed[metric.step] = metric.value  # a step run again after the kill: the last value
    expected = reference.values["train_loss"]
    assert sorted(resumed) == sorted(expected) == list(range(1, 17))
    for step, value in expected.items():
        assert resumed[step] == pytest.approx(value, rel=1e-4, abs=1e-5), step


def test_a_cancelled_run_saves_a_checkpoint_and_ends_cancelled(
    settings: Settings, tiny_model: ModelRow, add_dataset: AddDataset, worker: Worker
) -> None:
    add_dataset("names", name_rows(8))
    config = TrainingConfig(
        model="tiny",
        dataset="names",
        max_length=64,
        max_steps=2000,
        batch_size=2,
        precision="fp32",
        save_steps=1000,
        sample_prompts=[],
    )
    job_id = service.queue_run(settings, config).id
    deadline = time.monotonic() + 120
    while len(jobs.job_metrics(settings, job_id, names=["train_loss"])) < 3:
        assert time.monotonic() < deadline, "no training steps"
        time.sleep(0.05)
    jobs.cancel_job(settings, job_id)
    job = wait_done(settings, job_id)
    assert job.status == "cancelled"
    checkpoints = list((settings.runs_dir / str(job_id) / "checkpoints").iterdir())
    assert len(checkpoints) == 1 and (checkpoints[0] / "trainer_state.json").is_file()
    assert not resolve_model_or_none(settings, f"tiny-names-lora-{job_id}")


def resolve_model_or_none(settings: Settings, name: str) -> ModelRow | None:
    from lathe.models import records

    return records.find_by_name(settings, name)
