"""The sha256 of a file on disk (datasets, model wheels, export artifacts), streamed so a
multi-gigabyte file is never held in memory whole."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path) -> str:
    """The hex sha256 of the file at `path`."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
