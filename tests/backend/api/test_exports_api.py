"""/api/exports: every bad request refused with its field and no job; listing (per adapter and
per base model), detail, downloads (Content-Length, ranges, folders as tar archives, paths
that try to leave the export), deletion and register-back checks on exports written by hand;
and one export through a real worker with the real builders, downloaded, registered back as a
model and loaded."""

from __future__ import annotations

import hashlib
import io
import tarfile
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lathe.db.tables import ModelRow
from lathe.export import records
from lathe.jobs.worker import Worker
from lathe.settings import Settings
from tests.backend.export.export_fixtures import AddExport, add_export, gpt2_lora, tiny, tiny_lora
from tests.backend.jobs.conftest import wait_status

__all__ = ["add_export", "gpt2_lora", "tiny", "tiny_lora"]


def export_jobs(client: TestClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/api/jobs", params={"kind": "export"}).json()["items"]
    return items


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


def test_an_export_is_queued_with_its_source_and_name_pinned(
    client: TestClient, tiny_lora: ModelRow
) -> None:
    response = client.post("/api/exports", json={"source": str(tiny_lora.id), "quant": "q4_0"})
    job = response.json()
    assert response.status_code == 202, response.text
    assert (job["kind"], job["status"]) == ("export", "queued")
    assert job["resources"]["slot"] == "aux"  # runs beside training
    assert job["params"]["source"] == "tiny-lora"
    assert (job["params"]["quant"], job["params"]["name"]) == ("Q4_0", "tiny-lora")


@pytest.mark.parametrize(
    ("body", "status", "field", "text"),
    [
        ({"source": "no-such-adapter"}, 404, "source", "no model named 'no-such-adapter'"),
        ({"source": "tiny"}, 422, "source", "is a base model, not an adapter"),
        ({"source": "tiny-lora", "quant": "q9_9"}, 422, "quant", "Q8_0"),
        ({"source": "tiny-lora", "name": "../x"}, 422, "name", "path separator"),
        ({"source": "tiny-lora", "name": "a\\b"}, 422, "name", "path separator"),
        ({"source": "tiny-lora", "name": ".hidden"}, 422, "name", "hidden"),
        ({"source": "tiny-lora", "format": "merged", "dtype": "int8"}, 422, "dtype", "fp16"),
        ({"source": "gpt2-lora", "format": "gguf"}, 422, "format", "GPT2LMHeadModel"),
    ],
)
def test_bad_exports_are_refused_with_the_field_and_no_job(
    client: TestClient,
    tiny_lora: ModelRow,
    gpt2_lora: ModelRow,
    body: dict[str, Any],
    status: int,
    field: str,
    text: str,
) -> None:
    error = error_of(client.post("/api/exports", json=body), status)
    assert text in error["message"]
    assert error["details"][0]["field"] == field
    assert export_jobs(client) == []


def test_an_architecture_the_gguf_writer_refuses_can_still_be_merged(
    client: TestClient, gpt2_lora: ModelRow
) -> None:
    response = client.post("/api/exports", json={"source": "gpt2-lora", "format": "merged"})
    assert response.status_code == 202, response.text


def test_a_base_model_gone_from_disk_is_a_conflict_naming_it(
    client: TestClient, settings: Settings, tiny_lora: ModelRow
) -> None:
    folder = settings.models_dir / "tiny"
    folder.rename(settings.home / "moved-away")
    error = error_of(client.post("/api/exports", json={"source": "tiny-lora"}), 409)
    assert "base model tiny of adapter tiny-lora is not on disk" in error["message"]
    assert str(folder) in error["message"]
    assert export_jobs(client) == []


def test_list_per_adapter_and_per_base_model(
    client: TestClient,
    settings: Settings,
    tiny: ModelRow,
    tiny_lora: ModelRow,
    gpt2_lora: ModelRow,
    add_export: AddExport,
) -> None:
    first = add_export(tiny_lora, name="one")
    second = add_export(tiny_lora, fmt="merged", name="two")
    other = add_export(gpt2_lora, name="three")

    page = client.get("/api/exports", params={"limit": 2}).json()
    assert [item["id"] for item in page["items"]] == [other.id, second.id]  # newest first
    rest = client.get("/api/exports", params={"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [item["id"] for item in rest["items"]] == [first.id] and rest["next_cursor"] is None

    for model_id in (tiny_lora.id, tiny.id):
        listed = client.get("/api/exports", params={"model_id": model_id}).json()["items"]
        assert [item["id"] for item in listed] == [second.id, first.id]
    item = client.get("/api/exports", params={"model_id": gpt2_lora.id}).json()["items"][0]
    assert (item["id"], item["source_model_name"], item["format"]) == (
        other.id,
        "gpt2-lora",
        "gguf",
    )
    assert item["primary"] == "three.gguf" and item["primary_is_folder"] is False
    assert item["download_path"] == f"/api/exports/{other.id}/download"

    assert error_of(client.get("/api/exports", params={"model_id": 999}), 404)["details"]
    error_of(client.get("/api/exports", params={"cursor": "bogus"}), 422)
    error_of(client.get("/api/exports", params={"limit": 0}), 422)


def test_detail_has_the_report_files_modelfile_and_job(
    client: TestClient, tiny_lora: ModelRow, add_export: AddExport
) -> None:
    row = add_export(tiny_lora)
    detail = client.get(f"/api/exports/{row.id}").json()
    assert detail["report"]["passed"] is True and detail["passed"] is True
    assert detail["report"]["verification"]["check"]["limit"] == 1.0
    assert detail["modelfile"] == "FROM ./tiny-lora-Q8_0.gguf\n"
    assert detail["job"] is None  # written by hand, not by a job
    assert {item["path"] for item in detail["files"]} == {"Modelfile", "tiny-lora-Q8_0.gguf"}
    gguf = next(item for item in detail["files"] if item["path"].endswith(".gguf"))
    assert gguf["sha256"] == detail["sha256"]
    assert gguf["download_path"] == f"/api/exports/{row.id}/download?file=tiny-lora-Q8_0.gguf"
    error_of(client.get("/api/exports/999"), 404)


def test_a_file_downloads_with_length_and_byte_ranges(
    client: TestClient, settings: Settings, tiny_lora: ModelRow, add_export: AddExport
) -> None:
    row = add_export(tiny_lora)
    data = (records.export_dir(settings, row) / "tiny-lora-Q8_0.gguf").read_bytes()
    whole = client.get(f"/api/exports/{row.id}/download")
    assert whole.status_code == 200
    assert whole.content == data and whole.headers["content-length"] == str(len(data))
    assert whole.headers["content-disposition"] == 'attachment; filename="tiny-lora-Q8_0.gguf"'
    assert whole.headers["accept-ranges"] == "bytes"
    assert hashlib.sha256(whole.content).hexdigest() == row.sha256

    part = client.get(f"/api/exports/{row.id}/download", headers={"Range": "bytes=100-299"})
    assert part.status_code == 206 and part.content == data[100:300]
    assert part.headers["content-range"] == f"bytes 100-299/{len(data)}"
    assert part.headers["content-length"] == "200"
    tail = client.get(f"/api/exports/{row.id}/download", headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == data[-10:]

    for bad in (f"bytes={len(data)}-", "bytes=9-2", "lines=1-2", "bytes=-0"):
        response = client.get(f"/api/exports/{row.id}/download", headers={"Range": bad})
        error = error_of(response, 416)
        assert error["code"] == "range_not_satisfiable", bad
        assert response.headers["content-range"] == f"bytes */{len(data)}"

    modelfile = client.get(f"/api/exports/{row.id}/download", params={"file": "Modelfile"})
    assert modelfile.text == "FROM ./tiny-lora-Q8_0.gguf\n"


def test_a_folder_downloads_as_a_tar_with_its_length(
    client: TestClient, settings: Settings, tiny_lora: ModelRow, add_export: AddExport
) -> None:
    row = add_export(tiny_lora, fmt="merged", name="merged-model")
    folder = records.export_dir(settings, row) / "merged-model"
    response = client.get(f"/api/exports/{row.id}/download")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-tar"
    assert response.headers["content-disposition"] == 'attachment; filename="merged-model.tar"'
    assert response.headers["content-length"] == str(len(response.content))
    with tarfile.open(fileobj=io.BytesIO(response.content)) as tar:
        names = {member.name for member in tar.getmembers() if member.isfile()}
        weights = tar.extractfile("merged-model/model.safetensors").read()  # type: ignore[union-attr]
    assert names == {
        "merged-model/config.json",
        "merged-model/model.safetensors",
        "merged-model/sub/notes.txt",
    }
    assert weights == (folder / "model.safetensors").read_bytes()

    part = client.get(f"/api/exports/{row.id}/download", headers={"Range": "bytes=512-1535"})
    assert part.status_code == 206 and part.content == response.content[512:1536]
    assert part.headers["content-range"] == f"bytes 512-1535/{len(response.content)}"
    error_of(
        client.get(f"/api/exports/{row.id}/download", headers={"Range": "bytes=99999999-"}), 416
    )

    one = client.get(
        f"/api/exports/{row.id}/download", params={"file": "merged-model/sub/notes.txt"}
    )
    assert one.status_code == 200 and one.text == "x"
    everything = client.get(f"/api/exports/{row.id}/download", params={"file": "."})
    assert everything.headers["content-disposition"] == 'attachment; filename="merged-model.tar"'


@pytest.mark.parametrize(
    ("file", "status"),
    [
        ("../../lathe.db", 422),
        ("/etc/passwd", 422),
        ("merged-model/../../x", 422),
        ("a\\b", 422),
        ("missing.bin", 404),
    ],
)
def test_paths_outside_the_export_are_refused(
    client: TestClient, tiny_lora: ModelRow, add_export: AddExport, file: str, status: int
) -> None:
    row = add_export(tiny_lora, fmt="merged", name="merged-model")
    error = error_of(client.get(f"/api/exports/{row.id}/download", params={"file": file}), status)
    assert error["details"][0]["field"] == "file"


def test_a_link_out_of_the_export_is_not_followed(
    client: TestClient, settings: Settings, tiny_lora: ModelRow, add_export: AddExport
) -> None:
    row = add_export(tiny_lora)
    (records.export_dir(settings, row) / "escape").symlink_to(settings.home / "lathe.db")
    error_of(client.get(f"/api/exports/{row.id}/download", params={"file": "escape"}), 404)


def test_delete_removes_the_row_and_the_files(
    client: TestClient, settings: Settings, tiny_lora: ModelRow, add_export: AddExport
) -> None:
    row = add_export(tiny_lora)
    folder = records.export_dir(settings, row)
    assert client.delete(f"/api/exports/{row.id}").status_code == 204
    assert not folder.exists() and list(settings.tmp_dir.iterdir()) == []
    error_of(client.get(f"/api/exports/{row.id}"), 404)
    error_of(client.delete(f"/api/exports/{row.id}"), 404)


def test_deleting_the_adapter_keeps_its_exports(
    client: TestClient, tiny_lora: ModelRow, add_export: AddExport
) -> None:
    row = add_export(tiny_lora)
    assert client.delete(f"/api/models/{tiny_lora.id}").status_code == 204
    detail = client.get(f"/api/exports/{row.id}").json()
    assert (detail["source_model_id"], detail["source_model_name"]) == (None, None)


def test_register_refuses_adapter_exports_taken_names_and_repeats(
    client: TestClient, tiny_lora: ModelRow, add_export: AddExport
) -> None:
    adapter_export = add_export(tiny_lora, fmt="adapter", name="peft")
    error = error_of(client.post(f"/api/exports/{adapter_export.id}/register"), 422)
    assert "only merged and gguf exports can be registered" in error["message"]

    gguf = add_export(tiny_lora)
    taken = client.post(f"/api/exports/{gguf.id}/register", json={"name": "tiny"})
    assert error_of(taken, 409)["details"][0]["field"] == "name"
    bad = client.post(f"/api/exports/{gguf.id}/register", json={"name": "../x"})
    assert error_of(bad, 422)["details"][0]["field"] == "name"
    error_of(client.post("/api/exports/999/register"), 404)

    job = client.post(f"/api/exports/{gguf.id}/register")
    assert job.status_code == 202, job.text
    assert job.json()["kind"] == "export.register"
    assert job.json()["params"] == {"export_id": gguf.id, "name": "tiny-lora-Q8_0"}


@pytest.mark.integration
def test_an_export_through_a_worker_downloads_and_registers_back(
    client: TestClient, settings: Settings, tiny: ModelRow, tiny_lora: ModelRow, worker: Worker
) -> None:
    body = {"source": "tiny-lora", "format": "gguf", "quant": "q8_0"}
    job = client.post("/api/exports", json=body).json()
    finished = wait_status(settings, job["id"], "succeeded", "failed", timeout=180)
    assert finished.status == "succeeded", finished.error_message
    export_id = (finished.result or {})["export_id"]

    detail = client.get(f"/api/exports/{export_id}").json()
    assert (detail["format"], detail["quant"], detail["dtype"]) == ("gguf", "Q8_0", None)
    primary = detail["primary"]  # the builders name it <name>.<quant>.gguf
    assert primary == "tiny-lora.Q8_0.gguf" and detail["primary_is_folder"] is False
    assert detail["job"]["id"] == job["id"] and detail["job"]["status"] == "succeeded"
    top1 = detail["report"]["verification"]["gguf_top1"]
    assert top1["passed"] == (top1["agreement"] >= top1["limit"] == 0.97)
    assert f"\nFROM ./{primary}\n" in detail["modelfile"]
    listed = client.get("/api/exports", params={"model_id": tiny.id}).json()["items"]
    assert [item["id"] for item in listed] == [export_id]

    download = client.get(detail["download_path"])
    assert download.status_code == 200
    assert download.content[:4] == b"GGUF"
    assert int(download.headers["content-length"]) == len(download.content) > 0
    assert hashlib.sha256(download.content).hexdigest() == detail["sha256"]
    part = client.get(detail["download_path"], headers={"Range": "bytes=0-3"})
    assert part.status_code == 206 and part.content == b"GGUF"

    register = client.post(f"/api/exports/{export_id}/register").json()
    registered = wait_status(settings, register["id"], "succeeded", "failed", timeout=180)
    assert registered.status == "succeeded", registered.error_message
    model_id = (registered.result or {})["model_id"]
    model = client.get(f"/api/models/{model_id}").json()
    assert (model["name"], model["kind"]) == ("tiny-lora.Q8_0", "base")
    assert client.get(f"/api/exports/{export_id}").json()["registered_model_id"] == model_id

    chat = client.post(
        "/v1/chat/completions",
        json={
            "model": "tiny-lora.Q8_0",
            "messages": [{"role": "user", "content": "What is your name?"}],
            "max_tokens": 3,
            "temperature": 0,
        },
    )
    assert chat.status_code == 200, chat.text
    assert chat.json()["usage"]["completion_tokens"] >= 1
    again = client.post(f"/api/exports/{export_id}/register")
    assert "registered already as model tiny-lora.Q8_0" in error_of(again, 409)["message"]
