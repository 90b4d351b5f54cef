"""Scan an uploaded dataset file: detect its format, check every record, and stream the
canonical rows.

    report, rows = scan(path)              # lenient: skips bad records, lists them
    report, rows = scan(path, strict=True)  # InvalidInput at the first bad record
    report, rows = scan(path, fmt="alpaca")  # read as Alpaca, no detection
    report, rows = scan(path, fmt="table")   # keep the columns as they are

`scan` reads the whole file once (streaming, bounded memory) to build the DetectionReport:
file type, source format, canonical format, columns, row counts, the first canonical rows as
samples, and the problems (each with line, record number and reason; at most `max_problems`
listed, `problem_count` counts them all). It raises InvalidInput for a file that cannot be
used at all: empty, binary, an unsupported extension, a JSON document with a syntax error (its
line is in the message; nothing after it can be read), an undetectable format, or no valid
rows. In strict mode any problem is such an error, naming its line.

`rows` is a lazy iterator that reads the file a second time and yields the valid rows, in file
order, as canonical dicts: {"messages": [...]}, {"text": ...} or {"prompt", "chosen",
"rejected"} (see lathe.schemas.datasets). In `table` mode every row has every column seen in
the file (missing ones None), values as strings, nested values as JSON text. An upload job
writes them to Parquet in record batches, so memory stays bounded on the way out too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import chain, islice
from pathlib import Path
from typing import Any, Literal

from lathe.datasets.formats import DETECT_RECORDS, detect_format
from lathe.datasets.normalise import RowProblem, normalise
from lathe.datasets.readers import RawRecord, file_type_of, read_records
from lathe.errors import InvalidInput
from lathe.schemas.datasets import (
    CANONICAL_OF,
    DetectionReport,
    FileType,
    ImportFormat,
    Problem,
    RowCounts,
    SourceFormat,
)

MAX_COLUMNS = 200


def scan(
    path: Path,
    *,
    strict: bool = False,
    fmt: ImportFormat = "auto",
    sample_rows: int = 5,
    max_problems: int = 1000,
) -> tuple[DetectionReport, Iterator[dict[str, Any]]]:
    """Check `path` and return its report and a lazy iterator of its rows."""
    file_type, window, records = _open(path)
    readable = [raw.value for raw in window if raw.error is None]
    columns = _columns(readable)
    if strict and window and window[0].error is not None:
        _refuse(_problem(window[0], window[0].error))
    if fmt == "table":
        return _scan_table(path, file_type, chain(window, records), strict, sample_rows)
    source = detect_format(readable, columns) if fmt == "auto" else fmt

    total = valid = problem_count = 0
    samples: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for raw, row, reason in _normalised(chain(window, records), source):
        total += 1
        if row is not None:
            valid += 1
            if len(samples) < sample_rows:
                samples.append(row)
            continue
        problem = _problem(raw, reason)
        if strict:
            _refuse(problem)
        problem_count += 1
        if len(problems) < max_problems:
            problems.append(problem)
    _need_rows(valid, total, problem_count, problems)
    report = DetectionReport(
        file_type=file_type,
        format=source,
        canonical_format=CANONICAL_OF[source],
        columns=columns,
        rows=RowCounts(total=total, valid=valid, skipped=total - valid),
        samples=samples,
        problems=problems,
        problem_count=problem_count,
    )
    return report, iter_rows(path, source, file_type)


def preflight(path: Path, fmt: ImportFormat = "auto") -> SourceFormat | Literal["table"]:
    """The cheap check an upload gets before its job is queued: the file type, that it is not
    empty or binary, and (unless `fmt` says) that its first records have a known format."""
    _, window, _ = _open(path)
    if fmt != "auto":
        return fmt
    readable = [raw.value for raw in window if raw.error is None]
    return detect_format(readable, _columns(readable))


def _open(path: Path) -> tuple[FileType, list[RawRecord], Iterator[RawRecord]]:
    file_type = file_type_of(path)
    records = read_records(path, file_type)
    return file_type, list(islice(records, DETECT_RECORDS)), records


def _need_rows(valid: int, total: int, problem_count: int, problems: list[Problem]) -> None:
    if valid == 0:
        first = f"; first: {problems[0].reason}" if problems else ""
        raise InvalidInput(
            f"file: no valid rows ({total} records, {problem_count} skipped){first}",
            field="file",
            details={"reason": "no_valid_rows", "total": total},
        )


def _scan_table(
    path: Path,
    file_type: FileType,
    records: Iterator[RawRecord],
    strict: bool,
    sample_rows: int,
    max_problems: int = 1000,
) -> tuple[DetectionReport, Iterator[dict[str, Any]]]:
    """Table mode: any object is a row; the columns are every key seen in the whole file."""
    total = valid = problem_count = 0
    seen: dict[str, None] = {}
    problems: list[Problem] = []
    for raw in records:
        total += 1
        reason = raw.error or _not_an_object(raw)
        if not reason:
            valid += 1
            for key in raw.value:
                if len(seen) < MAX_COLUMNS:
                    seen.setdefault(str(key))
            continue
        problem = _problem(raw, reason)
        if strict:
            _refuse(problem)
        problem_count += 1
        if len(problems) < max_problems:
            problems.append(problem)
    _need_rows(valid, total, problem_count, problems)
    columns = list(seen)
    samples = list(islice(iter_table_rows(path, file_type, columns), sample_rows))
    report = DetectionReport(
        file_type=file_type,
        format="table",
        canonical_format="table",
        columns=columns,
        rows=RowCounts(total=total, valid=valid, skipped=total - valid),
        samples=samples,
        problems=problems,
        problem_count=problem_count,
    )
    return report, iter_table_rows(path, file_type, columns)


def iter_table_rows(
    path: Path, file_type: FileType, columns: list[str]
) -> Iterator[dict[str, str | None]]:
    """Every object record of `path` as {column: text or None} over `columns`."""
    for raw in read_records(path, file_type):
        if raw.error is None and isinstance(raw.value, dict):
            yield {column: _cell_text(raw.value.get(column)) for column in columns}


def _cell_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False)


def _not_an_object(raw: RawRecord) -> str:
    if isinstance(raw.value, dict):
        return ""
    return f"{_where(raw)}: record is not an object"


def iter_rows(path: Path, fmt: SourceFormat, file_type: FileType) -> Iterator[dict[str, Any]]:
    """The valid canonical rows of `path` read as `fmt`, skipping bad records."""
    for _, row, _ in _normalised(read_records(path, file_type), fmt):
        if row is not None:
            yield row


def _normalised(
    records: Iterator[RawRecord], fmt: SourceFormat
) -> Iterator[tuple[RawRecord, dict[str, Any] | None, str]]:
    for raw in records:
        if raw.error is not None:
            yield raw, None, raw.error
            continue
        try:
            yield raw, normalise(raw.value, fmt), ""
        except RowProblem as exc:
            yield raw, None, f"{_where(raw)}: {exc}"


def _where(raw: RawRecord) -> str:
    return f"line {raw.line}" if raw.line is not None else f"row {raw.record}"


def _problem(raw: RawRecord, reason: str) -> Problem:
    return Problem(line=raw.line, record=raw.record, reason=reason)


def _refuse(problem: Problem) -> None:
    raise InvalidInput(
        f"file: {problem.reason} (strict mode refuses the file at its first problem)",
        field="file",
        details=problem.model_dump(),
    )


def _columns(values: list[Any]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if isinstance(value, dict):
            for key in value:
                if len(seen) >= MAX_COLUMNS:
                    return list(seen)
                seen.setdefault(str(key))
    return list(seen)
