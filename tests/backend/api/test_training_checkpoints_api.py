"""GET /api/training/runs/{id}/checkpoints: the checkpoints a run has on disk, newest first,
with their step, size, time, completeness and the best one."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from lathe.jobs import service as jobs
from lathe.settings import Settings
from lathe.training.checkpoints import checkpoint_folder
from lathe.training.service import TRAIN_KIND


def _train_job(settings: Settings) -> int:
    # Queued straight onto the queue: the listing reads the folder, not the registry.
    return jobs.enqueue(settings, TRAIN_KIND, {"model": "tiny", "dataset": "names"}).id


def _checkpoint(folder: Path, step: int, *, best: int | None = None, complete: bool = True) -> None:
    path = folder / f"checkpoint-{step}"
    path.mkdir(parents=True)
    (path / "adapter_model.safetensors").write_bytes(b"\0" * 1000)
    if complete:
        best_path = str(folder / f"checkpoint-{best}") if best else None
        state = {"global_step": step, "best_model_checkpoint": best_path}
        (path / "trainer_state.json").write_text(json.dumps(state))


def test_checkpoints_newest_first_with_the_best_and_the_cut_off_one(
    client: TestClient, settings: Settings
) -> None:
    job_id = _train_job(settings)
    assert client.get(f"/api/training/runs/{job_id}/checkpoints").json() == []

    folder = checkpoint_folder(settings, job_id)
    _checkpoint(folder, 5, best=5)
    _checkpoint(folder, 10, best=5)
    _checkpoint(folder, 12, complete=False)  # killed while saving
    (folder / "checkpoint-tmp").mkdir()  # not a step: ignored
    (folder / "notes.txt").write_text("not a checkpoint")

    response = client.get(f"/api/training/runs/{job_id}/checkpoints")
    assert response.status_code == 200, response.text
    listed = response.json()
    assert [(c["name"], c["step"], c["complete"], c["best"]) for c in listed] == [
        ("checkpoint-12", 12, False, False),
        ("checkpoint-10", 10, True, False),
        ("checkpoint-5", 5, True, True),
    ]
    assert listed[0]["size_bytes"] == 1000
    assert all(c["size_bytes"] > 1000 for c in listed[1:])  # weights and trainer state
    assert all(c["created_at"] for c in listed)


def test_checkpoints_of_what_is_not_a_run_are_not_found(client: TestClient) -> None:
    noop = client.post("/api/jobs", json={"kind": "noop"}).json()["id"]
    response = client.get(f"/api/training/runs/{noop}/checkpoints")
    assert response.status_code == 404
    assert "not a training run" in response.json()["error"]["message"]
    assert client.get("/api/training/runs/999999/checkpoints").status_code == 404
