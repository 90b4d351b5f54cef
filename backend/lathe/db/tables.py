"""ORM tables. Every change here comes with an Alembic migration in migrations/versions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lathe.db.base import Base
from lathe.db.types import UTCDateTime

MODEL_KINDS = ("base", "adapter")
JOB_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
JOB_FINISHED = ("succeeded", "failed", "cancelled")
JOB_SLOTS = ("train", "aux")
JOB_EVENT_KINDS = ("status", "log", "progress")


def utcnow() -> datetime:
    return datetime.now(UTC)


class ModelRow(Base):
    """A base model or a trained adapter, stored under LATHE_HOME/models/<name>."""

    __tablename__ = "models"
    __table_args__ = (CheckConstraint(f"kind IN {MODEL_KINDS!r}", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="base")
    source: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(Text, doc="Folder relative to LATHE_HOME/models.")
    architecture: Mapped[str | None] = mapped_column(String(128))
    model_type: Mapped[str | None] = mapped_column(String(64))
    parameter_count: Mapped[int | None] = mapped_column(BigInteger)
    num_layers: Mapped[int | None]
    hidden_size: Mapped[int | None]
    vocab_size: Mapped[int | None]
    context_length: Mapped[int | None]
    dtype: Mapped[str | None] = mapped_column(String(32))
    has_chat_template: Mapped[bool] = mapped_column(default=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("models.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class JobRow(Base):
    """A durable job. Only lathe.jobs.queue writes it; every status change is a guarded UPDATE
    that also appends a job_events row."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(f"status IN {JOB_STATUSES!r}", name="status"),
        CheckConstraint(f"slot IN {JOB_SLOTS!r}", name="slot"),
        CheckConstraint("gpus >= 0", name="gpus"),
        CheckConstraint("max_attempts >= 1", name="max_attempts"),
        UniqueConstraint("kind", "idempotency_key", name="uq_jobs_kind_idempotency_key"),
        # The claim query: queued jobs in priority order.
        Index("ix_jobs_claim", "status", "priority", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    priority: Mapped[int] = mapped_column(default=0, doc="Higher runs first.")
    attempts: Mapped[int] = mapped_column(default=0, doc="How many times it was started.")
    max_attempts: Mapped[int] = mapped_column(default=3)
    gpus: Mapped[int] = mapped_column(default=0, doc="GPUs it holds while running.")
    slot: Mapped[str] = mapped_column(
        String(8), default="aux", doc="train: holds its GPUs or the CPU training slot."
    )
    resources: Mapped[dict[str, Any]] = mapped_column(
        JSON, doc="What the kind declared (gpus, slot, memory class)."
    )
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    worker_id: Mapped[str | None] = mapped_column(String(128), index=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    run_after: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, doc="Not claimed before this time (retry backoff)."
    )
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    progress: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, doc="The latest progress it reported (also a job event), for job lists."
    )
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def error(self) -> dict[str, str] | None:
        """The error as the API shows it: {code, message}, or None."""
        if self.error_code is None:
            return None
        return {"code": self.error_code, "message": self.error_message or ""}


class WorkerRow(Base):
    """A live worker process; it refreshes heartbeat_at, and the reaper removes stale rows."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(128), primary_key=True, doc="host:pid:random")
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int]
    slots: Mapped[dict[str, Any]] = mapped_column(JSON, doc="GPUs, CPU training slot, aux jobs.")
    kinds: Mapped[list[str]] = mapped_column(JSON, doc="The job kinds it can run.")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class JobEventRow(Base):
    """What happened to a job, in order; the id is the SSE event id."""

    __tablename__ = "job_events"
    __table_args__ = (
        CheckConstraint(f"kind IN {JOB_EVENT_KINDS!r}", name="kind"),
        Index("ix_job_events_job_id_id", "job_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MetricRow(Base):
    """One value a job reported at one step (loss, learning rate, ...), for charts."""

    __tablename__ = "metrics"
    __table_args__ = (Index("ix_metrics_job_id_name_step", "job_id", "name", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    step: Mapped[int]
    name: Mapped[str] = mapped_column(String(128))
    value: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


DATASET_FORMATS = ("messages", "text", "preference", "table")


class DatasetRow(Base):
    """A named dataset; its rows live in immutable versions."""

    __tablename__ = "datasets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    job_id: Mapped[int | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"),
        doc="The job writing (or that last wrote) a version of it: an import or a recipe run.",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DatasetVersionRow(Base):
    """One immutable version of a dataset: a Parquet file under LATHE_HOME/datasets, written
    before this row is committed."""

    __tablename__ = "dataset_versions"
    __table_args__ = (
        CheckConstraint(f"format IN {DATASET_FORMATS!r}", name="format"),
        UniqueConstraint("dataset_id", "version", name="uq_dataset_versions_dataset_id_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(doc="1, 2, ... within its dataset.")
    path: Mapped[str] = mapped_column(Text, doc="Parquet file relative to LATHE_HOME/datasets.")
    format: Mapped[str] = mapped_column(String(16), doc="messages, text, preference or table.")
    source: Mapped[str] = mapped_column(Text, doc="Where the rows came from (file, recipe).")
    row_count: Mapped[int] = mapped_column(BigInteger)
    columns: Mapped[list[dict[str, Any]]] = mapped_column(JSON, doc="[{name, type}]")
    content_hash: Mapped[str] = mapped_column(String(64), doc="sha256 of the Parquet file.")
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON, doc="Detection report.")
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    recipe_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("recipe_versions.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RecipeRow(Base):
    """A named data recipe; every save adds a recipe_versions row."""

    __tablename__ = "recipes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RecipeVersionRow(Base):
    """One saved graph of a recipe (nodes, edges, schema_version), never changed afterwards."""

    __tablename__ = "recipe_versions"
    __table_args__ = (
        UniqueConstraint("recipe_id", "version", name="uq_recipe_versions_recipe_id_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"))
    version: Mapped[int]
    graph: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


CHAT_ROLES = ("system", "user", "assistant", "tool")


class ChatThreadRow(Base):
    """A conversation in the chat playground, with the model and sampling it was last set to."""

    __tablename__ = "chat_threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    model: Mapped[str | None] = mapped_column(
        String(128), doc="Registered model name (kept when the model is deleted)."
    )
    adapter: Mapped[str | None] = mapped_column(String(128))
    system_prompt: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, doc="Sampling controls for new replies.")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ChatMessageRow(Base):
    """One message of a thread; a reply records the model, adapter and sampling that wrote it."""

    __tablename__ = "chat_messages"
    __table_args__ = (
        CheckConstraint(f"role IN {CHAT_ROLES!r}", name="role"),
        Index("ix_chat_messages_thread_id_id", "thread_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("chat_threads.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(String(128))
    adapter: Mapped[str | None] = mapped_column(String(128))
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    finish_reason: Mapped[str | None] = mapped_column(String(16))
    prompt_tokens: Mapped[int | None]
    completion_tokens: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


EXPORT_FORMATS = ("adapter", "merged", "gguf")


class ExportRow(Base):
    """A finished export: its artifacts under LATHE_HOME/exports/<id>/, renamed into place in
    the transaction that inserts this row. An export in progress is only its job."""

    __tablename__ = "exports"
    __table_args__ = (CheckConstraint(f"format IN {EXPORT_FORMATS!r}", name="format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"),
        unique=True,
        doc="The export job that wrote it (a retried attempt finds its export by it).",
    )
    source_model_id: Mapped[int | None] = mapped_column(
        ForeignKey("models.id", ondelete="SET NULL"),
        index=True,
        doc="The adapter it was exported from (null once that adapter is deleted).",
    )
    format: Mapped[str] = mapped_column(String(16), doc="adapter, merged or gguf.")
    dtype: Mapped[str | None] = mapped_column(String(8), doc="Merged weights' dtype (merged).")
    quant: Mapped[str | None] = mapped_column(String(16), doc="GGUF quantisation (gguf).")
    name: Mapped[str] = mapped_column(String(128), doc="Stem of the artifacts' file names.")
    path: Mapped[str] = mapped_column(Text, doc="Folder relative to LATHE_HOME/exports.")
    size_bytes: Mapped[int] = mapped_column(BigInteger, doc="Every file of the export.")
    sha256: Mapped[str] = mapped_column(
        String(64), doc="Of the primary file; of the manifest of its files for a folder."
    )
    report: Mapped[dict[str, Any]] = mapped_column(JSON, doc="The builders' ExportReport.")
    registered_model_id: Mapped[int | None] = mapped_column(
        ForeignKey("models.id", ondelete="SET NULL"),
        doc="The model registered from it (merged folder or GGUF file), if any.",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
