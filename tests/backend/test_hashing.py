"""file_sha256: the same digest as hashing the bytes at once, for a file larger than one read."""

from __future__ import annotations

import hashlib
from pathlib import Path

from lathe.hashing import file_sha256


def test_file_sha256_matches_hashlib(tmp_path: Path) -> None:
    data = bytes(range(256)) * 40_000  # ~10 MB: several reads
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert file_sha256(empty) == hashlib.sha256(b"").hexdigest()
