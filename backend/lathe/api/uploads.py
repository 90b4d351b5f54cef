"""Streaming multipart/form-data uploads: the file part goes straight to its file under
LATHE_HOME/uploads as the bytes arrive (never whole in memory, no second copy through the
system temp folder), and the size cap is enforced while reading, so an oversized upload is
refused without storing it. Text fields are collected (small, capped)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from lathe.errors import InvalidInput, TooLarge

MAX_FIELD_BYTES = 64 * 1024
# Room for the form's boundaries, headers and text fields on top of the file itself.
FORM_OVERHEAD_BYTES = 1024 * 1024
FILE_FIELD = "file"


@dataclass
class ReceivedForm:
    file: Path | None = None
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: str = ""
    buffer: bytearray = field(default_factory=bytearray)
    sink: BinaryIO | None = None


class _Collector:
    def __init__(self, new_file: Callable[[str], Path], max_file_bytes: int) -> None:
        self.new_file = new_file
        self.max_file_bytes = max_file_bytes
        self.form = ReceivedForm()
        self.part = _Part()
        self.file_bytes = 0
        self._header_field = bytearray()
        self._header_value = bytearray()

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }

    def on_part_begin(self) -> None:
        self.part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self.part.headers[bytes(self._header_field).lower()] = bytes(self._header_value)
        self._header_field.clear()
        self._header_value.clear()

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.part.headers.get(b"content-disposition", b""))
        self.part.name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if self.part.name == FILE_FIELD:
            if self.form.file is not None:
                raise InvalidInput("file: send one file per upload", field="file")
            self.form.file = self.new_file((filename or b"").decode("utf-8", "replace"))
            self.part.sink = self.form.file.open("wb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.part.sink is not None:
            self.file_bytes += end - start
            if self.file_bytes > self.max_file_bytes:
                raise too_large(self.max_file_bytes)
            self.part.sink.write(data[start:end])
            return
        self.part.buffer += data[start:end]
        if len(self.part.buffer) > MAX_FIELD_BYTES:
            raise InvalidInput(
                f"{self.part.name}: longer than {MAX_FIELD_BYTES} bytes", field=self.part.name
            )

    def on_part_end(self) -> None:
        if self.part.sink is not None:
            self.part.sink.close()
            self.part.sink = None
        elif self.part.name:
            self.form.fields[self.part.name] = self.part.buffer.decode("utf-8", "replace")

    def close(self) -> None:
        if self.part.sink is not None:
            self.part.sink.close()


def too_large(limit: int) -> TooLarge:
    return TooLarge(
        f"file: larger than the upload limit of {limit} bytes (LATHE_UPLOAD_MAX_BYTES)",
        field="file",
        details={"limit": limit},
    )


async def receive_form(
    request: Request,
    *,
    new_file: Callable[[str], Path],
    discard: Callable[[Path], None],
    max_file_bytes: int,
) -> ReceivedForm:
    """Read a multipart form, writing its `file` part to `new_file(filename)`. On any error
    the file is discarded before the error propagates."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise InvalidInput(
            "body: send the file as multipart/form-data with a `file` field", field="body"
        )
    declared = request.headers.get("content-length")
    if declared and declared.isdecimal() and int(declared) > max_file_bytes + FORM_OVERHEAD_BYTES:
        raise too_large(max_file_bytes)
    collector = _Collector(new_file, max_file_bytes)
    parser = MultipartParser(boundary, collector.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as error:
        _cleanup(collector, discard)
        raise InvalidInput(f"body: not a valid multipart form ({error})", field="body") from error
    except BaseException:
        _cleanup(collector, discard)
        raise
    collector.close()
    if collector.form.file is None:
        raise InvalidInput("file: the form has no `file` field", field="file")
    return collector.form


def _cleanup(collector: _Collector, discard: Callable[[Path], None]) -> None:
    collector.close()
    if collector.form.file is not None:
        discard(collector.form.file)
