"""The official `openai` package against a live `lathe serve` on loopback: chat (whole and
streamed), text completions, the model list and errors."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from lathe.db.tables import ModelRow
from lathe.models.registry import import_model
from lathe.settings import Settings
from tests.backend.conftest import MakeModelFolder
from tests.backend.jobs.conftest import wait_for

pytestmark = pytest.mark.integration

HELLO = [{"role": "user", "content": "hello world"}]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def tiny_model(settings: Settings, make_model_folder: MakeModelFolder) -> ModelRow:
    return import_model(settings, str(make_model_folder("tiny")))


@pytest.fixture
def server_url(settings: Settings, tiny_model: ModelRow, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "LATHE_HOME": str(settings.home), "LATHE_WORKER_EMBEDDED": "0"}
    env.pop("LATHE_DATABASE_URL", None)
    lathe = str(Path(sys.executable).parent / "lathe")
    with (tmp_path / "server.log").open("ab") as log:
        process = subprocess.Popen(
            [lathe, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            try:
                return httpx.get(f"{url}/api/health", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        try:
            wait_for(healthy, 60, "server to answer /api/health")
            yield url
        finally:
            process.terminate()
            process.wait(30)


@pytest.fixture
def client(server_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server_url}/v1", api_key="unused", max_retries=0)


def test_chat_whole_and_streamed(client: openai.OpenAI) -> None:
    whole = client.chat.completions.create(
        model="tiny",
        messages=HELLO,
        temperature=0,
        max_tokens=12,  # type: ignore[arg-type]
    )
    reply = whole.choices[0].message.content
    assert reply and whole.choices[0].finish_reason == "length"
    assert whole.usage is not None and whole.usage.completion_tokens == 12
    stream = client.chat.completions.create(
        model="tiny",
        messages=HELLO,  # type: ignore[arg-type]
        temperature=0,
        max_tokens=12,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == reply
    assert (
        chunks[-1].usage is not None and chunks[-1].usage.total_tokens == whole.usage.total_tokens
    )


def test_completions_models_and_errors(client: openai.OpenAI) -> None:
    # Greedy: a sampled completion of the random model may end early on its EOS token.
    completion = client.completions.create(
        model="tiny", prompt="the quick", max_tokens=5, temperature=0
    )
    assert completion.usage is not None and completion.usage.completion_tokens == 5
    streamed = client.completions.create(
        model="tiny", prompt="the quick", stream=True, temperature=0
    )
    assert [c.choices[0].finish_reason for c in streamed][-1] == "length"
    assert [model.id for model in client.models.list()] == ["tiny"]
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="nope", messages=HELLO)  # type: ignore[arg-type]
    assert "no model named 'nope'" in missing.value.message
    with pytest.raises(openai.UnprocessableEntityError) as bad:
        client.chat.completions.create(
            model="tiny",
            messages=HELLO,
            top_p=1.5,  # type: ignore[arg-type]
        )
    assert bad.value.body is not None and bad.value.body["param"] == "top_p"  # type: ignore[index]
