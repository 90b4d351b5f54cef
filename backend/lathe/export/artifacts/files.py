"""The files an export wrote: relative path, size and sha256 of each, and folders that appear
under their final name only once complete."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lathe.export.spec import ExportFile
from lathe.hashing import file_sha256


def list_files(root: Path) -> list[ExportFile]:
    """Every file under `root`, sorted by relative path."""
    return [
        ExportFile(
            path=path.relative_to(root).as_posix(),
            size_bytes=path.stat().st_size,
            sha256=file_sha256(path),
        )
        for path in sorted(root.rglob("*"))
        if path.is_file()
    ]


def partial_name(final: Path) -> Path:
    """The name something is written under until it is complete: hidden, in the same folder
    (so the rename into place is atomic)."""
    return final.with_name(f".{final.name}.partial")


@contextmanager
def staged_folder(final: Path) -> Iterator[Path]:
    """A folder to write into that is renamed to `final` when the block ends without error,
    and removed when it raises."""
    work = partial_name(final)
    work.mkdir(parents=True)
    try:
        yield work
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    work.rename(final)
