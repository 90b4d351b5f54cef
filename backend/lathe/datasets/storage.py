"""Dataset version files: Parquet under LATHE_HOME/datasets/<dataset id>/v<version>.parquet.

A version is written to a staging file under LATHE_HOME/tmp (same filesystem), hashed, and
renamed into place only inside the transaction that records it (see lathe.datasets.records),
so the database never points at a half-written file and a failed or cancelled write leaves
nothing behind.

    with VersionWriter(settings) as writer:
        for batch in batches:
            writer.write(batch)
    staged = writer.staged          # path, rows, bytes, sha256, schema
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from lathe.errors import InvalidInput, LatheError
from lathe.hashing import file_sha256
from lathe.scratch import scratch_prefix
from lathe.settings import Settings

READ_BATCH_ROWS = 1024
# Row groups small enough that reading one page of rows touches little of the file.
ROW_GROUP_ROWS = 16 * 1024


@dataclass(frozen=True)
class StagedVersion:
    """A finished Parquet file waiting to be moved into place."""

    path: Path
    rows: int
    size_bytes: int
    sha256: str
    schema: pa.Schema


class VersionWriter:
    """Writes record batches to a staging Parquet file. The schema is the first batch's (or
    the one given); later batches are cast to it, and one that cannot be cast is refused with
    the column at fault. The staging file is removed unless `staged` was taken and kept."""

    def __init__(self, settings: Settings, schema: pa.Schema | None = None) -> None:
        settings.ensure_home()
        handle, name = tempfile.mkstemp(
            prefix=scratch_prefix("dataset"), suffix=".parquet", dir=settings.tmp_dir
        )
        Path(name).unlink()  # ParquetWriter creates it; mkstemp only reserved a unique name
        del handle
        self.path = Path(name)
        self.schema = schema
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None
        self.staged: StagedVersion | None = None

    def __enter__(self) -> VersionWriter:
        return self

    def write(self, batch: pa.RecordBatch | pa.Table) -> None:
        if self.schema is None:
            self.schema = batch.schema
        if batch.schema != self.schema:
            batch = _cast(batch, self.schema)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
        self._writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
        self.rows += batch.num_rows

    def finish(self) -> StagedVersion:
        if self.schema is None:
            raise InvalidInput("the dataset has no columns: nothing was written", field="rows")
        if self._writer is None:  # zero rows: still a valid file with the schema
            self._writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        self._writer.close()
        self.staged = StagedVersion(
            path=self.path,
            rows=self.rows,
            size_bytes=self.path.stat().st_size,
            sha256=file_sha256(self.path),
            schema=self.schema,
        )
        return self.staged

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.discard()
        elif self.staged is None:
            self.finish()

    def discard(self) -> None:
        if self._writer is not None:
            with contextlib.suppress(OSError, pa.ArrowException):
                self._writer.close()
        self.path.unlink(missing_ok=True)
        self.staged = None


def _cast(batch: pa.RecordBatch | pa.Table, schema: pa.Schema) -> pa.RecordBatch | pa.Table:
    if batch.schema.names != schema.names:
        raise InvalidInput(
            f"rows: columns changed from {schema.names} to {batch.schema.names} mid-way",
            field="rows",
        )
    for field in schema:
        current = batch.schema.field(field.name).type
        if current != field.type and not _castable(current, field.type):
            raise InvalidInput(
                f"column {field.name!r}: type changed from {field.type} to {current} mid-way",
                field=field.name,
            )
    return batch.cast(schema)


def _castable(source: pa.DataType, target: pa.DataType) -> bool:
    # All-null columns of a batch come out as `null`; integers widen to floats.
    return bool(
        pa.types.is_null(source) or (pa.types.is_integer(source) and pa.types.is_floating(target))
    )


def relative_path(dataset_id: int, version: int) -> str:
    return f"{dataset_id}/v{version}.parquet"


def version_file(settings: Settings, relative: str) -> Path:
    """The absolute file of a stored version; refuses a path that leaves the datasets folder."""
    root = settings.datasets_dir.resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise LatheError(f"dataset version has an invalid path {relative!r}")
    return path


def move_into_place(staged: StagedVersion, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    staged.path.replace(target)


def read_batches(
    path: Path, *, columns: list[str] | None = None, batch_rows: int = READ_BATCH_ROWS
) -> Iterator[pa.RecordBatch]:
    """The file's rows as record batches, streaming."""
    parquet = pq.ParquetFile(path)
    yield from parquet.iter_batches(batch_size=batch_rows, columns=columns)


def read_rows(path: Path, offset: int, limit: int) -> list[dict[str, Any]]:
    """Rows [offset, offset + limit) as dicts, reading only the row groups that hold them."""
    parquet = pq.ParquetFile(path)
    metadata = parquet.metadata
    groups: list[int] = []
    first_row = 0
    skip = 0
    for index in range(metadata.num_row_groups):
        count = metadata.row_group(index).num_rows
        if first_row + count > offset and first_row < offset + limit:
            if not groups:
                skip = offset - first_row
            groups.append(index)
        first_row += count
    if not groups:
        return []
    table = parquet.read_row_groups(groups)
    rows: list[dict[str, Any]] = table.slice(skip, limit).to_pylist()
    return rows


def schema_of(path: Path) -> pa.Schema:
    return pq.read_schema(path)
