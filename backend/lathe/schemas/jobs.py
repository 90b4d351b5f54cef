"""Job schemas shared by the API, the CLI and the worker."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
TERMINAL_STATUSES: tuple[JobStatus, ...] = ("succeeded", "failed", "cancelled")
JobEventType = Literal["status", "log", "progress"]


class Resources(BaseModel):
    """What a job needs from a worker. A training job holds its GPUs exclusively, or the one
    CPU training slot when it asks for no GPU, so two training jobs never share a device; aux
    jobs (recipes, exports, pulls) run beside it within the worker's parallel CPU jobs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    gpus: int = Field(default=0, ge=0, le=64, description="GPUs held exclusively while running.")
    slot: Literal["train", "aux"] = Field(
        default="aux",
        description="train: a training job (its GPUs, or the CPU training slot without GPUs); "
        "aux: runs beside training within the worker's parallel CPU jobs.",
    )
    memory: Literal["small", "medium", "large"] = Field(
        default="small", description="Rough host memory need, shown to people planning runs."
    )


class JobProgress(BaseModel):
    completed: float | None = None
    total: float | None = None
    message: str = ""
    details: dict[str, Any] | None = Field(
        default=None,
        description="Kind-specific detail: for a recipe run, {nodes: {id: {rows_in, rows_out}}}.",
    )


class JobError(BaseModel):
    code: str
    message: str


class JobCreate(BaseModel):
    kind: str = Field(min_length=1, description="A registered job kind, e.g. model.pull.")
    params: dict[str, Any] = Field(default_factory=dict, description="Validated by the kind.")
    priority: int = Field(default=0, ge=-100, le=100, description="Higher runs first.")
    max_attempts: int | None = Field(default=None, ge=1, le=20)


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    params: dict[str, Any]
    status: JobStatus
    priority: int
    attempts: int
    max_attempts: int
    worker_id: str | None
    cancel_requested: bool
    idempotency_key: str | None
    resources: Resources
    result: dict[str, Any] | None
    error: JobError | None
    progress: JobProgress | None = Field(description="The latest progress the job reported.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None


class JobPage(BaseModel):
    items: list[JobOut]
    next_cursor: str | None


class JobEventOut(BaseModel):
    """One job event; over SSE its `id` is the event id and its `type` the event name."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    job_id: int
    type: JobEventType = Field(validation_alias=AliasChoices("type", "kind"))
    data: dict[str, Any]
    created_at: datetime


class JobLogChunk(BaseModel):
    content: str
    offset: int = Field(description="Byte offset of `content` in the log file.")
    next_offset: int = Field(description="Pass as `offset` to read what comes next.")
    complete: bool = Field(description="The job has finished; nothing more will be written.")


class JobMetricPoint(BaseModel):
    id: int = Field(
        description="Increases in the order points were reported; the metrics stream's event id."
    )
    step: int
    name: str
    value: float
    created_at: datetime


class JobMetricPage(BaseModel):
    items: list[JobMetricPoint]
    next_cursor: str | None
