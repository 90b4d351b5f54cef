"""Chat serving speed on the built-in SmolLM2 (CPU, greedy, 128 new tokens): time to first
token and tokens/s through /v1/chat/completions against raw transformers `generate` on the same
prompt; aggregate tokens/s with 1, 4 and 8 concurrent streams; and the p99 latency of
GET /api/health while 8 streams run.

    .venv/bin/python bench/chat.py [--max-tokens 128] [--streams 1 4 8]

Needs the default model pulled (`lathe models pull`). Starts `lathe serve` on a free loopback
port with LATHE_HOME's settings (no embedded worker); the baseline runs in this process while
the server is idle. Targets: single stream >= 0.95x raw generate; 8 streams >= 3x the single
stream's aggregate; health p99 under 50 ms while 8 streams run.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer
from transformers.generation.streamers import BaseStreamer

from lathe.models.registry import model_dir, resolve_model
from lathe.schemas.models import DEFAULT_MODEL_KEY
from lathe.settings import get_settings

PROMPT = [{"role": "user", "content": "Write a long story about a robot who learns to paint."}]
HEALTH_POLL_S = 0.02


@dataclass(frozen=True)
class Run:
    first_token_s: float
    total_s: float
    tokens: int

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.total_s


class _FirstToken(BaseStreamer):
    """Records when generate produces its first new token (the prompt comes first)."""

    def __init__(self) -> None:
        self.calls = 0
        self.first: float | None = None

    def put(self, value: Any) -> None:
        self.calls += 1
        if self.calls == 2 and self.first is None:
            self.first = time.perf_counter()

    def end(self) -> None:
        pass


def raw_generate(folder: Path, max_tokens: int) -> Run:
    model = AutoModelForCausalLM.from_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    inputs = tokenizer.apply_chat_template(
        PROMPT, add_generation_prompt=True, return_tensors="pt", return_dict=True
    )
    with torch.inference_mode():
        model.generate(**inputs, max_new_tokens=4, do_sample=False)  # warm up
        streamer = _FirstToken()
        start = time.perf_counter()
        output = model.generate(
            **inputs, max_new_tokens=max_tokens, do_sample=False, streamer=streamer
        )
        total = time.perf_counter() - start
    tokens = output.shape[1] - inputs["input_ids"].shape[1]
    return Run((streamer.first or start) - start, total, int(tokens))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "LATHE_WORKER_EMBEDDED": "0"}
    lathe = str(Path(sys.executable).parent / "lathe")
    process = subprocess.Popen(
        [lathe, "serve", "--port", str(port)],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the server did not start; see {log}")


def stream_once(url: str, max_tokens: int) -> Run:
    request = {
        "model": DEFAULT_MODEL_KEY,
        "messages": PROMPT,
        "temperature": 0,
        "max_tokens": max_tokens,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    start = time.perf_counter()
    first: float | None = None
    tokens = 0
    with httpx.stream("POST", f"{url}/v1/chat/completions", json=request, timeout=600) as reply:
        for line in reply.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line.removeprefix("data: "))
            if chunk.get("usage"):
                tokens = chunk["usage"]["completion_tokens"]
            elif first is None and chunk["choices"] and chunk["choices"][0]["delta"].get("content"):
                first = time.perf_counter()
    end = time.perf_counter()
    return Run((first or end) - start, end - start, tokens)


def concurrent(url: str, streams: int, max_tokens: int) -> tuple[float, list[float]]:
    """Aggregate tokens/s of `streams` simultaneous streams, and /api/health latencies
    measured meanwhile."""
    runs: list[Run] = []
    health: list[float] = []
    done = threading.Event()

    def one() -> None:
        runs.append(stream_once(url, max_tokens))

    def poll_health() -> None:
        with httpx.Client() as client:
            while not done.is_set():
                start = time.perf_counter()
                client.get(f"{url}/api/health")
                health.append(time.perf_counter() - start)
                time.sleep(HEALTH_POLL_S)

    threads = [threading.Thread(target=one) for _ in range(streams)]
    poller = threading.Thread(target=poll_health)
    start = time.perf_counter()
    poller.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    done.set()
    poller.join()
    return sum(run.tokens for run in runs) / wall, health


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--streams", type=int, nargs="+", default=[1, 4, 8])
    args = parser.parse_args()

    settings = get_settings()
    folder = model_dir(settings, resolve_model(settings, DEFAULT_MODEL_KEY))
    print(f"torch threads: {torch.get_num_threads()}; model: {folder}")
    raw = raw_generate(folder, args.max_tokens)
    print(
        f"raw generate:  first token {raw.first_token_s * 1000:.0f} ms, "
        f"{raw.tokens} tokens, {raw.tokens_per_s:.1f} tok/s"
    )

    process, url = start_server(settings.logs_dir / "bench-chat-server.log")
    try:
        stream_once(url, 4)  # load the model and warm up
        single = stream_once(url, args.max_tokens)
        print(
            f"/v1 stream:    first token {single.first_token_s * 1000:.0f} ms, "
            f"{single.tokens} tokens, {single.tokens_per_s:.1f} tok/s "
            f"= {single.tokens_per_s / raw.tokens_per_s:.2f}x raw generate (target >= 0.95x)"
        )
        aggregate: dict[int, float] = {}
        for streams in args.streams:
            aggregate[streams], health = concurrent(url, streams, args.max_tokens)
            print(
                f"{streams} streams:     {aggregate[streams]:.1f} tok/s aggregate "
                f"= {aggregate[streams] / aggregate[args.streams[0]]:.2f}x "
                f"{args.streams[0]} stream(s); GET /api/health p99 {p99(health) * 1000:.1f} ms "
                f"over {len(health)} calls"
            )
        if 8 in aggregate and 1 in aggregate:
            print(f"8 vs 1 stream aggregate: {aggregate[8] / aggregate[1]:.2f}x (target >= 3x)")
    finally:
        process.terminate()
        process.wait(30)


if __name__ == "__main__":
    main()
