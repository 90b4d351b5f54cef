"""Turn a file into a dataset version: scan it (report + problems), write its rows to a staged
Parquet file in record batches, compute stats, and record the version. Used by the
`dataset.import` job and by `lathe datasets import`; both pass their own progress and stop
callbacks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from lathe.datasets import records
from lathe.datasets.columns import CANONICAL_SCHEMAS
from lathe.datasets.scan import scan
from lathe.datasets.stats import DatasetStats, compute_stats
from lathe.datasets.storage import VersionWriter, read_batches
from lathe.db.tables import DatasetVersionRow
from lathe.errors import InvalidInput
from lathe.models import records as model_records
from lathe.schemas.datasets import ImportFormat
from lathe.schemas.models import DEFAULT_MODEL_KEY
from lathe.settings import Settings
from lathe.training.tokens import load_tokenizer

WRITE_BATCH_ROWS = 1024
DEFAULT_MAX_LENGTH = 2048

Progress = Callable[[int, int | None, str], None]
ShouldStop = Callable[[], None]


class StatsOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stats_model: str | None = Field(
        default=None,
        description="Registered model whose tokenizer measures token lengths; default: the "
        "built-in model when it is installed, else no token stats.",
    )
    max_length: int = Field(
        default=DEFAULT_MAX_LENGTH, ge=1, le=1_048_576, description="Max training length."
    )


class ImportOptions(StatsOptions):
    format: ImportFormat = "auto"
    strict: bool = False


def default_stats_model(settings: Settings, asked: str | None) -> str | None:
    """The model that measures token lengths: the one asked for, else the built-in one."""
    if asked is not None:
        return asked
    builtin = model_records.find_by_name(settings, DEFAULT_MODEL_KEY)
    return builtin.name if builtin is not None else None


def measure(
    settings: Settings,
    batches: Iterable[pa.RecordBatch],
    options: StatsOptions,
    schema: pa.Schema | None = None,
) -> DatasetStats:
    model = default_stats_model(settings, options.stats_model)
    tokenizer = load_tokenizer(settings, model) if model is not None else None
    return compute_stats(
        batches, tokenizer=tokenizer, max_length=options.max_length, model=model, schema=schema
    )


def import_file(
    settings: Settings,
    path: Path,
    dataset_name: str,
    options: ImportOptions,
    *,
    progress: Progress,
    raise_if_stopped: ShouldStop,
    job_id: int | None = None,
    filename: str | None = None,
) -> DatasetVersionRow:
    """Write `path` as the next version of `dataset_name`. InvalidInput for a file that cannot
    be used (with its line); nothing is recorded or left on disk when it fails or stops."""
    filename = filename or path.name
    progress(0, None, f"checking {filename}")
    report, rows = scan(path, strict=options.strict, fmt=options.format)
    total = report.rows.valid
    schema = _schema_for(report.canonical_format, report.columns)
    with VersionWriter(settings, schema) as writer:
        written = 0
        for batch in _record_batches(rows, schema):
            raise_if_stopped()
            writer.write(batch)
            written += batch.num_rows
            progress(written, total, f"{written} of {total} rows written")
        staged = writer.finish()
        progress(total, total, "computing stats")
        stats = measure(settings, read_batches(staged.path), options, staged.schema)
        raise_if_stopped()
        return records.add_version(
            settings,
            dataset_name,
            staged,
            records.NewVersion(
                source=f"upload {filename}",
                report=report.model_dump(mode="json"),
                stats=stats.model_dump(mode="json"),
                job_id=job_id,
            ),
        )


def _schema_for(fmt: str, columns: list[str]) -> pa.Schema:
    if fmt == "table":
        return pa.schema([(name, pa.string()) for name in columns])
    return CANONICAL_SCHEMAS[fmt]  # type: ignore[index]


def _record_batches(rows: Iterator[dict[str, Any]], schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    first = 1
    while chunk := list(islice(rows, WRITE_BATCH_ROWS)):
        try:
            yield pa.RecordBatch.from_pylist(chunk, schema=schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
            last = first + len(chunk) - 1
            raise InvalidInput(f"file: rows {first}-{last}: {error}", field="file") from error
        first += len(chunk)
