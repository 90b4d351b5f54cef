"""A folder as a tar stream whose exact size is known before the first byte is sent (so a
download has a Content-Length and a progress bar) and from which any byte range can be read
(so a broken download of a large merged model can resume).

The archive is laid out up front as a list of pieces (tar headers, file contents, padding);
tarfile writes each header, the contents are read from disk only while streaming."""

from __future__ import annotations

import os
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 1024 * 1024
_BLOCK = tarfile.BLOCKSIZE
_RECORD = tarfile.RECORDSIZE


@dataclass(frozen=True)
class _Piece:
    size: int
    data: bytes = b""
    file: Path | None = None


def _padding(size: int, unit: int) -> bytes:
    return b"\0" * (-size % unit)


def _header(name: str, *, size: int, mtime: float, is_dir: bool) -> bytes:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE if is_dir else tarfile.REGTYPE
    info.mode = 0o755 if is_dir else 0o644
    info.size = 0 if is_dir else size
    info.mtime = int(mtime)
    # PAX headers carry names of any length and non-ASCII characters.
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


class FolderTar:
    """`folder` as a tar archive whose members sit under `arcname`/ (files in sorted order,
    regular files and folders only; links are followed)."""

    def __init__(self, folder: Path, arcname: str) -> None:
        self.pieces: list[_Piece] = []
        self._add_dir(arcname, folder.stat().st_mtime)
        for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
            dirnames.sort()
            base = Path(dirpath)
            relative = base.relative_to(folder)
            prefix = arcname if relative == Path() else f"{arcname}/{relative.as_posix()}"
            if base != folder:
                self._add_dir(prefix, base.stat().st_mtime)
            for filename in sorted(filenames):
                file = base / filename
                stat = file.stat()
                header = _header(
                    f"{prefix}/{filename}", size=stat.st_size, mtime=stat.st_mtime, is_dir=False
                )
                self.pieces.append(_Piece(len(header), data=header))
                self.pieces.append(_Piece(stat.st_size, file=file))
                padding = _padding(stat.st_size, _BLOCK)
                if padding:
                    self.pieces.append(_Piece(len(padding), data=padding))
        # Two zero blocks end the archive; tar pads it to a whole record, as tarfile does.
        body = sum(piece.size for piece in self.pieces) + 2 * _BLOCK
        trailer = b"\0" * (2 * _BLOCK) + _padding(body, _RECORD)
        self.pieces.append(_Piece(len(trailer), data=trailer))
        self.size = sum(piece.size for piece in self.pieces)

    def _add_dir(self, name: str, mtime: float) -> None:
        header = _header(name, size=0, mtime=mtime, is_dir=True)
        self.pieces.append(_Piece(len(header), data=header))

    def read(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes [start, end) of the archive, in chunks."""
        stop = self.size if end is None else min(end, self.size)
        offset = 0
        for piece in self.pieces:
            piece_end = offset + piece.size
            if piece_end > start and offset < stop:
                first = max(start, offset) - offset
                last = min(stop, piece_end) - offset
                if piece.file is None:
                    yield piece.data[first:last]
                else:
                    yield from _read_file(piece.file, first, last)
            offset = piece_end
            if offset >= stop:
                return


def _read_file(file: Path, first: int, last: int) -> Iterator[bytes]:
    with file.open("rb") as handle:
        handle.seek(first)
        left = last - first
        while left > 0:
            chunk = handle.read(min(CHUNK_BYTES, left))
            if not chunk:
                # The layout promised these bytes; a shorter stream would be a corrupt tar.
                raise OSError(f"{file} became shorter while it was being sent")
            left -= len(chunk)
            yield chunk
