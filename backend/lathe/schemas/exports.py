"""Export schemas shared by the API and the CLI: finished exports (a row with its files and
verification report) and the register-back request. What to export is
lathe.export.config.ExportConfig; an export in progress is its `export` job (JobOut)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pydantic import BaseModel, Field

from lathe.export.spec import ExportFormat, ExportReport, GgufQuant, MergedDtype
from lathe.schemas.jobs import JobOut
from lathe.schemas.models import MODEL_NAME_PATTERN

if TYPE_CHECKING:
    from lathe.db.tables import ExportRow, JobRow


def download_path(export_id: int, file: str | None = None) -> str:
    base = f"/api/exports/{export_id}/download"
    return base if file is None else f"{base}?file={quote(file, safe='/')}"


class ExportOut(BaseModel):
    """A finished export in a list."""

    id: int
    job_id: int | None = Field(description="The export job that wrote it.")
    source_model_id: int | None = Field(
        description="The adapter it was exported from (null once that adapter is deleted)."
    )
    source_model_name: str | None = Field(description="That adapter's name.")
    format: ExportFormat
    dtype: MergedDtype | None = Field(description="Weights' dtype (merged exports).")
    quant: GgufQuant | None = Field(description="Quantisation (gguf exports).")
    name: str = Field(description="Stem of the artifacts' names.")
    path: str = Field(description="Folder under LATHE_HOME/exports.")
    primary: str = Field(
        description="The artifact a user downloads or registers: the .gguf file, the merged "
        "model folder or the adapter folder (relative to the export's folder)."
    )
    primary_is_folder: bool = Field(
        description="The primary artifact is a folder: its download is a tar archive."
    )
    size_bytes: int = Field(description="Every file of the export together.")
    sha256: str = Field(
        description="sha256 of the primary file; for a folder, of its manifest: the lines "
        "'<sha256>  <path>' (as sha256sum prints them) of its files, paths relative to the "
        "folder, sorted by path, each ending in a newline."
    )
    passed: bool = Field(description="Every verification check passed.")
    registered_model_id: int | None = Field(
        description="The model registered from this export (merged or gguf), if any."
    )
    download_path: str = Field(description="GET it to download the primary artifact.")
    created_at: datetime

    @classmethod
    def fields_of(cls, row: ExportRow, *, adapter_name: str | None) -> dict[str, Any]:
        report = row.report or {}
        primary = str(report.get("primary") or ".")
        files = {item.get("path") for item in report.get("files") or [] if isinstance(item, dict)}
        return {
            "id": row.id,
            "job_id": row.job_id,
            "source_model_id": row.source_model_id,
            "source_model_name": adapter_name,
            "format": row.format,
            "dtype": row.dtype,
            "quant": row.quant,
            "name": row.name,
            "path": row.path,
            "primary": primary,
            "primary_is_folder": primary not in files,
            "size_bytes": row.size_bytes,
            "sha256": row.sha256,
            "passed": bool(report.get("passed")),
            "registered_model_id": row.registered_model_id,
            "download_path": download_path(row.id),
            "created_at": row.created_at,
        }

    @classmethod
    def from_row(cls, row: ExportRow, *, adapter_name: str | None) -> ExportOut:
        return cls.model_validate(cls.fields_of(row, adapter_name=adapter_name))


class ExportPage(BaseModel):
    items: list[ExportOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null at the end."
    )


class ExportFileOut(BaseModel):
    path: str = Field(description="Relative to the export's folder, '/'-separated.")
    size_bytes: int
    sha256: str
    download_path: str = Field(description="GET it to download this file.")


class ExportDetail(ExportOut):
    """One export: everything in the list, its files, the builders' whole report
    (verification numbers, times per phase, the Ollama Modelfile) and the job that wrote it."""

    files: list[ExportFileOut]
    report: ExportReport
    modelfile: str | None = Field(description="The Ollama Modelfile (gguf exports).")
    job: JobOut | None = Field(description="The export job (null once it is deleted).")

    @classmethod
    def from_row(  # type: ignore[override]
        cls, row: ExportRow, *, adapter_name: str | None, job: JobRow | None
    ) -> ExportDetail:
        report = ExportReport.model_validate(row.report)
        files = [
            ExportFileOut(
                path=item.path,
                size_bytes=item.size_bytes,
                sha256=item.sha256,
                download_path=download_path(row.id, item.path),
            )
            for item in report.files
        ]
        return cls.model_validate(
            {
                **cls.fields_of(row, adapter_name=adapter_name),
                "files": files,
                "report": report,
                "modelfile": report.modelfile,
                "job": JobOut.model_validate(job) if job is not None else None,
            }
        )


class ExportRegisterRequest(BaseModel):
    name: str | None = Field(
        default=None,
        pattern=MODEL_NAME_PATTERN,
        description="The new model's name; defaults to the export's name.",
    )
