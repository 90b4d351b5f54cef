"""Read raw records from a dataset file, streaming, each with where it came from.

One reader per file type; every reader holds at most one record (plus a read buffer) in
memory, whatever the file size (`jsonl_blocks`: one block of JSONL_BLOCK_BYTES and its rows):

- JSONL (`.jsonl`, `.ndjson`): one JSON value per line; blank lines are skipped. Besides
  `read_records`, `jsonl_blocks` reads a JSON-lines file in blocks of whole lines, each parsed
  by pyarrow at once when it can be (see `JsonlBlock`).
- JSON (`.json`): one array of records, or one object holding the array in a field
  (`{"data": [...]}`: the first top-level array field that is not itself a record field such
  as `messages`). Parsed with ijson, fed line by line, so each item carries the line it starts
  on. A `.json` file that is really JSON Lines is read as JSONL.
- CSV (`.csv`, `.tsv`): a header row, then one record per row.
- Parquet (`.parquet`): read in record batches.
- TXT (`.txt`): one example per block of lines separated by blank lines (the rule for text
  files); the record's line is the block's first line.

Problems with one record (a line that is not JSON, non-UTF-8 bytes, a ragged CSV row, a
record that is too long) are yielded as a `RawRecord` with `error` set, so lenient callers can
skip it. Problems with the whole file (empty, binary, a JSON document that stops parsing, an
unknown extension) raise InvalidInput with the location in the message and in `details`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import ijson
import pyarrow.parquet as pq

from lathe.errors import InvalidInput
from lathe.schemas.datasets import FileType

SUFFIX_FILE_TYPES: dict[str, FileType] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".txt": "txt",
}
# A single record (one line, one TXT block, one JSON item) larger than this is skipped.
MAX_RECORD_BYTES = 16 * 1024 * 1024
PARQUET_BATCH_ROWS = 1024
# JSON lines are parsed this many bytes at a time (cut back to the last whole line).
_SNIFF_BYTES = 8192
_READ_CHUNK = 64 * 1024
_PARQUET_MAGIC = b"PAR1"
UTF8_BOM = b"\xef\xbb\xbf"
# Top-level fields of {"field": [...]} JSON that are part of one record, not the record list.
_RECORD_ARRAY_FIELDS = frozenset({"messages", "conversations", "chosen", "rejected", "prompt"})


@dataclass(frozen=True)
class RawRecord:
    """One record as read: `record` counts records from 1 (CSV/Parquet: the data row number);
    `line` is its 1-based line in the file (None for Parquet). `error` is set, and `value` is
    None, when the record could not be read."""

    record: int
    line: int | None
    value: Any
    error: str | None = None


def file_type_of(path: Path) -> FileType:
    file_type = SUFFIX_FILE_TYPES.get(path.suffix.lower())
    if file_type is None:
        known = ", ".join(sorted(SUFFIX_FILE_TYPES))
        raise InvalidInput(
            f"file: {path.name!r} has an unsupported extension; use one of {known}",
            field="file",
            details={"suffix": path.suffix},
        )
    return file_type


def read_records(path: Path, file_type: FileType | None = None) -> Iterator[RawRecord]:
    """Yield the records of `path` in file order. Raises InvalidInput for a file that cannot
    be read at all (see the module docstring); checks for empty and binary files up front."""
    kind = file_type or file_type_of(path)
    check_not_empty_or_binary(path, kind)
    if kind == "jsonl":
        return _read_jsonl(path)
    if kind == "json":
        return _read_json_lines_or_array(path)
    if kind == "csv":
        return _read_csv(path)
    if kind == "parquet":
        return _read_parquet(path)
    return _read_txt(path)


def _fail(message: str, **details: Any) -> InvalidInput:
    return InvalidInput(message, field="file", details=details)


def check_not_empty_or_binary(path: Path, kind: FileType) -> None:
    with path.open("rb") as f:
        head = f.read(_SNIFF_BYTES)
    if not head.strip():
        raise _fail("file: is empty (no records)", reason="empty")
    if kind == "parquet":
        if not head.startswith(_PARQUET_MAGIC):
            raise _fail("file: is not a Parquet file (no PAR1 header)", reason="not_parquet")
        return
    if b"\x00" in head:
        line = head.count(b"\n", 0, head.index(b"\x00")) + 1
        raise _fail(
            f"file: line {line}: contains NUL bytes; this looks like binary data, not text",
            reason="binary",
            line=line,
        )


def _non_utf8(line: int, raw: bytes) -> str:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (
            f"line {line}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
        )
    return ""


def iter_lines(f: BinaryIO, number: int = 0) -> Iterator[tuple[int, bytes | None]]:
    """Yield (line number, bytes without the newline), numbering from `number` + 1; None for
    a line over the record limit (the rest of that line is read and dropped, never held)."""
    while True:
        chunk = f.readline(MAX_RECORD_BYTES + 1)
        if not chunk:
            return
        number += 1
        if number == 1:
            chunk = chunk.removeprefix(UTF8_BOM)  # Excel and Notepad write one
        if len(chunk) > MAX_RECORD_BYTES and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):
                chunk = f.readline(_READ_CHUNK)
            yield number, None
            continue
        yield number, chunk.rstrip(b"\r\n")


def _too_long(line: int) -> str:
    return f"line {line}: longer than {MAX_RECORD_BYTES} bytes"


def _read_jsonl(path: Path) -> Iterator[RawRecord]:
    with path.open("rb") as f:
        yield from jsonl_records(iter_lines(f), 0)


def jsonl_records(lines: Iterable[tuple[int, bytes | None]], record: int) -> Iterator[RawRecord]:
    """The records of JSON lines, numbered from `record` + 1; blank lines are skipped."""
    for number, raw in lines:
        if raw is not None and not raw.strip():
            continue
        record += 1
        if raw is None:
            yield RawRecord(record, number, None, _too_long(number))
            continue
        bad_bytes = _non_utf8(number, raw)
        if bad_bytes:
            yield RawRecord(record, number, None, bad_bytes)
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            reason = f"line {number}: invalid JSON at column {exc.colno}: {exc.msg}"
            yield RawRecord(record, number, None, reason)
            continue
        yield RawRecord(record, number, value)


def looks_like_json_lines(path: Path) -> bool:
    """A `.json` file whose first line is a whole JSON object followed by another line."""
    with path.open("rb") as f:
        lines = iter_lines(f)
        first = next((raw for _, raw in lines if raw is None or raw.strip()), None)
        if first is None or not first.lstrip().startswith(b"{"):
            return False
        try:
            json.loads(first)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return False
        second = next((raw for _, raw in lines if raw is None or raw.strip()), None)
        return second is not None


def _read_json_lines_or_array(path: Path) -> Iterator[RawRecord]:
    if looks_like_json_lines(path):
        return _read_jsonl(path)
    return _read_json(path)


def _read_json(path: Path) -> Iterator[RawRecord]:
    """Stream the items of the array with ijson's push parser, fed one line at a time, so a
    syntax error and every item are placed on a line."""
    events: list[tuple[str, str, Any]] = ijson.sendable_list()
    parser = ijson.parse_coro(events)
    item_prefix: str | None = None
    top: str | None = None  # "array" or "map"
    last_top_key: str | None = None
    builder: Any = None
    depth = 0
    start_line = 0
    record = 0
    line = 1
    with path.open("rb") as f:
        while True:
            chunk = f.readline(_READ_CHUNK)
            try:
                if chunk:
                    parser.send(chunk)
                else:
                    parser.close()
            except ijson.JSONError as exc:
                reason = str(exc).splitlines()[0] if str(exc) else "invalid JSON"
                if "invalid bytes in UTF8" in reason:
                    reason = "not valid UTF-8"
                raise _fail(
                    f"file: line {line}: invalid JSON ({reason}); the JSON document cannot be "
                    f"read past this point",
                    reason="invalid_json",
                    line=line,
                ) from None
            for prefix, event, value in events:
                if top is None:
                    if event == "start_array":
                        top, item_prefix = "array", "item"
                        continue
                    if event == "start_map":
                        top = "map"
                        continue
                    raise _fail(
                        f"file: line {line}: top-level JSON value is a {event}, expected an "
                        f"array of records",
                        reason="not_an_array",
                        line=line,
                    )
                if item_prefix is None and top == "map":
                    if prefix == "" and event == "map_key":
                        last_top_key = value
                    elif (
                        event == "start_array"
                        and prefix == last_top_key
                        and last_top_key not in _RECORD_ARRAY_FIELDS
                    ):
                        item_prefix = f"{last_top_key}.item"
                    continue
                if builder is not None:
                    builder.event(event, value)
                    if event in ("start_map", "start_array"):
                        depth += 1
                    elif event in ("end_map", "end_array"):
                        depth -= 1
                    if depth == 0:
                        yield RawRecord(record, start_line, builder.value)
                        builder = None
                    continue
                if prefix != item_prefix:
                    continue
                record += 1
                if event in ("start_map", "start_array"):
                    builder, depth, start_line = ijson.ObjectBuilder(), 1, line
                    builder.event(event, value)
                else:
                    yield RawRecord(record, line, value)
            del events[:]
            if not chunk:
                break
            if chunk.endswith(b"\n"):
                line += 1
    if item_prefix is None:
        raise _fail(
            'file: the JSON object has no array of records; expected [...] or {"data": [...]}',
            reason="no_array",
        )


def _decoded_lines(f: BinaryIO, bad_lines: dict[int, str]) -> Iterator[str]:
    """Decode line by line for the csv module; a non-UTF-8 line is decoded with replacement
    characters and its reason kept in `bad_lines`."""
    for number, raw in iter_lines(f):
        if raw is None:
            bad_lines[number] = _too_long(number)
            yield "\n"
            continue
        reason = _non_utf8(number, raw)
        if reason:
            bad_lines[number] = reason
        yield raw.decode("utf-8", errors="replace") + "\n"


def _read_csv(path: Path) -> Iterator[RawRecord]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    # The default limit (128 KiB) is below a long training document; this one bounds memory
    # when an unclosed quote would swallow the rest of the file.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD_BYTES))
    bad_lines: dict[int, str] = {}
    with path.open("rb") as f:
        lines = _decoded_lines(f, bad_lines)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise _fail("file: is empty (no CSV header)", reason="empty") from None
        if bad_lines:
            raise _fail(f"file: header: {bad_lines[1]}", reason="non_utf8", line=1)
        if len(set(header)) != len(header) or not all(name.strip() for name in header):
            raise _fail(
                f"file: line 1: CSV header has empty or repeated column names: {header}",
                reason="bad_header",
                line=1,
            )
        record = 0
        first_line = 2
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _fail(
                    f"file: line {reader.line_num}: invalid CSV: {exc}",
                    reason="invalid_csv",
                    line=reader.line_num,
                ) from None
            last_line = reader.line_num
            line, first_line = first_line, last_line + 1
            if not row:
                continue
            record += 1
            bad = [bad_lines.pop(n) for n in range(line, last_line + 1) if n in bad_lines]
            if bad:
                yield RawRecord(record, line, None, bad[0])
            elif len(row) != len(header):
                reason = f"line {line}: CSV row has {len(row)} fields, the header has {len(header)}"
                yield RawRecord(record, line, None, reason)
            else:
                yield RawRecord(record, line, dict(zip(header, row, strict=True)))


def _read_parquet(path: Path) -> Iterator[RawRecord]:
    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid/OSError for a damaged file
        raise _fail(f"file: cannot read Parquet: {exc}", reason="invalid_parquet") from None
    record = 0
    with parquet:
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
            for value in batch.to_pylist():
                record += 1
                yield RawRecord(record, None, value)


def _read_txt(path: Path) -> Iterator[RawRecord]:
    record = 0
    block: list[str] = []
    block_line = 0
    block_bytes = 0
    block_error = ""
    with path.open("rb") as f:
        for number, raw in iter_lines(f):
            if raw is not None and not raw.strip():
                if block or block_error:
                    record += 1
                    yield _txt_record(record, block_line, block, block_error)
                block, block_bytes, block_error = [], 0, ""
                continue
            if not block and not block_error:
                block_line = number
            if block_error:
                continue
            if raw is None or block_bytes + len(raw) > MAX_RECORD_BYTES:
                block = []
                block_error = f"line {block_line}: block longer than {MAX_RECORD_BYTES} bytes"
                continue
            reason = _non_utf8(number, raw)
            if reason:
                block, block_error = [], reason
                continue
            block.append(raw.decode("utf-8"))
            block_bytes += len(raw)
    if block or block_error:
        yield _txt_record(record + 1, block_line, block, block_error)


def _txt_record(record: int, line: int, block: list[str], error: str) -> RawRecord:
    if error:
        return RawRecord(record, line, None, error)
    return RawRecord(record, line, {"text": "\n".join(block)})
