"""The chat playground API: threads and messages (stored with the model, adapter and sampling
of each reply), the side-by-side compare stream, and loading/unloading models."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lathe.db.tables import ModelRow
from lathe.models.registry import import_model
from lathe.settings import Settings
from tests.backend.conftest import MakeModelFolder
from tests.backend.inference.adapters import register_adapter

HELLO = [{"role": "user", "content": "hello world"}]


@pytest.fixture
def tiny_model(settings: Settings, make_model_folder: MakeModelFolder) -> ModelRow:
    return import_model(settings, str(make_model_folder("tiny")))


def _events(text: str) -> list[tuple[str, int, Any]]:
    """(event, id, data) of each Server-Sent Event."""
    parsed: list[tuple[str, int, Any]] = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            parsed.append((fields["event"], int(fields["id"]), json.loads(fields["data"])))
    return parsed


def test_threads_and_messages(client: TestClient) -> None:
    created = client.post(
        "/api/chat/threads",
        json={"title": "first", "model": "tiny", "params": {"temperature": 0.2, "top_k": 5}},
    )
    assert created.status_code == 201
    thread = created.json()
    assert thread["params"]["temperature"] == 0.2 and thread["params"]["top_k"] == 5
    tid = thread["id"]
    user = client.post(f"/api/chat/threads/{tid}/messages", json={"role": "user", "content": "hi"})
    assert user.status_code == 201
    reply = client.post(
        f"/api/chat/threads/{tid}/messages",
        json={
            "role": "assistant",
            "content": "hello",
            "model": "tiny",
            "adapter": "tiny-lora",
            "params": {"temperature": 0.2, "seed": 3},
            "finish_reason": "stop",
            "prompt_tokens": 9,
            "completion_tokens": 2,
        },
    ).json()
    assert reply["params"]["seed"] == 3 and reply["adapter"] == "tiny-lora"
    page = client.get(f"/api/chat/threads/{tid}/messages", params={"limit": 1}).json()
    assert [m["role"] for m in page["items"]] == ["user"]
    rest = client.get(
        f"/api/chat/threads/{tid}/messages", params={"cursor": page["next_cursor"]}
    ).json()
    assert [m["content"] for m in rest["items"]] == ["hello"] and rest["next_cursor"] is None
    renamed = client.patch(f"/api/chat/threads/{tid}", json={"title": "renamed"}).json()
    assert renamed["title"] == "renamed" and renamed["model"] == "tiny"
    client.post("/api/chat/threads", json={"title": "second"})
    titles = [t["title"] for t in client.get("/api/chat/threads").json()["items"]]
    assert titles == ["second", "renamed"]  # newest first
    assert client.delete(f"/api/chat/threads/{tid}").status_code == 204
    assert client.get(f"/api/chat/threads/{tid}").status_code == 404
    assert client.get(f"/api/chat/threads/{tid}/messages").status_code == 404


def test_delete_message_removes_only_that_message_of_that_thread(client: TestClient) -> None:
    tid = client.post("/api/chat/threads", json={}).json()["id"]
    other = client.post("/api/chat/threads", json={}).json()["id"]
    url = f"/api/chat/threads/{tid}/messages"
    user = client.post(url, json={"role": "user", "content": "hi"}).json()
    reply = client.post(url, json={"role": "assistant", "content": "old reply"}).json()
    assert client.delete(f"/api/chat/threads/{other}/messages/{reply['id']}").status_code == 404
    assert client.delete(f"{url}/{reply['id']}").status_code == 204
    assert [m["id"] for m in client.get(url).json()["items"]] == [user["id"]]
    gone = client.delete(f"{url}/{reply['id']}")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "robot", "content": "x"}, "role"),
        ({"role": "user"}, "content"),
        (
            {"role": "assistant", "content": "x", "params": {"temperature": -1}},
            "params.temperature",
        ),
        ({"role": "assistant", "content": "x", "finish_reason": "bored"}, "finish_reason"),
    ],
)
def test_bad_messages_name_the_field(client: TestClient, body: dict[str, Any], field: str) -> None:
    tid = client.post("/api/chat/threads", json={}).json()["id"]
    response = client.post(f"/api/chat/threads/{tid}/messages", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == field
    missing = client.post("/api/chat/threads/999/messages", json={"role": "user", "content": "x"})
    assert missing.status_code == 404


def test_compare_streams_each_target_tagged(
    client: TestClient, settings: Settings, tiny_model: ModelRow
) -> None:
    register_adapter(settings, tiny_model, "tiny-lora")
    request = {
        "messages": HELLO,
        "targets": [{"model": "tiny"}, {"model": "tiny", "adapter": "tiny-lora"}],
        "temperature": 0,
        "max_tokens": 8,
    }
    with client.stream("POST", "/api/chat/compare", json=request) as response:
        assert response.status_code == 200
        events = _events(response.read().decode())
    assert [event_id for _, event_id, _ in events] == list(range(1, len(events) + 1))
    texts = {0: "", 1: ""}
    for kind, _, data in events:
        if kind == "delta":
            texts[data["target"]] += data["text"]
    done = {data["target"]: data for kind, _, data in events if kind == "done"}
    assert set(done) == {0, 1}
    assert done[1]["model"] == "tiny-lora" and done[0]["model"] == "tiny"
    assert done[0]["usage"]["completion_tokens"] == 8
    for target, adapter in ((0, None), (1, "tiny-lora")):
        alone = client.post(
            "/v1/chat/completions",
            json={
                "model": "tiny",
                "adapter": adapter,
                "messages": HELLO,
                "temperature": 0,
                "max_tokens": 8,
            },
        ).json()
        assert texts[target] == alone["choices"][0]["message"]["content"]


def test_compare_refuses_bad_targets_before_streaming(
    client: TestClient, tiny_model: ModelRow
) -> None:
    one = {"messages": HELLO, "targets": [{"model": "tiny"}]}
    assert client.post("/api/chat/compare", json=one).status_code == 422
    unknown = {"messages": HELLO, "targets": [{"model": "tiny"}, {"model": "nope"}]}
    response = client.post("/api/chat/compare", json=unknown)
    assert response.status_code == 404
    assert response.json()["error"]["details"][0]["field"] == "model"
    assert client.get("/api/inference/models").json()["items"][0]["busy"] == 0


def test_load_and_unload(client: TestClient, settings: Settings, tiny_model: ModelRow) -> None:
    register_adapter(settings, tiny_model, "tiny-lora")
    assert client.get("/api/inference/models").json()["items"] == []
    loaded = client.post("/api/inference/load", json={"model": "tiny-lora"}).json()
    [item] = loaded["items"]
    assert item["label"] == "tiny" and item["adapters"] == ["tiny-lora"] and item["bytes"] > 0
    assert loaded["budget_bytes"] == 8192 * 2**20
    assert client.post("/api/inference/unload", json={"model": "tiny"}).json()["items"] == []
    missing = client.post("/api/inference/load", json={"model": "nope"})
    assert missing.status_code == 404
