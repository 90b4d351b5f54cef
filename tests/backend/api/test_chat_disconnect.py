"""A client that disconnects mid-stream stops its generation: the server (uvicorn in a thread
of the test, on loopback, so the test can watch its engine) cancels the sequence at the next
decode step, and the decode thread is the only thread the model keeps."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from lathe.app import create_app
from lathe.db.tables import ModelRow
from lathe.inference.engine import ChatEngine
from lathe.inference.served import ServedModel
from lathe.inference.streams import Finished, GenerationStream
from lathe.models.registry import import_model
from lathe.settings import Settings
from tests.backend.conftest import MakeModelFolder
from tests.backend.jobs.conftest import wait_for

pytestmark = pytest.mark.integration

STEP_DELAY_S = 0.02  # 100 tokens take 2 s: a generation cancelled early is plainly cut short
HELLO = [{"role": "user", "content": "hello world"}]


@pytest.fixture
def tiny_model(settings: Settings, make_model_folder: MakeModelFolder) -> ModelRow:
    return import_model(settings, str(make_model_folder("tiny")))


@pytest.fixture
def slow_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    forward = ServedModel._forward

    def slowed(self: ServedModel, *args: Any, **kwargs: Any) -> Any:
        time.sleep(STEP_DELAY_S)
        return forward(self, *args, **kwargs)

    monkeypatch.setattr(ServedModel, "_forward", slowed)


@pytest.fixture
def streams(monkeypatch: pytest.MonkeyPatch) -> list[GenerationStream]:
    """Every generation the server starts."""
    started: list[GenerationStream] = []
    generate = ChatEngine.generate

    def recording(self: ChatEngine, *args: Any, **kwargs: Any) -> GenerationStream:
        stream = generate(self, *args, **kwargs)
        started.append(stream)
        return stream

    monkeypatch.setattr(ChatEngine, "generate", recording)
    return started


@pytest.fixture
def server(settings: Settings, tiny_model: ModelRow, slow_steps: None) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: running.started, 30, "uvicorn to start")
    yield url
    running.should_exit = True
    thread.join(30)


def _last_event(stream: GenerationStream) -> object:
    events = list(stream)  # what the server left unread, up to the final event
    return events[-1]


@pytest.mark.parametrize("stream", [True, False])
def test_disconnect_cancels_the_generation(
    server: str, streams: list[GenerationStream], stream: bool
) -> None:
    # Greedy: a sampled reply of the random model can hit its end-of-sequence token at once and
    # finish before the client leaves; the greedy one of this seeded model runs all 100 tokens.
    request = {
        "model": "tiny",
        "messages": HELLO,
        "max_tokens": 100,
        "temperature": 0,
        "stream": stream,
    }
    url = f"{server}/v1/chat/completions"
    if stream:
        with httpx.stream("POST", url, json=request, timeout=60) as response:
            lines = response.iter_lines()
            assert next(lines).startswith("data: ")
            assert next(lines) == ""
            assert next(lines).startswith("data: ")
    else:
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(url, json=request, timeout=1.0)
    wait_for(lambda: bool(streams), 30, "the generation to start")
    finished = _last_event(streams[0])
    assert isinstance(finished, Finished)
    assert finished.reason == "cancelled"
    assert finished.completion_tokens < 100
    loaded = httpx.get(f"{server}/api/inference/models").json()["items"]
    assert loaded[0]["busy"] == 0
    decode_threads = [t for t in threading.enumerate() if t.name.startswith("lathe-decode")]
    assert len(decode_threads) == 1


def test_health_answers_while_replies_stream(server: str) -> None:
    request = {"model": "tiny", "messages": HELLO, "max_tokens": 60, "stream": True}
    url = f"{server}/v1/chat/completions"
    httpx.post(url, json={**request, "stream": False, "max_tokens": 1}, timeout=60)  # load it
    done = threading.Event()

    def chat() -> None:
        with httpx.stream("POST", url, json=request, timeout=60) as response:
            for _ in response.iter_lines():
                pass
        done.set()

    chatter = threading.Thread(target=chat)
    chatter.start()
    answered = 0
    while not done.is_set():
        assert httpx.get(f"{server}/api/health", timeout=5).status_code == 200
        answered += 1
    chatter.join()
    assert answered > 1
