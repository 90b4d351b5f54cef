"""File and folder downloads over HTTP: a file streamed with Content-Length and byte ranges
(Starlette's FileResponse), a folder as a tar archive with a precomputed Content-Length and
single byte ranges, and range errors in the one error shape."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from fastapi.responses import FileResponse, Response, StreamingResponse

from lathe.api.errors import error_response
from lathe.export.archive import FolderTar

TAR_MEDIA_TYPE = "application/x-tar"
MAX_RANGES = 100
_RANGE_RE = re.compile(r"(\d*)-(\d*)")


class RangeNotSatisfiable(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_ranges(header: str, size: int) -> list[tuple[int, int]]:
    """The [start, end) byte ranges a Range header asks for (RFC 9110: first-last, first-,
    -suffix). RangeNotSatisfiable for a header that is malformed or asks for nothing inside
    a file of `size` bytes."""
    unit, sep, spec = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        raise RangeNotSatisfiable(f"Range: {header!r} is not a bytes range (bytes=first-last)")
    parts = [part.strip() for part in spec.split(",")]
    if len(parts) > MAX_RANGES:
        raise RangeNotSatisfiable(f"Range: more than {MAX_RANGES} ranges")
    ranges: list[tuple[int, int]] = []
    for part in parts:
        match = _RANGE_RE.fullmatch(part)
        if match is None or not (match[1] or match[2]):
            raise RangeNotSatisfiable(f"Range: {part!r} is not first-last, first- or -suffix")
        first, last = match[1], match[2]
        if first:
            start = int(first)
            if last and int(last) < start:
                raise RangeNotSatisfiable(f"Range: {part!r} ends before it starts")
            end = min(int(last) + 1, size) if last else size
        else:
            suffix = int(last)
            if suffix == 0:
                raise RangeNotSatisfiable("Range: a suffix range of 0 bytes asks for nothing")
            start, end = max(size - suffix, 0), size
        if start >= size:
            raise RangeNotSatisfiable(f"Range: {part!r} starts beyond the last byte ({size} bytes)")
        ranges.append((start, end))
    return ranges


def range_error(message: str, size: int) -> Response:
    response = error_response(416, "range_not_satisfiable", message)
    response.headers["Content-Range"] = f"bytes */{size}"
    return response


def content_disposition(filename: str) -> str:
    quoted = quote(filename)
    if quoted != filename:
        return f"attachment; filename*=utf-8''{quoted}"
    return f'attachment; filename="{filename}"'


def file_download(path: Path, filename: str, range_header: str | None) -> Response:
    """The file, whole or the byte ranges asked for (206), with Content-Length."""
    size = path.stat().st_size
    if range_header is not None:
        try:
            parse_ranges(range_header, size)
        except RangeNotSatisfiable as error:
            return range_error(error.message, size)
    return FileResponse(path, filename=filename, media_type="application/octet-stream")


def folder_download(folder: Path, arcname: str, range_header: str | None) -> Response:
    """The folder as a tar archive (members under `arcname`/) with its exact Content-Length;
    one byte range is answered with a 206, several with the whole archive."""
    archive = FolderTar(folder, arcname)
    headers = {
        "Content-Disposition": content_disposition(f"{arcname}.tar"),
        "Accept-Ranges": "bytes",
    }
    start, end, status = 0, archive.size, 200
    if range_header is not None:
        try:
            ranges = parse_ranges(range_header, archive.size)
        except RangeNotSatisfiable as error:
            return range_error(error.message, archive.size)
        if len(ranges) == 1:
            (start, end), status = ranges[0], 206
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{archive.size}"
    headers["Content-Length"] = str(end - start)
    return StreamingResponse(
        archive.read(start, end), status_code=status, media_type=TAR_MEDIA_TYPE, headers=headers
    )
