"""Datasets: upload (→ a `dataset.import` job), list, inspect, browse rows, stats, delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import ValidationError

from lathe.api.deps import SettingsDep
from lathe.api.errors import ERROR_RESPONSES
from lathe.api.uploads import receive_form
from lathe.datasets import records, samples, service, uploads
from lathe.datasets.samples import SampleInfo
from lathe.db.tables import DatasetRow, DatasetVersionRow
from lathe.errors import InvalidInput
from lathe.schemas.common import DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, ErrorResponse
from lathe.schemas.datasets import (
    DatasetDetail,
    DatasetOut,
    DatasetPage,
    DatasetUploadOut,
    DatasetVersionDetail,
    DatasetVersionOut,
    RowPage,
    SampleImportRequest,
    StatsOut,
    StatsRequest,
    UploadOptions,
)
from lathe.schemas.jobs import JobOut

router = APIRouter(prefix="/api/datasets", tags=["datasets"], responses=ERROR_RESPONSES)

VersionPath = Annotated[int, Path(description="Version number; 0 = the newest.", ge=0)]

_UPLOAD_FORM: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        **{
                            name: {**schema, "type": schema.get("type", "string")}
                            for name, schema in UploadOptions.model_json_schema()[
                                "properties"
                            ].items()
                        },
                    },
                }
            }
        },
    }
}


def _dataset_fields(row: DatasetRow) -> dict[str, Any]:
    return {column: getattr(row, column) for column in DatasetRow.__table__.columns.keys()}  # noqa: SIM118


def _dataset_out(row: DatasetRow, latest: DatasetVersionRow | None) -> DatasetOut:
    version = DatasetVersionOut.model_validate(latest) if latest is not None else None
    return DatasetOut.model_validate({**_dataset_fields(row), "latest": version})


@router.get("")
def list_datasets(
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = DEFAULT_PAGE_LIMIT,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> DatasetPage:
    listing = service.list_datasets(settings, limit=limit, cursor=cursor)
    items = [_dataset_out(row, listing.latest.get(row.id)) for row in listing.datasets]
    return DatasetPage(items=items, next_cursor=listing.next_cursor)


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    openapi_extra=_UPLOAD_FORM,
    responses={413: {"model": ErrorResponse, "description": "File over the upload limit"}},
)
async def upload_dataset(settings: SettingsDep, request: Request) -> DatasetUploadOut:
    """Upload a dataset file (JSONL, JSON, CSV/TSV, Parquet, TXT) as multipart/form-data.
    The file is checked at once (type, empty or binary, format of its first records); then a
    `dataset.import` job reads every record, writes the version and its stats, and reports
    the problems it skipped with their line numbers."""
    form = await receive_form(
        request,
        new_file=lambda name: uploads.new_upload(settings, name),
        discard=uploads.discard_upload,
        max_file_bytes=settings.upload_max_bytes,
    )
    assert form.file is not None
    try:
        options = UploadOptions.model_validate(form.fields)
    except ValidationError as error:
        uploads.discard_upload(form.file)
        raise _form_error(error) from error
    queued = service.queue_import(settings, form.file, options)
    return DatasetUploadOut(
        dataset=_dataset_out(queued.dataset, None),
        job=JobOut.model_validate(queued.job),
        detected_format=queued.detected_format,
    )


def _form_error(error: ValidationError) -> InvalidInput:
    details = [
        {
            "field": ".".join(str(part) for part in problem["loc"]) or "body",
            "message": problem["msg"],
            "type": problem["type"],
        }
        for problem in error.errors()
    ]
    first = details[0]
    return InvalidInput(f"{first['field']}: {first['message']}", details=details)


@router.get("/samples")
def list_dataset_samples() -> list[SampleInfo]:
    """Built-in sample datasets that ship with Lathe (a persona, instructions, preferences)."""
    return samples.list_samples()


@router.post("/samples/{key}", status_code=status.HTTP_202_ACCEPTED)
def import_dataset_sample(
    settings: SettingsDep, key: str, body: SampleImportRequest
) -> DatasetUploadOut:
    """Queue the import of a built-in sample as a new dataset (`sample-<key>` by default)."""
    queued = service.queue_sample_import(settings, key, body.name)
    return DatasetUploadOut(
        dataset=_dataset_out(queued.dataset, None),
        job=JobOut.model_validate(queued.job),
        detected_format=queued.detected_format,
    )


@router.get("/{dataset_id}")
def get_dataset(settings: SettingsDep, dataset_id: int) -> DatasetDetail:
    row = records.get(settings, dataset_id)
    versions = records.versions(settings, dataset_id)
    return DatasetDetail.model_validate(
        {
            **_dataset_fields(row),
            "latest": DatasetVersionOut.model_validate(versions[-1]) if versions else None,
            "versions": [DatasetVersionOut.model_validate(v) for v in versions],
        }
    )


@router.get("/{dataset_id}/versions/{version}")
def get_dataset_version(
    settings: SettingsDep, dataset_id: int, version: VersionPath
) -> DatasetVersionDetail:
    """One version with its detection report and stats."""
    return DatasetVersionDetail.model_validate(records.get_version(settings, dataset_id, version))


@router.get("/{dataset_id}/versions/{version}/rows")
def list_dataset_rows(
    settings: SettingsDep,
    dataset_id: int,
    version: VersionPath,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = DEFAULT_PAGE_LIMIT,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> RowPage:
    row, rows, offset, next_cursor = service.rows_page(
        settings, dataset_id, version, limit=limit, cursor=cursor
    )
    return RowPage(rows=rows, offset=offset, total=row.row_count, next_cursor=next_cursor)


@router.get("/{dataset_id}/versions/{version}/stats")
def get_dataset_stats(settings: SettingsDep, dataset_id: int, version: VersionPath) -> StatsOut:
    """The version's stats: rows, columns, turns, roles and the token-length histogram."""
    row = records.get_version(settings, dataset_id, version)
    return StatsOut(dataset_id=dataset_id, version=row.version, stats=row.stats)


@router.post("/{dataset_id}/versions/{version}/stats", status_code=status.HTTP_202_ACCEPTED)
def recompute_dataset_stats(
    settings: SettingsDep, dataset_id: int, version: VersionPath, body: StatsRequest
) -> JobOut:
    """Queue a `dataset.stats` job: token lengths for another model or max length."""
    return JobOut.model_validate(service.queue_stats(settings, dataset_id, version, body))


@router.delete("/{dataset_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_dataset(settings: SettingsDep, dataset_id: int) -> Response:
    """Delete the dataset, every version and its files (409 while a job writes to it)."""
    service.delete_dataset(settings, dataset_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
