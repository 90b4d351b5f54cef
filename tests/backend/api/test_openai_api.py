"""The OpenAI-compatible routes in process (TestClient) on a tiny random model: reply shapes,
streaming chunks, usage, the model list, bad input in OpenAI's error shape, and the token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from lathe.db.tables import ModelRow
from lathe.models.registry import import_model
from lathe.settings import Settings
from tests.backend.conftest import MakeModelFolder
from tests.backend.inference.adapters import register_adapter

HELLO = [{"role": "user", "content": "hello world"}]
CHAT = {"model": "tiny", "messages": HELLO, "temperature": 0, "max_tokens": 10}


@pytest.fixture
def tiny_model(settings: Settings, make_model_folder: MakeModelFolder) -> ModelRow:
    return import_model(settings, str(make_model_folder("tiny")))


def sse_payloads(text: str) -> list[Any]:
    """The data of each event, parsed ([DONE] kept as the string)."""
    payloads: list[Any] = []
    for line in text.splitlines():
        if line.startswith("data: "):
            data = line.removeprefix("data: ")
            payloads.append(data if data == "[DONE]" else json.loads(data))
    return payloads


def test_chat_completion_whole(client: TestClient, tiny_model: ModelRow) -> None:
    response = client.post("/v1/chat/completions", json=CHAT)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["object"] == "chat.completion" and body["id"].startswith("chatcmpl-")
    assert body["model"] == "tiny"
    [choice] = body["choices"]
    assert choice["message"]["role"] == "assistant" and choice["message"]["content"]
    assert choice["finish_reason"] == "length"
    usage = body["usage"]
    assert usage["completion_tokens"] == 10
    assert usage["total_tokens"] == usage["prompt_tokens"] + 10


def test_chat_completion_streamed_equals_whole(client: TestClient, tiny_model: ModelRow) -> None:
    whole = client.post("/v1/chat/completions", json=CHAT).json()
    streamed = {**CHAT, "stream": True, "stream_options": {"include_usage": True}}
    with client.stream("POST", "/v1/chat/completions", json=streamed) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        payloads = sse_payloads(response.read().decode())
    assert payloads[-1] == "[DONE]"
    chunks = payloads[:-1]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"]["content"] or "" for c in chunks if c["choices"])
    assert text == whole["choices"][0]["message"]["content"]
    assert chunks[-2]["choices"][0]["finish_reason"] == "length"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == whole["usage"]


def test_text_completion_whole_and_streamed(client: TestClient, tiny_model: ModelRow) -> None:
    request = {"model": "tiny", "prompt": "the quick brown", "temperature": 0}
    body = client.post("/v1/completions", json=request).json()
    assert body["object"] == "text_completion"
    assert body["usage"]["completion_tokens"] == 16  # OpenAI's default max_tokens
    with client.stream("POST", "/v1/completions", json={**request, "stream": True}) as response:
        payloads = sse_payloads(response.read().decode())
    assert payloads[-1] == "[DONE]"
    text = "".join(p["choices"][0]["text"] for p in payloads[:-1])
    assert text == body["choices"][0]["text"]
    assert payloads[-2]["choices"][0]["finish_reason"] == "length"


def test_models_lists_bases_and_adapters(
    client: TestClient, settings: Settings, tiny_model: ModelRow
) -> None:
    register_adapter(settings, tiny_model, "tiny-lora")
    body = client.get("/v1/models").json()
    assert body["object"] == "list"
    assert [(m["id"], m["parent"], m["object"]) for m in body["data"]] == [
        ("tiny", None, "model"),
        ("tiny-lora", "tiny", "model"),
    ]


@pytest.mark.parametrize(
    ("change", "status", "param", "message"),
    [
        ({"model": "nope"}, 404, "model", "no model named 'nope'"),
        ({"adapter": "nope"}, 404, "adapter", "no model named 'nope'"),
        ({"messages": []}, 422, "messages", "at least 1 item"),
        ({"messages": [{"role": "robot", "content": "hi"}]}, 422, "messages.0.role", "'system'"),
        ({"temperature": -0.5}, 422, "temperature", "greater than or equal to 0"),
        ({"top_p": 1.5}, 422, "top_p", "less than or equal to 1"),
        ({"n": 2}, 422, "n", "only n=1 is supported"),
        ({"max_tokens": 1000}, 422, "max_tokens", "reads at most 128 tokens"),
        ({"max_tokens": 120}, 422, "max_tokens", "are left for the reply"),
        (
            {"messages": [{"role": "user", "content": "hello world " * 80}]},
            422,
            "messages",
            "send truncate: true",
        ),
        ({"stop": ["a", "b", "c", "d", "e"]}, 422, "stop", "at most 4 items"),
    ],
)
def test_bad_input_in_openai_error_shape(
    client: TestClient,
    tiny_model: ModelRow,
    change: dict[str, Any],
    status: int,
    param: str,
    message: str,
) -> None:
    response = client.post("/v1/chat/completions", json={**CHAT, **change})
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    assert message in error["message"]


def test_adapter_of_another_base_is_refused(
    client: TestClient,
    settings: Settings,
    tiny_model: ModelRow,
    make_model_folder: MakeModelFolder,
) -> None:
    other = import_model(settings, str(make_model_folder("other", seed=1)))
    register_adapter(settings, other, "other-lora")
    response = client.post("/v1/chat/completions", json={**CHAT, "adapter": "other-lora"})
    assert response.status_code == 422
    assert response.json()["error"]["param"] == "adapter"
    assert "trained on other, not on tiny" in response.json()["error"]["message"]
    ok = client.post("/v1/chat/completions", json={**CHAT, "model": "other-lora"})
    assert ok.status_code == 200 and ok.json()["model"] == "other-lora"


def test_truncation_when_asked(client: TestClient, tiny_model: ModelRow) -> None:
    old = [{"role": "user", "content": "hello world " * 30}, {"role": "assistant", "content": "ok"}]
    request = {**CHAT, "messages": [*old * 3, *HELLO], "truncate": True}
    assert client.post("/v1/chat/completions", json=request).status_code == 200


def test_api_token_guards_v1_in_openai_shape(settings: Settings, tiny_model: ModelRow) -> None:
    from lathe.app import create_app

    guarded = settings.model_copy(update={"api_token": SecretStr("s3cret")})
    with TestClient(create_app(guarded)) as client:
        refused = client.get("/v1/models")
        assert refused.status_code == 401
        assert refused.json()["error"]["type"] == "authentication_error"
        wrong = client.post("/v1/chat/completions", json=CHAT, headers=_bearer("nope"))
        assert wrong.status_code == 401
        assert client.get("/v1/models", headers=_bearer("s3cret")).status_code == 200
        # /api keeps its own error shape.
        assert client.get("/api/chat/threads").json()["error"]["code"] == "unauthorized"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
