"""SIGKILL of the API process (with its embedded worker) mid-job loses nothing: after a
restart the job is requeued once its lease runs out and finishes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lathe.settings import Settings
from tests.backend.jobs.conftest import JOB_ENV, status_events, wait_for, wait_status

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, home: Path, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, **JOB_ENV, "LATHE_HOME": str(home), "LATHE_WORKER_EMBEDDED": "1"}
        env.pop("LATHE_DATABASE_URL", None)
        env.pop("LATHE_JOB_KIND_MODULES")  # the built-in `sleep` kind is all this test needs
        self._log = log.open("ab")
        lathe = str(Path(sys.executable).parent / "lathe")
        self.process = subprocess.Popen(
            [lathe, "serve", "--port", str(self.port)],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        wait_for(self._healthy, 60, "server to answer /api/health")

    def _healthy(self) -> bool:
        assert self.process.poll() is None, "server exited"
        try:
            return httpx.get(f"{self.url}/api/health", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)
        self._log.close()


@pytest.fixture
def servers(settings: Settings, tmp_path: Path) -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(10)


def test_sigkill_of_the_api_mid_job_loses_nothing(
    settings: Settings, tmp_path: Path, servers: list[Server]
) -> None:
    servers.append(Server(settings.home, tmp_path / "server.log"))
    job = httpx.post(
        f"{servers[0].url}/api/jobs", json={"kind": "sleep", "params": {"seconds": 3, "steps": 6}}
    ).json()
    wait_status(settings, job["id"], "running", timeout=30)
    servers[0].kill()

    servers.append(Server(settings.home, tmp_path / "server.log"))
    done = wait_status(settings, job["id"], "succeeded", timeout=60)
    assert done.attempts == 2
    assert [e["status"] for e in status_events(settings, job["id"])] == [
        "queued",
        "running",
        "queued",
        "running",
        "succeeded",
    ]
    servers[1].stop()
