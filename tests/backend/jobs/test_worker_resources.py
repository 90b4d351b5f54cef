"""GPU slots: with two GPUs, one-GPU training jobs run two at a time, each on its own device,
and a CPU training job (the CPU slot) runs beside them without seeing a GPU."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from lathe.jobs import service
from lathe.settings import Settings
from tests.backend.jobs.conftest import WorkerProcess, wait_status

pytestmark = pytest.mark.integration


def test_training_jobs_never_share_a_gpu(
    job_settings: Settings, start_worker: Callable[..., WorkerProcess], tmp_path: Path
) -> None:
    record = tmp_path / "runs.jsonl"
    start_worker("--gpus", "0,1")  # indices only; nothing here touches CUDA
    gpu_jobs = [
        service.enqueue(job_settings, "t_train", {"gpus": 1, "record": str(record)}).id
        for _ in range(3)
    ]
    cpu_job = service.enqueue(job_settings, "t_train", {"gpus": 0, "record": str(record)}).id
    for job_id in (*gpu_jobs, cpu_job):
        wait_status(job_settings, job_id, "succeeded", timeout=30)

    runs = {r["job"]: r for r in map(json.loads, record.read_text().splitlines())}
    assert runs[cpu_job]["cuda"] == ""  # no GPU for a CPU job
    assert {runs[j]["cuda"] for j in gpu_jobs} <= {"0", "1"}
    overlapping = [
        (a, b)
        for a in gpu_jobs
        for b in gpu_jobs
        if a < b and runs[a]["start"] < runs[b]["end"] and runs[b]["start"] < runs[a]["end"]
    ]
    assert overlapping, "two GPUs, yet the GPU jobs ran one at a time"
    for a, b in overlapping:
        assert runs[a]["cuda"] != runs[b]["cuda"], (runs[a], runs[b])
