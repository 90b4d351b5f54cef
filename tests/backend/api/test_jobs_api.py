"""Jobs over HTTP: enqueue (idempotent), list and filter, cancel, retry, SSE events with
Last-Event-ID replay, logs and metrics."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from lathe.jobs import queue
from lathe.jobs.worker import Worker
from lathe.settings import Settings
from tests.backend.jobs.conftest import wait_status


def _sse(client: TestClient, job_id: int, headers: dict[str, str] | None = None) -> list[dict]:
    with client.stream("GET", f"/api/jobs/{job_id}/events", headers=headers or {}) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        body = "".join(response.iter_text())
    events, ids = [], []
    for block in body.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "data" in fields:
            event = json.loads(fields["data"])
            assert fields["id"] == str(event["id"]) and fields["event"] == event["type"]
            ids.append(event["id"])
            events.append(event)
    assert ids == sorted(ids)
    return events


def test_enqueue_list_and_idempotency(client: TestClient) -> None:
    body = {"kind": "sleep", "params": {"seconds": 0.1, "steps": 1}}
    first = client.post("/api/jobs", json=body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == 201
    job = first.json()
    assert (job["status"], job["attempts"], job["resources"]["slot"]) == ("queued", 0, "aux")
    again = client.post("/api/jobs", json=body, headers={"Idempotency-Key": "k1"})
    assert again.json()["id"] == job["id"]
    other = client.post("/api/jobs", json={"kind": "noop"}).json()

    listed = client.get("/api/jobs", params={"limit": 1}).json()
    assert [j["id"] for j in listed["items"]] == [other["id"]]  # newest first
    rest = client.get("/api/jobs", params={"limit": 1, "cursor": listed["next_cursor"]}).json()
    assert [j["id"] for j in rest["items"]] == [job["id"]] and rest["next_cursor"] is None
    by_kind = client.get("/api/jobs", params={"kind": "sleep"}).json()["items"]
    assert [j["id"] for j in by_kind] == [job["id"]]
    assert client.get("/api/jobs", params={"status": "running"}).json()["items"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "no-such-kind"}, "kind"),
        ({"kind": "sleep", "params": {"seconds": "long"}}, "params.seconds"),
        ({"kind": "sleep", "params": {"unexpected": 1}}, "params.unexpected"),
        ({"kind": "noop", "priority": 1000}, "priority"),
    ],
)
def test_bad_jobs_are_refused_at_enqueue(client: TestClient, body: dict, field: str) -> None:
    response = client.post("/api/jobs", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"].startswith(f"{field}:")
    assert client.get("/api/jobs").json()["items"] == []


def test_bad_filters_and_unknown_job(client: TestClient) -> None:
    assert client.get("/api/jobs", params={"status": "sleeping"}).status_code == 422
    assert client.get("/api/jobs", params={"cursor": "zz"}).status_code == 422
    for path in ("", "/cancel", "/retry", "/events", "/logs", "/metrics"):
        method = client.post if path in ("/cancel", "/retry") else client.get
        response = method(f"/api/jobs/999{path}")
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


def test_cancel_queued_then_retry_then_conflicts(client: TestClient) -> None:
    job = client.post("/api/jobs", json={"kind": "sleep", "params": {"seconds": 5}}).json()
    cancelled = client.post(f"/api/jobs/{job['id']}/cancel").json()
    assert cancelled["status"] == "cancelled"
    again = client.post(f"/api/jobs/{job['id']}/cancel")
    assert again.status_code == 409
    assert "cancelled" in again.json()["error"]["message"]
    retried = client.post(f"/api/jobs/{job['id']}/retry")
    assert retried.status_code == 200 and retried.json()["status"] == "queued"
    assert client.post(f"/api/jobs/{job['id']}/retry").status_code == 409  # already queued


def test_run_stream_logs_and_replay(client: TestClient, settings: Settings, worker: Worker) -> None:
    job = client.post("/api/jobs", json={"kind": "sleep", "params": {"seconds": 0.2, "steps": 2}})
    job_id = job.json()["id"]
    events = _sse(client, job_id)  # follows live until the final status
    statuses = [e["data"]["status"] for e in events if e["type"] == "status"]
    assert statuses[-2:] == ["running", "succeeded"]
    assert [e["data"]["completed"] for e in events if e["type"] == "progress"] == [1, 2]

    replay = _sse(client, job_id, {"Last-Event-ID": str(events[1]["id"])})
    assert replay == events[2:]
    assert _sse(client, job_id, {"Last-Event-ID": str(events[-1]["id"])}) == []

    done = client.get(f"/api/jobs/{job_id}").json()
    assert (done["status"], done["progress"]["completed"]) == ("succeeded", 2)
    logs = client.get(f"/api/jobs/{job_id}/logs").json()
    assert logs["complete"] is True and logs["content"]
    tail = client.get(f"/api/jobs/{job_id}/logs", params={"offset": logs["next_offset"]}).json()
    assert tail["content"] == ""
    assert client.post(f"/api/jobs/{job_id}/retry").status_code == 409  # succeeded
    assert wait_status(settings, job_id, "succeeded").attempts == 1


def test_last_event_id_of_another_job_is_refused(client: TestClient) -> None:
    first = client.post("/api/jobs", json={"kind": "noop"}).json()["id"]
    second = client.post("/api/jobs", json={"kind": "noop"}).json()["id"]
    other_event = queue.events_after(client.app.state.settings, first)[0].id  # type: ignore[attr-defined]
    for headers in ({"Last-Event-ID": str(other_event)}, {"Last-Event-ID": "abc"}):
        response = client.get(f"/api/jobs/{second}/events", headers=headers)
        assert response.status_code == 422
        assert response.json()["error"]["message"].startswith("Last-Event-ID:")


def test_metrics_are_paged(client: TestClient, settings: Settings) -> None:
    job_id = client.post("/api/jobs", json={"kind": "noop"}).json()["id"]
    for step in range(5):
        queue.append_metrics(settings, job_id, step, {"loss": 1.0 / (step + 1), "lr": 0.1})
    page = client.get(f"/api/jobs/{job_id}/metrics", params={"name": "loss", "limit": 3}).json()
    assert [p["step"] for p in page["items"]] == [0, 1, 2]
    rest = client.get(
        f"/api/jobs/{job_id}/metrics",
        params={"name": "loss", "limit": 3, "cursor": page["next_cursor"]},
    ).json()
    assert [p["step"] for p in rest["items"]] == [3, 4] and rest["next_cursor"] is None
