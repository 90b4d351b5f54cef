"""GET /api/jobs/{id}/metrics/events: metric points as SSE after ?after= or Last-Event-ID,
followed live until the job has finished; bad resume points refused."""

from __future__ import annotations

import json
import threading
import time

from fastapi.testclient import TestClient

from lathe.jobs import queue
from lathe.settings import Settings


def _stream(client: TestClient, job_id: int, **options: object) -> list[dict]:
    """Every metric event of one connection (it ends when the job has finished)."""
    url = f"/api/jobs/{job_id}/metrics/events"
    with client.stream("GET", url, **options) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        body = "".join(response.iter_text())
    points = []
    for block in body.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "data" in fields:
            point = json.loads(fields["data"])
            assert fields["event"] == "metric" and fields["id"] == str(point["id"])
            points.append(point)
    return points


def _queued_job(client: TestClient) -> int:
    # Without a worker a job stays queued, so the test decides when metrics come and it ends.
    return int(client.post("/api/jobs", json={"kind": "sleep"}).json()["id"])


def _report(settings: Settings, job_id: int, step: int) -> None:
    queue.append_metrics(settings, job_id, step, {"train_loss": 2.0 / step, "learning_rate": 0.1})


def test_the_stream_resumes_after_the_page_follows_live_and_ends_with_the_job(
    client: TestClient, settings: Settings
) -> None:
    job_id = _queued_job(client)
    for step in (1, 2):
        _report(settings, job_id, step)
    page = client.get(f"/api/jobs/{job_id}/metrics").json()
    assert [(p["step"], p["name"]) for p in page["items"]] == [
        (1, "train_loss"),
        (1, "learning_rate"),
        (2, "train_loss"),
        (2, "learning_rate"),
    ]
    ids = [point["id"] for point in page["items"]]
    assert ids == sorted(ids)

    def later() -> None:
        time.sleep(0.4)  # the stream is open and waiting by now
        _report(settings, job_id, 3)
        time.sleep(0.4)
        queue.request_cancel(settings, job_id)  # a queued job is cancelled at once

    writer = threading.Thread(target=later)
    writer.start()
    followed = _stream(client, job_id, params={"after": ids[-1]})
    writer.join()
    assert [(p["step"], p["name"]) for p in followed] == [(3, "train_loss"), (3, "learning_rate")]
    assert followed[0]["value"] == 2.0 / 3 and followed[0]["id"] > ids[-1]

    replay = _stream(client, job_id, headers={"Last-Event-ID": str(ids[1])})
    assert [p["id"] for p in replay] == [*ids[2:], *(p["id"] for p in followed)]
    everything = _stream(client, job_id)
    assert [p["id"] for p in everything] == [*ids, *(p["id"] for p in followed)]
    assert _stream(client, job_id, headers={"Last-Event-ID": str(followed[-1]["id"])}) == []


def test_bad_resume_points_and_unknown_jobs_are_refused(
    client: TestClient, settings: Settings
) -> None:
    first, second = _queued_job(client), _queued_job(client)
    _report(settings, first, 1)
    foreign = queue.read_metrics(settings, first)[0].id
    for headers, says in (
        ({"Last-Event-ID": "abc"}, "is not an event id"),
        ({"Last-Event-ID": str(foreign)}, f"belongs to job {first}, not job {second}"),
        ({"Last-Event-ID": "999999"}, "belongs to no job"),
    ):
        response = client.get(f"/api/jobs/{second}/metrics/events", headers=headers)
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["message"].startswith("Last-Event-ID:") and says in error["message"]
        assert error["details"][0]["field"] == "Last-Event-ID"
    assert client.get(f"/api/jobs/{second}/metrics/events", params={"after": -1}).status_code == 422

    missing = client.get("/api/jobs/999/metrics/events")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
