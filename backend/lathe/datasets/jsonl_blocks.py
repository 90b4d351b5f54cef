"""JSON Lines read in blocks: 8 MiB of whole lines at a time parsed by pyarrow when every
line is one flat object of strings (the common case of a large upload), so a million rows do not
go through json.loads one by one. Any block that does not fit that shape is read line by line
by lathe.datasets.readers, so every problem still has its exact line."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.json as pa_json

from lathe.datasets.readers import (
    UTF8_BOM,
    RawRecord,
    check_not_empty_or_binary,
    file_type_of,
    iter_lines,
    jsonl_records,
    looks_like_json_lines,
)
from lathe.schemas.datasets import FileType

JSONL_BLOCK_BYTES = 8 * 1024 * 1024
_PARSE_CHUNK_BYTES = 1024 * 1024  # pyarrow parses a block in chunks of this size, in parallel


@dataclass(frozen=True)
class JsonlBlock:
    """Whole lines of a JSON-lines file: lines `first_line` to `last_line`, holding records
    `first_record` to `first_record + count - 1` (blank lines hold none), up to byte `end` of
    the file. `table` is set when every record of the block is a JSON object whose values are
    all strings or null: one row per record, in order, with the values json.loads reads (a
    key that a record lacks reads as null), the columns in the order their keys first appear,
    and `record_lines` holding each record's line. Otherwise `records()` reads the lines one
    by one, each problem at its line, as read_records does."""

    data: bytes = field(repr=False)
    first_line: int
    last_line: int
    first_record: int
    count: int
    end: int
    table: pa.Table | None = field(default=None, repr=False)
    record_lines: np.ndarray | None = field(default=None, repr=False)

    def records(self) -> Iterator[RawRecord]:
        lines = iter_lines(io.BytesIO(self.data), self.first_line - 1)
        return jsonl_records(lines, self.first_record - 1)


def jsonl_blocks(
    path: Path, file_type: FileType | None = None
) -> Iterator[JsonlBlock | RawRecord] | None:
    """The file's records in blocks when it is JSON lines (`.jsonl`, or a `.json` file that
    is really JSON lines), else None. A line longer than a block comes on its own, as a
    RawRecord. Whole-file problems raise InvalidInput, as in read_records."""
    kind = file_type or file_type_of(path)
    check_not_empty_or_binary(path, kind)
    if kind == "jsonl" or (kind == "json" and looks_like_json_lines(path)):
        return _jsonl_blocks(path)
    return None


def _jsonl_blocks(path: Path) -> Iterator[JsonlBlock | RawRecord]:
    line = record = 1  # the next line's number, and the next record's
    with path.open("rb") as f:
        while data := f.read(JSONL_BLOCK_BYTES):
            cut = data.rfind(b"\n") + 1
            if cut == 0 and len(data) == JSONL_BLOCK_BYTES:
                f.seek(-len(data), io.SEEK_CUR)
                long_line = list(jsonl_records(islice(iter_lines(f, line - 1), 1), record - 1))
                yield from long_line
                line, record = line + 1, record + len(long_line)
                continue
            if 0 < cut < len(data):
                f.seek(cut - len(data), io.SEEK_CUR)
                data = data[:cut]
            block = _jsonl_block(data, line, record, f.tell())
            yield block
            line, record = block.last_line + 1, record + block.count


def _jsonl_block(data: bytes, first_line: int, first_record: int, end: int) -> JsonlBlock:
    body = data.removeprefix(UTF8_BOM) if first_line == 1 else data
    lines, records, objects, longest = _line_shapes(body)
    last_line = first_line + max(lines, 1) - 1  # a line of just a BOM is a line too
    block = JsonlBlock(data, first_line, last_line, first_record, len(records), end)
    if not objects or not len(records):
        return block
    table = _string_table(body, longest)
    if table is None or table.num_rows != len(records):
        # More rows than records: a line held two objects, which json.loads refuses.
        return block
    return replace(block, table=table, record_lines=records + first_line)


def _line_shapes(body: bytes) -> tuple[int, np.ndarray, bool, int]:
    """(the number of lines, the index of each non-blank line, whether every non-blank line
    starts with `{` and ends with `}`, the longest line's length). No object can run on from
    such a line into the next, since `}` then `{` is never valid JSON; so when pyarrow finds
    as many rows as non-blank lines, each row is one line. Most lines are checked at their
    first and last byte, in numpy; lines with whitespace around them (rare) in Python."""
    if not body:
        return 0, np.zeros(0, np.int64), False, 0
    data = np.frombuffer(body, np.uint8)
    newlines = np.flatnonzero(data == ord("\n"))
    stops = newlines if body.endswith(b"\n") else np.append(newlines, len(data))
    starts = np.concatenate(([0], newlines + 1))[: len(stops)]
    lengths = stops - starts
    first = data[np.minimum(starts, len(data) - 1)]
    last = data[np.maximum(stops - 1, 0)]
    crlf = last == ord("\r")
    last[crlf] = data[np.maximum(stops[crlf] - 2, 0)]
    plain = (lengths >= 2) & (first == ord("{")) & (last == ord("}"))
    nonblank = plain.copy()
    objects = True
    for index in np.flatnonzero(~plain):
        text = body[starts[index] : stops[index]].strip()
        nonblank[index] = bool(text)
        objects = objects and (not text or (text[:1] == b"{" and text[-1:] == b"}"))
    return len(stops), np.flatnonzero(nonblank), objects, int(lengths.max())


def _string_table(body: bytes, longest: int) -> pa.Table | None:
    """The lines parsed by pyarrow when every value is a string or null, else None."""
    # pyarrow cuts its input into chunks at newlines; a line must fit in one chunk.
    read = pa_json.ReadOptions(block_size=max(_PARSE_CHUNK_BYTES, longest + 2))
    try:
        table = pa_json.read_json(io.BytesIO(body), read_options=read)
        dated = [f.name for f in table.schema if pa.types.is_temporal(f.type)]
        if dated:  # pyarrow reads date-like strings as timestamps: ask for the text
            parse = pa_json.ParseOptions(
                explicit_schema=pa.schema([(name, pa.string()) for name in dated]),
                unexpected_field_behavior="infer",
            )
            names = table.schema.names
            table = pa_json.read_json(io.BytesIO(body), read_options=read, parse_options=parse)
            table = table.select(names)
        if not all(pa.types.is_string(f.type) or pa.types.is_null(f.type) for f in table.schema):
            return None
        table.validate(full=True)  # pyarrow's JSON parser leaves UTF-8 unchecked
    except (pa.ArrowException, UnicodeDecodeError):
        return None  # invalid JSON, repeated keys, bad UTF-8, ...: read line by line
    return table
