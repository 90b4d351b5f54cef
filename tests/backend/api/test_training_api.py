"""/api/training: the estimate, starting runs (bad input refused with its field and no job),
listing and inspecting runs, presets; one real run on a tiny Llama through a worker."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from lathe.datasets import records
from lathe.datasets.columns import CANONICAL_SCHEMAS
from lathe.datasets.storage import VersionWriter
from lathe.db.tables import ModelRow
from lathe.jobs.worker import Worker
from lathe.models.registry import import_model
from lathe.settings import Settings
from lathe.training import estimate as est
from lathe.training import memory_model as mm
from tests.backend.conftest import MakeModelFolder
from tests.backend.jobs.conftest import wait_status
from tests.backend.training.conftest import name_rows


@pytest.fixture
def tiny(settings: Settings, make_model_folder: MakeModelFolder) -> ModelRow:
    return import_model(settings, str(make_model_folder("tiny-src")), name="tiny")


@pytest.fixture
def names(settings: Settings) -> str:
    schema = CANONICAL_SCHEMAS["messages"]
    with VersionWriter(settings, schema) as writer:
        writer.write(pa.Table.from_pylist(name_rows(16), schema=schema))
        staged = writer.finish()
    records.add_version(settings, "names", staged, records.NewVersion(source="test"))
    return "names"


def run_config(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "model": "tiny",
        "dataset": "names",
        "max_length": 64,
        "batch_size": 2,
        "max_steps": 2,
        "learning_rate": 1e-3,
        "lora": {"r": 4, "alpha": 8},
        "sample_prompts": ["What is your name?"],
        "sample_max_new_tokens": 4,
        "save_steps": 100,
    }
    values.update(changes)
    return values


def job_count(client: TestClient) -> int:
    return len(client.get("/api/jobs").json()["items"])


def test_estimate_shape(client: TestClient, tiny: ModelRow, names: str) -> None:
    response = client.post("/api/training/estimate", json=run_config(eval_fraction=0.25))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"] == "tiny" and body["model_id"] == tiny.id
    assert body["device"] == "cpu" and body["precision"] == "fp32"
    assert body["fits"] is True and body["suggestions"] == []
    parts = ("weights", "adapter", "gradient", "optimizer_state", "activation", "overhead")
    assert body["peak_bytes"] == sum(body[f"{part}_bytes"] for part in parts)
    assert body["optimizer_state_bytes"] == 2 * body["adapter_bytes"]
    assert body["tokens_per_step"] == 2 * 64
    assert body["train_rows"] == 12 and body["total_steps"] == 2
    assert body["total_seconds"] == pytest.approx(2 * body["step_seconds"])
    assert job_count(client) == 0


def test_presets(client: TestClient) -> None:
    presets = {item["name"]: item["values"] for item in client.get("/api/training/presets").json()}
    assert set(presets) == {"quick-cpu-demo", "balanced", "quality"}
    assert presets["quick-cpu-demo"]["lora"]["r"] >= 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lora": {"r": 0}}, "lora.r"),
        ({"lora": {"alpha": -1}}, "lora.alpha"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"learning_rate": -1e-4}, "learning_rate"),
        ({"batch_size": 0}, "batch_size"),
        ({"eval_fraction": 1.0}, "eval_fraction"),
        ({"model": "no-such-model"}, "model"),
        ({"dataset": "no-such-dataset"}, "dataset"),
    ],
)
def test_bad_runs_are_refused_with_the_field(
    client: TestClient, tiny: ModelRow, names: str, changes: dict[str, Any], field: str
) -> None:
    for path in ("/api/training/runs", "/api/training/estimate"):
        response = client.post(path, json=run_config(**changes))
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid_input"
        assert error["details"][0]["field"] == field
    assert job_count(client) == 0


def test_a_run_that_does_not_fit_is_refused_with_suggestions(
    client: TestClient, tiny: ModelRow, names: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(est, "host_memory_bytes", lambda: 600 * mm.MiB)
    config = run_config(batch_size=256, max_length=128)
    estimate = client.post("/api/training/estimate", json=config).json()
    assert estimate["fits"] is False
    assert {item["field"] for item in estimate["suggestions"]} >= {"batch_size", "max_length"}

    response = client.post("/api/training/runs", json=config)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert "does not fit" in error["message"]
    assert "lower batch_size" in error["message"]
    assert error["details"][0]["field"] == estimate["suggestions"][0]["field"]
    assert error["details"][0]["suggestions"]
    assert job_count(client) == 0


def test_queue_list_and_detail_without_a_worker(
    client: TestClient, tiny: ModelRow, names: str
) -> None:
    response = client.post("/api/training/runs", json=run_config())
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["kind"] == "train" and job["status"] == "queued"
    assert job["resources"]["slot"] == "train"
    assert job["params"]["dataset_version"] == 1  # pinned at queue time
    client.post("/api/jobs", json={"kind": "noop"})  # not a training run

    page = client.get("/api/training/runs").json()
    assert [item["id"] for item in page["items"]] == [job["id"]]
    run = page["items"][0]
    assert run["status"] == "queued" and run["config"]["model"] == "tiny"
    assert run["final_metrics"] is None and run["adapter_model_id"] is None

    detail = client.get(f"/api/training/runs/{job['id']}").json()
    assert detail["estimate"]["fits"] is True and detail["estimate_error"] is None
    assert detail["result"] is None and detail["sample_generations"] == []

    noop = client.get("/api/jobs", params={"kind": "noop"}).json()["items"][0]
    assert client.get(f"/api/training/runs/{noop['id']}").status_code == 404
    assert client.get("/api/training/runs/999999").status_code == 404
    assert client.get("/api/training/runs", params={"limit": 0}).status_code == 422


def test_a_run_through_the_api_succeeds(
    client: TestClient, settings: Settings, tiny: ModelRow, names: str, worker: Worker
) -> None:
    job = client.post("/api/training/runs", json=run_config()).json()
    finished = wait_status(settings, job["id"], "succeeded", "failed", timeout=240)
    assert finished.status == "succeeded", finished.error_message

    detail = client.get(f"/api/training/runs/{job['id']}").json()
    assert detail["status"] == "succeeded"
    assert detail["final_metrics"]["global_step"] == 2
    adapter_id = detail["adapter_model_id"]
    assert adapter_id is not None
    adapter = client.get(f"/api/models/{adapter_id}").json()
    assert adapter["kind"] == "adapter" and adapter["parent_id"] == tiny.id
    assert [sample["prompt"] for sample in detail["sample_generations"]] == ["What is your name?"]
    metrics = client.get(f"/api/jobs/{job['id']}/metrics", params={"name": "train_loss"}).json()
    assert [point["step"] for point in metrics["items"]] == [1, 2]
    listed = client.get("/api/training/runs").json()["items"][0]
    assert listed["final_metrics"]["global_step"] == 2
