"""Scratch names under LATHE_HOME/tmp that say which process owns them, so what a killed process
left behind (SIGKILL runs no cleanup) is found and removed by the next worker on the same host.
Another host's entries are never touched: LATHE_HOME may be shared between hosts."""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
from pathlib import Path

import psutil

from lathe.settings import Settings

logger = logging.getLogger(__name__)

# <kind>-<host>.<pid>-<random>, e.g. adapter-gpu01.4711-k3j2x9
_KIND = re.compile(r"[a-z]+")
_OWNED = re.compile(r"^[a-z]+-(?P<host>[A-Za-z0-9_]+)\.(?P<pid>\d+)-")


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname()) or "host"


def scratch_prefix(kind: str) -> str:
    """The prefix of a scratch file or folder this process creates (`kind` like "adapter")."""
    if not _KIND.fullmatch(kind):
        # Anything else would not be recognised by sweep_abandoned, and stay forever.
        raise ValueError(f"scratch kind {kind!r} must be a lower-case word")
    return f"{kind}-{_host()}.{os.getpid()}-"


def sweep_abandoned(settings: Settings) -> list[Path]:
    """Remove the scratch entries of processes of this host that no longer run; returns them."""
    if not settings.tmp_dir.is_dir():
        return []
    host, removed = _host(), []
    for entry in settings.tmp_dir.iterdir():
        owner = _OWNED.match(entry.name)
        if owner is None or owner["host"] != host or psutil.pid_exists(int(owner["pid"])):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    if removed:
        logger.info("removed %d scratch entries left by stopped processes", len(removed))
    return removed
