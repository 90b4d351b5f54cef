"""Scan an uploaded dataset file: detect its format, check every record, and produce its
canonical rows, in one pass.

    scanner = Scanner(path)                     # lenient: skips bad records, lists them
    scanner = Scanner(path, strict=True)         # InvalidInput at the first bad record
    scanner = Scanner(path, fmt="alpaca")        # read as Alpaca, no detection
    scanner = Scanner(path, fmt="table")         # keep the columns as they are
    for batch in scanner.batches(): ...         # the valid rows, as Arrow record batches
    report = scanner.report()                   # complete once the batches are all read

    report, rows = scan(path)                   # the report first, then the rows as dicts

The pass streams with bounded memory. The DetectionReport holds the file type, source
format, canonical format, columns, row counts, the first canonical rows as samples, and the
problems (each with line, record number and reason; at most `max_problems` listed,
`problem_count` counts them all). InvalidInput for a file that cannot be used at all: empty,
binary, an unsupported extension, a JSON document with a syntax error (its line is in the
message; nothing after it can be read), an undetectable format (raised by the constructor,
which reads the first records), or no valid rows (raised by `report`). In strict mode any
problem is such an error, naming its line, raised as the pass reaches it.

Rows are canonical: {"messages": [...]}, {"text": ...} or {"prompt", "chosen", "rejected"}
(see lathe.schemas.datasets), in file order. In `table` mode the columns are every key seen in
the file, values as strings, nested values as JSON text; the pass learns them as it goes, so
a batch has the columns seen so far (the ones it lacks hold nulls), in first-seen order.

JSON lines are read in blocks (lathe.datasets.jsonl_blocks): a block of objects with
string values is taken as pyarrow parsed it, without a Python object per row; any other block
is read line by line, so every problem keeps its line.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterable, Iterator
from itertools import chain, islice
from pathlib import Path
from typing import Any, Literal, TypeAlias

import pyarrow as pa

from lathe.datasets.columns import CANONICAL_SCHEMAS
from lathe.datasets.formats import DETECT_RECORDS, detect_format
from lathe.datasets.jsonl_blocks import JsonlBlock, jsonl_blocks
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
# Rows read one by one are turned into Arrow this many at a time.
BATCH_ROWS = 1024

# What the pass yields: one canonical row, or a block of table rows already in Arrow.
_Item: TypeAlias = "dict[str, Any] | pa.Table"


class Scanner:
    """One pass over `path`; see the module docstring."""

    def __init__(
        self,
        path: Path,
        *,
        strict: bool = False,
        fmt: ImportFormat = "auto",
        sample_rows: int = 5,
        max_problems: int = 1000,
    ) -> None:
        self.path = path
        self.strict = strict
        self.file_type, self._window, self._records = _open(path)
        readable = [raw.value for raw in self._window if raw.error is None]
        self._window_columns = _columns(readable)
        if strict and self._window and self._window[0].error is not None:
            _refuse(_problem(self._window[0], self._window[0].error))
        self.format: SourceFormat | Literal["table"] = (
            detect_format(readable, self._window_columns) if fmt == "auto" else fmt
        )
        self._sample_rows = sample_rows
        self._max_problems = max_problems
        self.columns: dict[str, None] = {}  # table mode: every key seen so far
        self.total = self.valid = self.problem_count = 0
        self._samples: list[dict[str, Any]] = []
        self._problems: list[Problem] = []
        # How far the pass is, in bytes of the file, where the reader tells (JSON lines).
        self.size = path.stat().st_size
        self.position: int | None = None

    @property
    def is_table(self) -> bool:
        return self.format == "table"

    def schema(self) -> pa.Schema:
        """The schema of the rows read so far (final once the pass is over)."""
        if self.format == "table":
            return pa.schema([(name, pa.string()) for name in self.columns])
        return CANONICAL_SCHEMAS[CANONICAL_OF[self.format]]

    # --- the pass ---------------------------------------------------------------------------

    def items(self) -> Iterator[_Item]:
        """The valid rows, one dict at a time or (table mode) a block as an Arrow table."""
        blocks = jsonl_blocks(self.path, self.file_type)
        if blocks is None:
            yield from self._from_records(chain(self._window, self._records))
            return
        self._records = iter(())  # the blocks read the file from its start: let it go
        for block in blocks:
            if isinstance(block, RawRecord):
                yield from self._from_records([block])
            else:
                yield from self._from_block(block)
                self.position = block.end

    def batches(self) -> Generator[pa.RecordBatch, None, None]:
        """The valid rows as record batches with the schema of the rows read so far."""
        rows: list[dict[str, Any]] = []
        for item in self.items():
            if isinstance(item, dict):
                rows.append(item)
                if len(rows) >= BATCH_ROWS:
                    yield self._batch(rows)
                    rows = []
                continue
            if rows:
                yield self._batch(rows)
                rows = []
            yield from conform(item, self.schema()).combine_chunks().to_batches()
        if rows:
            yield self._batch(rows)

    def _batch(self, rows: list[dict[str, Any]]) -> pa.RecordBatch:
        try:
            return pa.RecordBatch.from_pylist(rows, schema=self.schema())
        except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError) as error:
            # UnicodeEncodeError: a lone surrogate (`"\\ud800"`), which json.loads accepts.
            first = self.valid - len(rows) + 1
            raise InvalidInput(f"file: rows {first}-{self.valid}: {error}", field="file") from error

    def _from_block(self, block: JsonlBlock) -> Iterator[_Item]:
        table = block.table
        if table is None:
            yield from self._from_records(block.records())
        elif self.is_table:
            self.total += table.num_rows
            self.valid += table.num_rows
            self._see_columns(table.schema.names)
            self._samples += table.slice(0, self._samples_wanted()).to_pylist()
            yield table
        elif any(column.null_count for column in table.columns):
            # A null and a missing key read alike from Arrow; normalise may tell them apart.
            yield from self._from_records(block.records())
        else:
            lines = block.record_lines
            assert lines is not None
            values = table.to_pylist()
            records = (
                RawRecord(block.first_record + index, int(lines[index]), value)
                for index, value in enumerate(values)
            )
            yield from self._from_records(records)

    def _from_records(self, records: Iterable[RawRecord]) -> Iterator[dict[str, Any]]:
        for raw in records:
            self.total += 1
            row, reason = self._row(raw)
            if row is None:
                self._add_problem(_problem(raw, reason))
                continue
            self.valid += 1
            if self._samples_wanted():
                self._samples.append(row)
            yield row

    def _row(self, raw: RawRecord) -> tuple[dict[str, Any] | None, str]:
        if raw.error is not None:
            return None, raw.error
        if self.format == "table":
            if not isinstance(raw.value, dict):
                return None, f"{_where(raw)}: record is not an object"
            row = {str(key): _cell_text(value) for key, value in raw.value.items()}
            self._see_columns(row)
            return row, ""
        try:
            return normalise(raw.value, self.format), ""
        except RowProblem as exc:
            return None, f"{_where(raw)}: {exc}"

    def _see_columns(self, names: Iterable[str]) -> None:
        for name in names:
            if len(self.columns) >= MAX_COLUMNS:
                return
            self.columns.setdefault(name)

    def _samples_wanted(self) -> int:
        return max(0, self._sample_rows - len(self._samples))

    def _add_problem(self, problem: Problem) -> None:
        if self.strict:
            _refuse(problem)
        self.problem_count += 1
        if len(self._problems) < self._max_problems:
            self._problems.append(problem)

    # --- the result -------------------------------------------------------------------------

    def report(self) -> DetectionReport:
        """The report of the pass (call it once the pass is over)."""
        _need_rows(self.valid, self.total, self.problem_count, self._problems)
        columns = list(self.columns) if self.is_table else self._window_columns
        samples = self._samples
        if self.is_table:
            samples = [{name: row.get(name) for name in columns} for row in samples]
        return DetectionReport(
            file_type=self.file_type,
            format=self.format,
            canonical_format="table" if self.format == "table" else CANONICAL_OF[self.format],
            columns=columns,
            rows=RowCounts(total=self.total, valid=self.valid, skipped=self.total - self.valid),
            samples=samples,
            problems=self._problems,
            problem_count=self.problem_count,
        )


def conform(rows: pa.Table | pa.RecordBatch, schema: pa.Schema) -> pa.Table:
    """`rows` with exactly the columns of `schema` (an all-string table schema), in its order:
    columns it lacks are null, all-null columns typed as strings, columns past it dropped."""
    arrays = []
    for field in schema:
        if field.name in rows.schema.names:
            arrays.append(rows.column(field.name).cast(field.type))
        else:
            arrays.append(pa.nulls(rows.num_rows, field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def scan(
    path: Path,
    *,
    strict: bool = False,
    fmt: ImportFormat = "auto",
    sample_rows: int = 5,
    max_problems: int = 1000,
) -> tuple[DetectionReport, Iterator[dict[str, Any]]]:
    """Check `path` and return its report and a lazy iterator of its rows (as dicts, table
    rows with every column), which reads the file again."""
    scanner = Scanner(
        path, strict=strict, fmt=fmt, sample_rows=sample_rows, max_problems=max_problems
    )
    for _ in scanner.items():
        pass
    report = scanner.report()
    return report, _rows(path, report)


def _rows(path: Path, report: DetectionReport) -> Iterator[dict[str, Any]]:
    scanner = Scanner(path, fmt=report.format, sample_rows=0)
    schema = pa.schema([(name, pa.string()) for name in report.columns])
    for item in scanner.items():
        if isinstance(item, dict):
            yield {name: item.get(name) for name in report.columns} if scanner.is_table else item
        else:
            yield from conform(item, schema).to_pylist()


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


def _cell_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False)


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
