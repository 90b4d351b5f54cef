"""No Docker engine runs in CI, so the compose files and Dockerfile are checked as data."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_api_service_volume_and_port() -> None:
    compose = _load("docker-compose.yml")
    api = compose["services"]["api"]
    assert api["build"]["context"] == "."
    assert (ROOT / "Dockerfile").is_file()
    assert "lathe-home:/data" in api["volumes"]
    assert "lathe-home" in compose["volumes"]
    assert api["environment"]["LATHE_HOME"] == "/data"
    # Off-loopback binding inside the container needs a token; compose must demand one.
    assert api["environment"]["LATHE_API_TOKEN"].startswith("${LATHE_API_TOKEN:?")
    assert any(re.fullmatch(r"(127\.0\.0\.1:)?8000:8000", p) for p in api["ports"])


def test_gpu_override_reserves_nvidia_devices() -> None:
    gpu = _load("docker-compose.gpu.yml")["services"]["api"]
    devices = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["driver"] == "nvidia"
    assert "gpu" in devices[0]["capabilities"]
    assert gpu["build"]["args"]["TORCH_VARIANT"] == "cuda"


def test_dockerfile_serves_on_all_interfaces_with_data_volume() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "LATHE_HOME=/data" in dockerfile
    assert '"--host", "0.0.0.0"' in dockerfile
    assert "EXPOSE 8000" in dockerfile
    # Every path the image copies exists in the repository.
    for line in re.findall(r"^COPY (?!--from)(.+)$", dockerfile, flags=re.MULTILINE):
        for src in line.split()[:-1]:
            assert (ROOT / src).exists(), f"the Dockerfile copies {src}, which is not in the repo"
