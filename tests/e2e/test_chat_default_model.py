"""The built-in SmolLM2 answering a question through /v1/chat/completions (whole and
streamed), with the same greedy answer either way."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from lathe.models.registry import pull_builtin
from lathe.schemas.models import DEFAULT_MODEL_KEY
from lathe.settings import Settings

pytestmark = pytest.mark.e2e

QUESTION = {
    "model": DEFAULT_MODEL_KEY,
    "messages": [{"role": "user", "content": "What is the capital of France?"}],
    "temperature": 0,
    "max_tokens": 30,
}


def test_smollm2_answers_a_question(settings: Settings, client: TestClient) -> None:
    pull_builtin(settings)
    whole = client.post("/v1/chat/completions", json=QUESTION)
    assert whole.status_code == 200, whole.text
    answer = whole.json()["choices"][0]["message"]["content"]
    print(f"\nanswer: {answer!r}")
    assert "Paris" in answer
    with client.stream("POST", "/v1/chat/completions", json={**QUESTION, "stream": True}) as s:
        lines = [line.removeprefix("data: ") for line in s.iter_lines() if line.startswith("data")]
    chunks = [json.loads(line) for line in lines if line != "[DONE]"]
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == answer
