"""Uploaded files waiting for their import job, under LATHE_HOME/uploads/<random>/<name>.
The folder is private to one upload, so removing it removes exactly that upload."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path, PurePath
from typing import BinaryIO

from lathe.datasets.readers import file_type_of
from lathe.errors import InvalidInput
from lathe.settings import Settings

MAX_FILENAME = 200
COPY_CHUNK_BYTES = 1024 * 1024
UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


def new_upload(settings: Settings, filename: str) -> Path:
    """A fresh path under LATHE_HOME/uploads for a file called `filename` (made safe; the
    extension is kept, since it says how to read the file). Refuses an unknown extension now."""
    safe = safe_filename(filename)
    file_type_of(Path(safe))
    folder = settings.uploads_dir / uuid.uuid4().hex
    folder.mkdir(parents=True)
    return folder / safe


def safe_filename(filename: str) -> str:
    name = PurePath(filename.replace("\\", "/")).name
    name = UNSAFE_NAME_CHARS.sub("_", name).lstrip(".")[-MAX_FILENAME:]
    if not name:
        raise InvalidInput("file: the upload has no file name", field="file")
    return name


def discard_upload(path: Path) -> None:
    shutil.rmtree(path.parent, ignore_errors=True)


def copy_into_upload(settings: Settings, source: Path) -> Path:
    """For the CLI: copy a local file into the uploads folder (the job reads it from there,
    possibly on another machine of the same LATHE_HOME)."""
    if not source.is_file():
        raise InvalidInput(f"file: {source} is not a file", field="file")
    size = source.stat().st_size
    if size > settings.upload_max_bytes:
        raise InvalidInput(
            f"file: {source.name} is {size} bytes, over the {settings.upload_max_bytes}-byte "
            "limit (LATHE_UPLOAD_MAX_BYTES)",
            field="file",
        )
    target = new_upload(settings, source.name)
    with source.open("rb") as src, target.open("wb") as dst:
        write_stream(src, dst)
    return target


def write_stream(src: BinaryIO, dst: BinaryIO) -> None:
    while chunk := src.read(COPY_CHUNK_BYTES):
        dst.write(chunk)
