"""Finished exports as the API and the CLI see them: pages of exports (all, or those of one
model), one export with its job, deletion."""

from __future__ import annotations

from lathe.db.tables import ExportRow, JobRow
from lathe.errors import InvalidInput, NotFound
from lathe.export import records
from lathe.jobs import service as jobs
from lathe.models import records as model_records
from lathe.pagination import decode_cursor, split_page
from lathe.schemas.common import MAX_PAGE_LIMIT
from lathe.schemas.exports import ExportDetail, ExportOut
from lathe.settings import Settings

EXPORTS_LISTING = "exports"


def list_exports(
    settings: Settings, *, limit: int, cursor: str | None = None, model_id: int | None = None
) -> tuple[list[ExportOut], str | None]:
    """One page of exports, newest first, and the next cursor (None at the end). With
    `model_id`: the exports of that adapter, or of every adapter of that base model."""
    if not 1 <= limit <= MAX_PAGE_LIMIT:
        raise InvalidInput(f"limit: must be between 1 and {MAX_PAGE_LIMIT}", field="limit")
    if model_id is not None:
        try:
            model_records.get(settings, model_id)
        except NotFound as error:
            raise NotFound(f"model_id: {error.message}", field="model_id") from None
    before_id = decode_cursor(cursor, EXPORTS_LISTING) if cursor else None
    rows = records.page_before(settings, before_id=before_id, limit=limit + 1, model_id=model_id)
    page, next_cursor = split_page(rows, limit, EXPORTS_LISTING)
    names = records.model_names(settings, {r.source_model_id for r in page if r.source_model_id})
    items = [ExportOut.from_row(row, adapter_name=_name(names, row)) for row in page]
    return items, next_cursor


def _name(names: dict[int, str], row: ExportRow) -> str | None:
    return names.get(row.source_model_id) if row.source_model_id is not None else None


def get_export(settings: Settings, export_id: int) -> ExportDetail:
    row = records.get(settings, export_id)
    ids = {row.source_model_id} if row.source_model_id is not None else set()
    job: JobRow | None = None
    if row.job_id is not None:
        try:
            job = jobs.get_job(settings, row.job_id)
        except NotFound:
            job = None
    return ExportDetail.from_row(
        row, adapter_name=_name(records.model_names(settings, ids), row), job=job
    )


def delete_export(settings: Settings, export_id: int) -> None:
    """Remove an export's row and files. A model registered from it keeps its own copy."""
    records.delete(settings, export_id)
