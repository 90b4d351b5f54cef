"""Dataset schemas: canonical rows and the report of scanning an uploaded file."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from lathe.datasets.stats import DatasetStats
from lathe.schemas.formats import (
    CanonicalFormat,
    FileType,
    ImportFormat,
    Role,
    SourceFormat,
    StoredFormat,
)
from lathe.schemas.jobs import JobOut

__all__ = ["CanonicalFormat", "FileType", "ImportFormat", "Role", "SourceFormat", "StoredFormat"]

# Which canonical schema each source format maps onto.
CANONICAL_OF: dict[str, CanonicalFormat] = {
    "messages": "messages",
    "sharegpt": "messages",
    "alpaca": "messages",
    "prompt_completion": "messages",
    "text": "text",
    "preference": "preference",
}


class Message(BaseModel):
    role: Role
    content: str


class MessagesRow(BaseModel):
    """Canonical `messages`: a conversation with at least one assistant turn."""

    messages: list[Message]


class TextRow(BaseModel):
    """Canonical `text`: raw text for continued pretraining."""

    text: str


class PreferenceRow(BaseModel):
    """Canonical `preference`: the prompt turns, then the chosen and rejected replies (each a
    list of messages, usually one assistant turn)."""

    prompt: list[Message]
    chosen: list[Message]
    rejected: list[Message]


CanonicalRow = MessagesRow | TextRow | PreferenceRow


class Problem(BaseModel):
    line: int | None = Field(description="1-based line in the file; null for Parquet.")
    record: int = Field(description="1-based record number (CSV/Parquet: data row number).")
    reason: str = Field(description="What is wrong, starting with its location.")


class RowCounts(BaseModel):
    total: int = Field(description="Records read from the file.")
    valid: int = Field(description="Records kept after normalisation.")
    skipped: int = Field(description="Records skipped, each with a problem.")


class DetectionReport(BaseModel):
    file_type: FileType
    format: SourceFormat | Literal["table"] = Field(
        description="The source format detected in the file (or asked for)."
    )
    canonical_format: StoredFormat = Field(description="The schema the rows are stored in.")
    columns: list[str] = Field(description="Top-level fields seen in the file.")
    rows: RowCounts
    samples: list[dict[str, Any]] = Field(description="The first rows, in canonical form.")
    problems: list[Problem] = Field(description="Skipped rows, in file order, capped.")
    problem_count: int = Field(description="All problems found, including those not listed.")


DATASET_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"


class ColumnOut(BaseModel):
    name: str
    type: str = Field(description="string, int, float, bool, messages, list, struct or other.")


class DatasetVersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    dataset_id: int
    version: int
    format: StoredFormat
    source: str = Field(description="Where the rows came from: `upload <file>` or `recipe`.")
    row_count: int
    columns: list[ColumnOut]
    content_hash: str = Field(description="sha256 of the stored Parquet file.")
    size_bytes: int
    job_id: int | None = Field(description="The job that wrote it.")
    recipe_version_id: int | None
    created_at: datetime


class DatasetVersionDetail(DatasetVersionOut):
    report: DetectionReport | None = Field(description="Detection report of an uploaded file.")
    stats: DatasetStats | None


class DatasetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    job_id: int | None = Field(description="The import or recipe run writing its next version.")
    created_at: datetime
    updated_at: datetime
    latest: DatasetVersionOut | None = Field(description="The newest version; null until one.")


class DatasetDetail(DatasetOut):
    versions: list[DatasetVersionOut] = Field(description="Every version, oldest first.")


class DatasetPage(BaseModel):
    items: list[DatasetOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class RowPage(BaseModel):
    rows: list[dict[str, Any]]
    offset: int = Field(description="Row number (from 0) of the first row in `rows`.")
    total: int = Field(description="Rows in the version.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next rows.")


class StatsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stats_model: str | None = Field(
        default=None, description="Registered model (name or id) whose tokenizer counts tokens."
    )
    max_length: int = Field(default=2048, ge=1, le=1_048_576)


class StatsOut(BaseModel):
    dataset_id: int
    version: int
    stats: DatasetStats | None = Field(description="Null until its job has computed them.")


class UploadOptions(StatsRequest):
    """The form fields of an upload besides the file."""

    name: str | None = Field(
        default=None,
        pattern=DATASET_NAME_PATTERN,
        description="Name of the new dataset; defaults to the file name without extension.",
    )
    description: str = Field(default="", max_length=2000)
    dataset_id: int | None = Field(
        default=None, description="Add the rows as a new version of this dataset instead."
    )
    format: ImportFormat = Field(
        default="auto",
        description="auto: detect; or read the file as this format; table: keep the columns.",
    )
    strict: bool = Field(default=False, description="Refuse the file at its first problem.")


class SampleImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(
        default=None, pattern=DATASET_NAME_PATTERN, description="Default: sample-<key>."
    )


class DatasetUploadOut(BaseModel):
    dataset: DatasetOut
    job: JobOut = Field(description="The `dataset.import` job writing the new version.")
    detected_format: SourceFormat | Literal["table"] = Field(
        description="What the first records look like (the job checks every record)."
    )
