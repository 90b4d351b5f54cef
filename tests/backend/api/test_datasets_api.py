"""Datasets over REST: upload (streamed, capped) → import job → version with report, rows,
stats; every bad input from issue 4 is refused with its location and leaves nothing behind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lathe.app import create_app
from lathe.jobs.worker import Worker
from lathe.settings import Settings
from tests.backend.datasets.conftest import chat, jsonl
from tests.backend.jobs.conftest import wait_status


def upload(
    client: TestClient, filename: str, content: bytes | str, /, **fields: Any
) -> tuple[int, dict[str, Any]]:
    data = content.encode() if isinstance(content, str) else content
    response = client.post(
        "/api/datasets",
        files={"file": (filename, data, "application/octet-stream")},
        data={key: str(value) for key, value in fields.items()},
    )
    return response.status_code, response.json()


def finished(settings: Settings, body: dict[str, Any], status: str = "succeeded") -> Any:
    return wait_status(settings, body["job"]["id"], status, "failed", timeout=60)


def uploads_left(settings: Settings) -> list[Path]:
    return [p for p in settings.uploads_dir.rglob("*") if p.is_file()]


def version_files(settings: Settings) -> list[Path]:
    return sorted(settings.datasets_dir.rglob("*.parquet"))


def test_upload_with_a_bad_line_reports_it_and_browses_rows(
    client: TestClient, settings: Settings, worker: Worker
) -> None:
    good = [chat(f"question {i}", f"answer {i}") for i in range(120)]
    content = jsonl(*good[:1]) + "{not json\n" + jsonl(*good[1:])
    status, body = upload(client, "chats.jsonl", content, description="hello")
    assert status == 202, body
    assert body["detected_format"] == "messages"
    assert body["dataset"]["name"] == "chats" and body["dataset"]["latest"] is None
    assert body["job"]["kind"] == "dataset.import"
    job = finished(settings, body)
    assert job.status == "succeeded", job.error
    assert not uploads_left(settings)

    dataset_id = body["dataset"]["id"]
    detail = client.get(f"/api/datasets/{dataset_id}").json()
    assert detail["description"] == "hello" and detail["job_id"] == job.id
    assert [v["version"] for v in detail["versions"]] == [1]
    assert detail["latest"]["row_count"] == 120 and detail["latest"]["format"] == "messages"
    assert detail["latest"]["columns"] == [{"name": "messages", "type": "messages"}]

    version = client.get(f"/api/datasets/{dataset_id}/versions/1").json()
    report = version["report"]
    assert report["rows"] == {"total": 121, "valid": 120, "skipped": 1}
    assert report["problems"][0]["line"] == 2 and "line 2" in report["problems"][0]["reason"]
    assert version["stats"]["rows"] == 120

    first = client.get(f"/api/datasets/{dataset_id}/versions/0/rows", params={"limit": 50})
    page = first.json()
    assert (page["offset"], page["total"], len(page["rows"])) == (0, 120, 50)
    assert page["rows"][0]["messages"][0] == {"role": "user", "content": "question 0"}
    seen = page["rows"]
    while page["next_cursor"]:
        page = client.get(
            f"/api/datasets/{dataset_id}/versions/1/rows",
            params={"limit": 50, "cursor": page["next_cursor"]},
        ).json()
        seen += page["rows"]
    assert [r["messages"][1]["content"] for r in seen] == [f"answer {i}" for i in range(120)]

    stats = client.get(f"/api/datasets/{dataset_id}/versions/1/stats").json()
    assert stats["version"] == 1 and stats["stats"]["rows"] == 120
    listed = client.get("/api/datasets").json()
    assert [d["latest"]["version"] for d in listed["items"]] == [1]

    assert client.delete(f"/api/datasets/{dataset_id}").status_code == 204
    assert client.get(f"/api/datasets/{dataset_id}").status_code == 404
    assert not version_files(settings)


def test_new_version_of_an_existing_dataset_and_table_format(
    client: TestClient, settings: Settings, worker: Worker
) -> None:
    status, body = upload(client, "qa.csv", "question,answer\nq1,a1\nq2,a2\n", format="table")
    assert status == 202, body
    assert finished(settings, body).status == "succeeded"
    dataset_id = body["dataset"]["id"]
    rows = client.get(f"/api/datasets/{dataset_id}/versions/1/rows").json()["rows"]
    assert rows == [{"question": "q1", "answer": "a1"}, {"question": "q2", "answer": "a2"}]

    status, body = upload(
        client, "more.jsonl", jsonl({"prompt": "p", "completion": "c"}), dataset_id=dataset_id
    )
    assert status == 202, body
    assert finished(settings, body).status == "succeeded"
    detail = client.get(f"/api/datasets/{dataset_id}").json()
    assert [(v["version"], v["format"]) for v in detail["versions"]] == [
        (1, "table"),
        (2, "messages"),
    ]
    assert detail["versions"][0]["content_hash"] != detail["versions"][1]["content_hash"]


def test_strict_mode_fails_the_job_at_the_first_problem(
    client: TestClient, settings: Settings, worker: Worker
) -> None:
    content = jsonl(*(chat() for _ in range(150))) + '{"messages": []}\n'
    status, body = upload(client, "strict.jsonl", content, strict="true")
    assert status == 202, body
    job = finished(settings, body, "failed")
    assert job.status == "failed"
    assert job.error_message is not None and "line 151" in job.error_message
    assert client.get(f"/api/datasets/{body['dataset']['id']}").json()["versions"] == []
    assert not version_files(settings) and not uploads_left(settings)
    assert not [p for p in settings.tmp_dir.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("name", "content", "field", "needle"),
    [
        ("empty.jsonl", b"", "file", "empty"),
        ("garbage.jsonl", bytes(range(256)) * 40, "file", "binary"),
        ("data.exe", b"MZ", "file", "extension"),
        ("trailing.json", b'[{"text": "a"},\n {"text": "b"},\n]', "file", "line 3"),
        ("what.jsonl", jsonl({"a": 1}).encode(), "file", "cannot detect"),
    ],
)
def test_hopeless_files_are_refused_at_upload(
    client: TestClient, settings: Settings, name: str, content: bytes, field: str, needle: str
) -> None:
    status, body = upload(client, name, content)
    assert status == 422, body
    assert body["error"]["details"][0]["field"] == field
    assert needle in body["error"]["message"]
    assert not uploads_left(settings)
    assert client.get("/api/datasets").json()["items"] == []


def test_ragged_csv_and_truncated_jsonl_keep_the_good_rows(
    client: TestClient, settings: Settings, worker: Worker
) -> None:
    status, body = upload(client, "r.csv", "prompt,completion\nq,a\nx,y,z\nq2,a2\n")
    assert status == 202, body
    assert finished(settings, body).status == "succeeded"
    report = client.get(f"/api/datasets/{body['dataset']['id']}/versions/1").json()["report"]
    assert report["rows"]["valid"] == 2 and report["problems"][0]["line"] == 3

    cut = jsonl(chat(), chat())[:-20]
    status, body = upload(client, "cut.jsonl", cut)
    assert status == 202, body
    assert finished(settings, body).status == "succeeded"
    report = client.get(f"/api/datasets/{body['dataset']['id']}/versions/1").json()["report"]
    assert report["rows"] == {"total": 2, "valid": 1, "skipped": 1}
    assert report["problems"][0]["line"] == 2


def test_bad_form_fields(client: TestClient, settings: Settings) -> None:
    content = jsonl(chat())
    cases = [
        ({"format": "yaml"}, 422, "format"),
        ({"name": "../x"}, 422, "name"),
        ({"max_length": "0"}, 422, "max_length"),
        ({"stats_model": "nope"}, 422, "stats_model"),
        ({"dataset_id": "999"}, 404, None),
    ]
    for fields, expected, field in cases:
        status, body = upload(client, "d.jsonl", content, **fields)
        assert status == expected, (fields, body)
        if field is not None:
            assert body["error"]["details"][0]["field"] == field, body
    assert not uploads_left(settings)

    assert upload(client, "d.jsonl", content, name="same")[0] == 202
    status, body = upload(client, "d.jsonl", content, name="same")
    assert status == 409 and body["error"]["details"][0]["field"] == "name"

    response = client.post("/api/datasets", json={"file": "x"})
    assert response.status_code == 422 and "multipart" in response.json()["error"]["message"]
    response = client.post("/api/datasets", files={"other": ("a.jsonl", b"x")})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "file"
    assert len(uploads_left(settings)) == 1  # only the accepted upload, waiting for its job


def test_file_over_the_cap_is_413_and_not_kept(settings: Settings) -> None:
    small = settings.model_copy(update={"upload_max_bytes": 1000})
    with TestClient(create_app(small)) as capped:
        big = jsonl(*(chat(str(i) * 20) for i in range(100)))
        status, body = upload(capped, "big.jsonl", big)
        assert status == 413, body
        assert body["error"]["code"] == "too_large"
        assert body["error"]["details"][0]["field"] == "file"
        assert upload(capped, "ok.jsonl", jsonl(chat()))[0] == 202
    assert len(uploads_left(settings)) == 1


def test_missing_things_and_deleting_while_importing(
    client: TestClient, settings: Settings
) -> None:
    assert client.get("/api/datasets/7").status_code == 404
    status, body = upload(client, "d.jsonl", jsonl(chat()))
    assert status == 202
    dataset_id = body["dataset"]["id"]
    response = client.get(f"/api/datasets/{dataset_id}/versions/0/rows")
    assert response.status_code == 404 and "no versions" in response.json()["error"]["message"]
    response = client.get(f"/api/datasets/{dataset_id}/versions/3")
    assert response.status_code == 404
    response = client.get(f"/api/datasets/{dataset_id}/versions/0/rows", params={"cursor": "zz"})
    assert response.status_code in (404, 422)
    response = client.delete(f"/api/datasets/{dataset_id}")
    assert response.status_code == 409 and "cancel" in response.json()["error"]["message"]
    assert client.post(f"/api/jobs/{body['job']['id']}/cancel").status_code == 200
    assert client.delete(f"/api/datasets/{dataset_id}").status_code == 204


def test_openapi_declares_the_multipart_upload(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/api/datasets"]["post"]["requestBody"]
    schema = body["content"]["multipart/form-data"]["schema"]
    assert schema["required"] == ["file"]
    assert {"file", "name", "format", "strict", "dataset_id"} <= set(schema["properties"])
    assert json.dumps(schema)  # serialisable


def test_samples_import_as_datasets(client: TestClient, settings: Settings, worker: Worker) -> None:
    listed = client.get("/api/datasets/samples").json()
    assert {"identity", "instructions", "preferences"} <= {s["key"] for s in listed}
    response = client.post("/api/datasets/samples/identity", json={})
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["dataset"]["name"] == "sample-identity"
    assert finished(settings, body).status == "succeeded"
    latest = client.get(f"/api/datasets/{body['dataset']['id']}").json()["latest"]
    identity = next(s for s in listed if s["key"] == "identity")
    assert latest["row_count"] == identity["rows"] and latest["format"] == "messages"
    response = client.post("/api/datasets/samples/nope", json={})
    assert response.status_code == 422 and "identity" in response.json()["error"]["message"]
    response = client.post("/api/datasets/samples/identity", json={})
    assert response.status_code == 409
