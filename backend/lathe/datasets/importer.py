"""Turn a file into a dataset version: scan it (report + problems) while writing its rows to a
staged Parquet file in record batches, in one pass, then compute stats and record the version.
Used by the `dataset.import` job and by `lathe datasets import`; both pass their own progress
and stop callbacks."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from pathlib import Path
from queue import Empty, Queue
from types import TracebackType
from typing import TypeVar, cast

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from lathe.datasets import records
from lathe.datasets.scan import Scanner, conform
from lathe.datasets.stats import DatasetStats, compute_stats
from lathe.datasets.storage import ROW_GROUP_ROWS, StagedVersion, VersionWriter, read_batches
from lathe.db.tables import DatasetVersionRow
from lathe.models import records as model_records
from lathe.schemas.datasets import ImportFormat
from lathe.schemas.models import DEFAULT_MODEL_KEY
from lathe.settings import Settings
from lathe.training.tokens import load_tokenizer

DEFAULT_MAX_LENGTH = 2048

T = TypeVar("T")
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
    scanner = Scanner(path, strict=options.strict, fmt=options.format)
    with _Staging(settings) as staging:
        with contextlib.closing(read_ahead(scanner.batches())) as batches:
            for batch in batches:
                raise_if_stopped()
                staging.write(batch)
                _report_progress(scanner, progress)
        report = scanner.report()
        staged = staging.finish(scanner.schema())
        progress(report.rows.valid, report.rows.valid, "computing stats")
        # Stats of a table are its row count and columns: no need to read its values.
        columns: list[str] | None = [] if report.canonical_format == "table" else None
        stats = measure(
            settings, read_batches(staged.path, columns=columns), options, staged.schema
        )
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


def _report_progress(scanner: Scanner, progress: Progress) -> None:
    message = f"{scanner.valid:,} rows read"
    if scanner.position is None:
        progress(scanner.valid, None, message)
    else:  # in bytes, where the reader tells: the row count is not known in advance
        progress(scanner.position, scanner.size, message)


@dataclass(frozen=True)
class _Failed:
    error: BaseException


_END = object()


def read_ahead(items: Generator[T, None, None]) -> Generator[T, None, None]:
    """`items`, each produced in a thread while the caller works on the one before: pyarrow
    parses the next block while the caller writes this one, both without the GIL, on two
    cores. An error in the thread is raised here; when the caller stops early (or fails),
    the thread stops after the item it is on and closes `items`."""
    queue: Queue[object] = Queue(maxsize=1)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                queue.put(item)
                if stop.is_set():
                    return
            queue.put(_END)
        except BaseException as error:  # handed to the caller, which raises it
            queue.put(_Failed(error))
        finally:
            items.close()

    thread = threading.Thread(target=produce, name="import-read-ahead", daemon=True)
    thread.start()
    try:
        while (item := queue.get()) is not _END:
            if isinstance(item, _Failed):
                raise item.error
            yield cast(T, item)
    finally:
        stop.set()
        while thread.is_alive():  # unblock a put, so the thread sees `stop`
            with contextlib.suppress(Empty):
                queue.get(timeout=0.01)
        thread.join()


class _Staging:
    """Stages an import's rows. A table import learns its columns as it reads, so its
    batches can widen: the file so far is then finished as a segment, and `finish` copies
    the segments into one file with every column (nulls where a segment lacks one). Files
    of a failed import, and segments, are removed on the way out."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._writers: list[VersionWriter] = []
        self._segments: list[StagedVersion] = []

    def __enter__(self) -> _Staging:
        return self

    def write(self, batch: pa.RecordBatch) -> None:
        writer = self._writers[-1] if self._writers else None
        if writer is not None and batch.schema != writer.schema:
            self._segments.append(writer.finish())
            writer = None
        if writer is None:
            writer = VersionWriter(self._settings, batch.schema)
            self._writers.append(writer)
        writer.write(batch)

    def finish(self, schema: pa.Schema) -> StagedVersion:
        last = self._writers[-1] if self._writers else None
        if not self._segments and last is not None and last.schema == schema:
            return last.finish()
        if last is not None:
            self._segments.append(last.finish())
        merged = VersionWriter(self._settings, schema)
        self._writers.append(merged)
        for segment in self._segments:
            for batch in read_batches(segment.path, batch_rows=ROW_GROUP_ROWS):
                merged.write(conform(batch, schema))
        return merged.finish()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for segment in self._segments:
            segment.path.unlink(missing_ok=True)
        if exc_type is not None:
            for writer in self._writers:
                writer.discard()
