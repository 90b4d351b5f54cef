"""The one settings class. Every value can be set by an environment variable with the
LATHE_ prefix (LATHE_HOME, LATHE_DATABASE_URL, LATHE_HOST, LATHE_PORT, LATHE_API_TOKEN, ...)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
HOME_SUBDIRS = ("models", "datasets", "uploads", "runs", "exports", "logs", "tmp")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LATHE_", extra="ignore")

    home: Path = Field(
        default=Path("~/.lathe"),
        description="Where Lathe keeps its database, models, datasets, runs, exports and logs.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL. Defaults to a SQLite file lathe.db inside LATHE_HOME.",
    )
    host: str = Field(default="127.0.0.1", description="Interface `lathe serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `lathe serve` binds to.")
    api_token: SecretStr | None = Field(
        default=None,
        description="Bearer token required on /api and /v1. Mandatory when binding off loopback.",
    )
    frontend_dist: Path = Field(
        default=REPO_ROOT / "frontend" / "dist",
        description="Built frontend assets served by `lathe serve`.",
    )
    migrate_on_start: bool = Field(
        default=True, description="Apply pending database migrations when the server starts."
    )
    hub_timeout_s: float = Field(
        default=10.0, gt=0, description="How long to wait for the Hugging Face Hub before failing."
    )
    worker_gpus: list[int] | None = Field(
        default=None,
        description="CUDA device indices a worker may use (JSON list, e.g. [0,1]); unset means "
        "every visible device, [] means none.",
    )
    worker_parallel_cpu_jobs: int = Field(
        default=2,
        ge=0,
        description="Jobs that need no GPU and no training slot (recipes, exports, pulls) a "
        "worker runs at once, beside its training jobs.",
    )
    worker_poll_s: float = Field(
        default=0.1,
        gt=0,
        description="How often an idle worker looks for queued jobs (one running jobs looks every "
        "0.5 s, or at once when one of them ends).",
    )
    worker_embedded: bool = Field(
        default=True, description="Run a worker inside `lathe serve` (off: use `lathe worker`)."
    )
    job_lease_s: float = Field(
        default=30.0,
        gt=0,
        description="A running job whose worker has not heartbeated for this long is stalled, "
        "and is requeued (or failed when its attempts are used up).",
    )
    job_cancel_grace_s: float = Field(
        default=10.0,
        ge=0,
        description="How long a job may take to stop after a cancel or shutdown request before "
        "its process is terminated, and then killed.",
    )
    job_retry_backoff_s: float = Field(
        default=5.0,
        ge=0,
        description="Delay before a stalled job runs again; doubles with every attempt.",
    )
    job_max_attempts: int = Field(
        default=3, ge=1, description="Default number of times a stalled job is started."
    )
    upload_max_bytes: int = Field(
        default=2 * 1024**3,
        ge=1,
        description="Largest dataset file an upload accepts (bytes); larger ones get a 413.",
    )
    inference_memory_budget_mb: float = Field(
        default=8192,
        gt=0,
        description="Memory the chat engine may fill with loaded models (weights and adapters, "
        "MiB); the least recently used idle model is unloaded to make room for another.",
    )
    inference_max_batch: int = Field(
        default=16,
        ge=1,
        description="Most sequences of one base model the chat engine decodes in one batch; "
        "more wait for a free place.",
    )
    inference_max_adapters: int = Field(
        default=8,
        ge=1,
        description="Adapters kept loaded on one base model; the least recently used idle one "
        "is dropped to make room for another.",
    )
    job_kind_modules: list[str] = Field(
        default_factory=list,
        description="Extra Python modules that register job kinds (JSON list of module paths).",
    )

    @field_validator("home", "frontend_dist", mode="after")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("api_token", mode="after")
    @classmethod
    def _empty_token_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            return None
        return value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'lathe.db'}"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def datasets_dir(self) -> Path:
        return self.home / "datasets"

    @property
    def uploads_dir(self) -> Path:
        """Uploaded files waiting for their import job."""
        return self.home / "uploads"

    @property
    def runs_dir(self) -> Path:
        return self.home / "runs"

    @property
    def exports_dir(self) -> Path:
        return self.home / "exports"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def job_logs_dir(self) -> Path:
        return self.logs_dir / "jobs"

    @property
    def tmp_dir(self) -> Path:
        """Staging area on the same filesystem as the final locations, so renames are atomic."""
        return self.home / "tmp"

    def ensure_home(self) -> None:
        for sub in HOME_SUBDIRS:
            (self.home / sub).mkdir(parents=True, exist_ok=True)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@lru_cache
def get_settings() -> Settings:
    return Settings()
