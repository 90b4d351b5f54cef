"""Exports of trained adapters: start one (→ an `export` job), list and inspect finished ones
with their verification report, download their files, delete them, register a merged or GGUF
export back as a model.

An export row exists only once its files are in place. Until then the export is its job:
POST returns it, GET /api/jobs/{id} (and /events, SSE) follow its progress, and
GET /api/jobs?kind=export&status=queued&status=running lists the ones under way
(params.source is the adapter's name). A succeeded job's result has the export_id."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Response, status

from lathe.api.deps import SettingsDep
from lathe.api.downloads import file_download, folder_download
from lathe.api.errors import ERROR_RESPONSES
from lathe.export import catalog, records
from lathe.export.config import ExportConfig
from lathe.export.files import download_target
from lathe.export.register import queue_register
from lathe.export.service import queue_export
from lathe.schemas.common import DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, ErrorResponse
from lathe.schemas.exports import ExportDetail, ExportPage, ExportRegisterRequest
from lathe.schemas.jobs import JobOut

router = APIRouter(prefix="/api/exports", tags=["exports"], responses=ERROR_RESPONSES)

ExportId = Annotated[int, Path(ge=1, description="The export's id.")]

_DOWNLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file, or a tar archive of a folder.",
        "content": {"application/octet-stream": {}, "application/x-tar": {}},
    },
    206: {"description": "The byte range asked for (Range header)."},
    416: {"model": ErrorResponse, "description": "A Range outside the file, or malformed."},
}


@router.post("", status_code=status.HTTP_202_ACCEPTED)
def create_export(settings: SettingsDep, body: ExportConfig) -> JobOut:
    """Check the adapter, its base model and the options now (404 for an unknown adapter, 422
    naming the field, 409 when a model's files are gone), then queue an `export` job. Follow
    it with /api/jobs/{id} and /api/jobs/{id}/events; its result has export_id."""
    return JobOut.model_validate(queue_export(settings, body))


@router.get("")
def list_exports(
    settings: SettingsDep,
    model_id: Annotated[
        int | None,
        Query(
            ge=1, description="Only the exports of this adapter, or of this base model's adapters."
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = DEFAULT_PAGE_LIMIT,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> ExportPage:
    """Finished exports, newest first."""
    items, next_cursor = catalog.list_exports(
        settings, limit=limit, cursor=cursor, model_id=model_id
    )
    return ExportPage(items=items, next_cursor=next_cursor)


@router.get("/{export_id}")
def get_export(settings: SettingsDep, export_id: ExportId) -> ExportDetail:
    """One export: its files (size, sha256, download path), the verification report, the
    Ollama Modelfile (gguf) and its job."""
    return catalog.get_export(settings, export_id)


@router.get("/{export_id}/download", responses=_DOWNLOAD_RESPONSES)
def download_export(
    settings: SettingsDep,
    export_id: ExportId,
    file: Annotated[
        str | None,
        Query(
            description="A file or folder of the export, relative to its folder ('.' for "
            "everything); default the primary artifact."
        ),
    ] = None,
    range_: Annotated[
        str | None, Header(alias="range", description="bytes=first-last, as RFC 9110 has it.")
    ] = None,
) -> Response:
    """A file with Content-Length and byte ranges (206; 416 for a range outside it); a folder
    (the adapter or merged model, or '.') as a tar archive with its exact Content-Length."""
    row = records.get(settings, export_id)
    target = download_target(settings, row, file)
    if target.is_dir():
        root = records.export_dir(settings, row)
        arcname = row.name if target == root else target.name
        return folder_download(target, arcname, range_)
    return file_download(target, target.name, range_)


@router.delete("/{export_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_export(settings: SettingsDep, export_id: ExportId) -> Response:
    """Delete the export and its files (a model registered from it keeps its own copy)."""
    catalog.delete_export(settings, export_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{export_id}/register", status_code=status.HTTP_202_ACCEPTED)
def register_export(
    settings: SettingsDep,
    export_id: ExportId,
    body: Annotated[ExportRegisterRequest | None, Body()] = None,
) -> JobOut:
    """Register a merged or gguf export as a model, so it can be chatted with and compared:
    checks now (422 for an adapter export, 409 when it is registered already or the name is
    taken), then queues an `export.register` job whose result has model_id."""
    name = body.name if body is not None else None
    return JobOut.model_validate(queue_register(settings, export_id, name))
