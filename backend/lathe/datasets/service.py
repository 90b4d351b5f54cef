"""The datasets service: what API routers and the CLI call. It checks requests (names, formats,
models, versions) before anything is queued; the jobs in lathe.datasets.jobs do the work."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Literal

from lathe.datasets import records, samples
from lathe.datasets.jobs import IMPORT_KIND, STATS_KIND
from lathe.datasets.scan import preflight
from lathe.datasets.storage import read_rows, version_file
from lathe.datasets.uploads import UNSAFE_NAME_CHARS, copy_into_upload, discard_upload
from lathe.db.engine import session_scope
from lathe.db.tables import DatasetRow, DatasetVersionRow, JobRow
from lathe.errors import Conflict, InvalidInput, NotFound
from lathe.jobs import service as jobs
from lathe.models import registry as models
from lathe.pagination import decode_cursor, encode_cursor, split_page
from lathe.schemas.datasets import SourceFormat, StatsRequest, UploadOptions
from lathe.settings import Settings

DATASETS_LISTING = "datasets"
ROWS_LISTING = "rows"


@dataclass(frozen=True)
class Listing:
    datasets: list[DatasetRow]
    latest: dict[int, DatasetVersionRow]
    next_cursor: str | None


@dataclass(frozen=True)
class QueuedImport:
    dataset: DatasetRow
    job: JobRow
    detected_format: SourceFormat | Literal["table"]


def list_datasets(settings: Settings, *, limit: int, cursor: str | None) -> Listing:
    after = decode_cursor(cursor, DATASETS_LISTING) if cursor else 0
    rows, next_cursor = split_page(
        records.page_after(settings, after, limit + 1), limit, DATASETS_LISTING
    )
    latest = records.latest_versions(settings, [row.id for row in rows])
    return Listing(rows, latest, next_cursor)


def queue_import(settings: Settings, upload: Path, options: UploadOptions) -> QueuedImport:
    """Check an uploaded file (type, not empty or binary, a known format in its first records)
    and the options, reserve the dataset, and queue its `dataset.import` job. The upload is
    removed again when the request is refused."""
    try:
        detected = preflight(upload, options.format)
        stats_model = _check_model(settings, options.stats_model)
        dataset = _target_dataset(settings, upload, options)
    except BaseException:
        discard_upload(upload)
        raise
    job = jobs.enqueue(
        settings,
        IMPORT_KIND,
        {
            "dataset_id": dataset.id,
            "upload": upload.relative_to(settings.uploads_dir).as_posix(),
            "filename": upload.name,
            "format": options.format,
            "strict": options.strict,
            "stats_model": stats_model,
            "max_length": options.max_length,
        },
    )
    dataset = _set_job(settings, dataset.id, job.id)
    return QueuedImport(dataset, job, detected)


def queue_sample_import(settings: Settings, key: str, name: str | None) -> QueuedImport:
    """Import a built-in sample as a new dataset (named after the sample unless given)."""
    sample = samples.get_sample(key)
    upload = copy_into_upload(settings, samples.sample_path(key))
    options = UploadOptions(name=name or f"sample-{sample.key}", description=sample.description)
    return queue_import(settings, upload, options)


def queue_stats(settings: Settings, dataset_id: int, version: int, request: StatsRequest) -> JobRow:
    row = records.get_version(settings, dataset_id, version)
    return jobs.enqueue(
        settings,
        STATS_KIND,
        {
            "dataset_id": dataset_id,
            "version": row.version,
            "stats_model": _check_model(settings, request.stats_model),
            "max_length": request.max_length,
        },
    )


def rows_page(
    settings: Settings, dataset_id: int, version: int, *, limit: int, cursor: str | None
) -> tuple[DatasetVersionRow, list[dict[str, object]], int, str | None]:
    """(version, rows, offset of the first, next cursor) of a stored version."""
    row = records.get_version(settings, dataset_id, version)
    offset = decode_cursor(cursor, ROWS_LISTING) if cursor else 0
    rows = read_rows(version_file(settings, row.path), offset, limit)
    end = offset + len(rows)
    next_cursor = encode_cursor(ROWS_LISTING, end) if end < row.row_count else None
    return row, rows, offset, next_cursor


def delete_dataset(settings: Settings, dataset_id: int) -> None:
    """Delete a dataset with its versions and files; refused while a job writes to it."""
    dataset = records.get(settings, dataset_id)
    if dataset.job_id is not None:
        job = jobs.get_job(settings, dataset.job_id)
        if job.status in ("queued", "running"):
            raise Conflict(
                f"dataset {dataset.name} is being written by job {job.id} ({job.kind}); "
                "cancel it first",
                field="dataset_id",
            )
    records.delete(settings, dataset_id)


def _check_model(settings: Settings, ref: str | None) -> str | None:
    if ref is None:
        return None
    try:
        return models.resolve_model(settings, ref).name
    except NotFound as error:
        raise InvalidInput(
            f"stats_model: no registered model {ref!r}", field="stats_model"
        ) from error


def _target_dataset(settings: Settings, upload: Path, options: UploadOptions) -> DatasetRow:
    if options.dataset_id is not None:
        return records.get(settings, options.dataset_id)
    name = options.name or _name_from_file(upload.name)
    records.ensure_name_free(settings, name)
    return records.create(settings, name, options.description)


def _name_from_file(filename: str) -> str:
    stem = UNSAFE_NAME_CHARS.sub("-", PurePath(filename).stem).strip("-._")[:128]
    return stem or "dataset"


def _set_job(settings: Settings, dataset_id: int, job_id: int) -> DatasetRow:
    with session_scope(settings.resolved_database_url) as session:
        row = session.get(DatasetRow, dataset_id)
        if row is None:
            raise records.not_found(dataset_id)
        row.job_id = job_id
    return row
