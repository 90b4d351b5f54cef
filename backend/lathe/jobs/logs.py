"""A job's log file, LATHE_HOME/logs/jobs/<id>.log: its handler's log lines, its process's
stdout and stderr, tracebacks, and the worker's notes about it (started, killed, requeued)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from lathe.settings import Settings


def log_path(settings: Settings, job_id: int) -> Path:
    return settings.job_logs_dir / f"{job_id}.log"


def stamp(line: str) -> str:
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return f"{now} {line.rstrip()}\n"


def open_log(settings: Settings, job_id: int) -> int:
    """An O_APPEND descriptor: the child, its handler and the worker may all write to one
    file, and appends of a line never interleave mid-line."""
    path = log_path(settings, job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)


def append_line(settings: Settings, job_id: int, line: str) -> None:
    fd = open_log(settings, job_id)
    try:
        os.write(fd, stamp(line).encode("utf-8", "replace"))
    finally:
        os.close(fd)


def size(settings: Settings, job_id: int) -> int:
    try:
        return log_path(settings, job_id).stat().st_size
    except FileNotFoundError:
        return 0


def read_chunk(settings: Settings, job_id: int, offset: int, max_bytes: int) -> tuple[str, int]:
    """Up to `max_bytes` of the log from byte `offset`, and the offset to read from next. A
    chunk that stops short of the end is cut after its last full line, so neither lines nor
    UTF-8 characters are split between two reads."""
    try:
        with log_path(settings, job_id).open("rb") as file:
            file.seek(offset)
            data = file.read(max_bytes)
            at_end = not file.read(1)
    except FileNotFoundError:
        return "", offset
    if not at_end and len(data) == max_bytes:
        cut = data.rfind(b"\n")
        if cut >= 0:
            data = data[: cut + 1]
    return data.decode("utf-8", "replace"), offset + len(data)
