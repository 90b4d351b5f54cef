"""Models over HTTP: list, inspect, delete; pulls and imports answer with a queued job."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from lathe.jobs.worker import Worker
from lathe.settings import Settings
from tests.backend.conftest import HomeCheck, MakeModelFolder
from tests.backend.jobs.conftest import wait_status


def test_import_is_a_job_that_registers_the_model(
    client: TestClient, settings: Settings, worker: Worker, make_model_folder: MakeModelFolder
) -> None:
    folder = make_model_folder("tiny")
    response = client.post("/api/models/import", json={"source": str(folder), "name": "tiny"})
    assert response.status_code == 202, response.text
    job = response.json()
    assert (job["kind"], job["status"]) == ("model.import", "queued")
    assert job["params"] == {"source": str(folder.resolve()), "name": "tiny"}

    done = wait_status(settings, job["id"], "succeeded", timeout=60)
    model_id = done.result["model_id"] if done.result else None
    model = client.get(f"/api/models/{model_id}").json()
    assert (model["name"], model["architecture"], model["num_layers"]) == (
        "tiny",
        "LlamaForCausalLM",
        2,
    )
    listed = client.get("/api/models").json()
    assert [m["name"] for m in listed["items"]] == ["tiny"] and listed["next_cursor"] is None
    assert any(e["type"] == "progress" for e in _events(client, job["id"]))

    assert client.delete(f"/api/models/{model_id}").status_code == 204
    assert client.get(f"/api/models/{model_id}").status_code == 404
    assert not (settings.models_dir / "tiny").exists()


def _events(client: TestClient, job_id: int) -> list[dict[str, object]]:
    import json

    with client.stream("GET", f"/api/jobs/{job_id}/events") as response:
        body = "".join(response.iter_text())
    return [
        json.loads(line.removeprefix("data: "))
        for line in body.splitlines()
        if line.startswith("data: ")
    ]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"source": "/definitely/missing"}, 422, "source"),
        ({"source": ""}, 422, "source"),
        ({"source": "/tmp", "name": "../x"}, 422, "name"),
        ({"source": "/tmp", "name": "a/b"}, 422, "name"),
        ({"name": "x"}, 422, "source"),
    ],
)
def test_bad_import_is_refused_before_any_job(
    client: TestClient,
    assert_home_clean: HomeCheck,
    body: dict[str, str],
    status: int,
    field: str,
) -> None:
    response = client.post("/api/models/import", json=body)
    assert response.status_code == status
    # Domain errors and request validation errors name the field the same way.
    assert response.json()["error"]["details"][0]["field"] == field
    assert client.get("/api/jobs").json()["items"] == []
    assert_home_clean()


def test_folder_that_is_no_model_and_corrupt_gguf(
    client: TestClient, sources: Path, assert_home_clean: HomeCheck
) -> None:
    (sources / "empty").mkdir()
    bad = sources / "broken.gguf"
    bad.write_bytes(b"GGUF\x03\x00\x00\x00garbage")
    for source in (sources / "empty", bad):
        response = client.post("/api/models/import", json={"source": str(source)})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "invalid_input"
    assert client.get("/api/jobs").json()["items"] == []
    assert_home_clean()


def test_duplicate_name_is_409(
    client: TestClient, add_row: Callable[..., object], make_model_folder: MakeModelFolder
) -> None:
    add_row("taken")
    response = client.post(
        "/api/models/import", json={"source": str(make_model_folder()), "name": "taken"}
    )
    assert response.status_code == 409
    assert "taken" in response.json()["error"]["message"]


def test_pull_queues_one_job_and_repeats_join_it(client: TestClient) -> None:
    first = client.post("/api/models/pull", json={})
    assert first.status_code == 202
    assert (first.json()["kind"], first.json()["params"]) == (
        "model.pull",
        {"key": "smollm2-135m-instruct"},
    )
    again = client.post("/api/models/pull", json={"key": "smollm2-135m-instruct"})
    assert again.json()["id"] == first.json()["id"]


def test_unknown_builtin_and_model_ids(client: TestClient) -> None:
    response = client.post("/api/models/pull", json={"key": "gpt-17"})
    assert response.status_code == 404
    assert "smollm2-135m-instruct" in response.json()["error"]["message"]
    assert client.get("/api/models/12345").status_code == 404
    assert client.delete("/api/models/12345").status_code == 404
    assert client.get("/api/models/abc").status_code == 422
    assert client.get("/api/models", params={"cursor": "nonsense"}).status_code == 422


def test_builtin_catalog(client: TestClient) -> None:
    (entry,) = client.get("/api/models/builtin").json()
    assert entry["key"] == "smollm2-135m-instruct"
    assert entry["pulled"] is False and entry["model_id"] is None
