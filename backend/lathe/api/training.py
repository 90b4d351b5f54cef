"""Training: estimate a config, start a run (→ a `train` job), list and inspect runs and their
checkpoints, presets. Metrics, events, logs, cancel and retry of a run are on the job endpoints
(/api/jobs/{id})."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from lathe.api.deps import SettingsDep
from lathe.api.errors import ERROR_RESPONSES
from lathe.db.tables import JobRow
from lathe.errors import LatheError, NotFound
from lathe.jobs import service as jobs
from lathe.schemas.common import DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT
from lathe.schemas.jobs import JobOut
from lathe.schemas.training import (
    CheckpointOut,
    Estimate,
    PresetOut,
    TrainingRunDetail,
    TrainingRunOut,
    TrainingRunPage,
)
from lathe.settings import Settings
from lathe.training.checkpoints import list_checkpoints
from lathe.training.config import PRESETS, TrainingConfig, load_preset
from lathe.training.estimate import estimate, queue_checked_run
from lathe.training.service import TRAIN_KIND

router = APIRouter(prefix="/api/training", tags=["training"], responses=ERROR_RESPONSES)

JobId = Annotated[int, Path(ge=1, description="The run's job id.")]


@router.post("/estimate")
def estimate_run(settings: SettingsDep, body: TrainingConfig) -> Estimate:
    """Estimated peak memory (weights, adapter, optimizer, activations), tokens per step and
    time of a config on this machine, and what to change when it does not fit. A POST with the
    config as its body, because a GET with a body is not something browsers or proxies
    handle well; it changes nothing."""
    return estimate(settings, body)


@router.post("/runs", status_code=status.HTTP_202_ACCEPTED)
def start_run(settings: SettingsDep, body: TrainingConfig) -> JobOut:
    """Check the config against the registry, the dataset and this machine, refuse it (422
    naming the field, suggestions in the message) when the estimate says it cannot fit, and
    queue it as a `train` job. Follow it with /api/jobs/{id}/events and /metrics."""
    job, _ = queue_checked_run(settings, body)
    return JobOut.model_validate(job)


@router.get("/runs")
def list_runs(
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = DEFAULT_PAGE_LIMIT,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> TrainingRunPage:
    """Training runs, newest first, with their config, status, progress and final metrics."""
    rows, next_cursor = jobs.list_jobs(settings, kinds=(TRAIN_KIND,), limit=limit, cursor=cursor)
    return TrainingRunPage(
        items=[TrainingRunOut.from_job(row) for row in rows], next_cursor=next_cursor
    )


def _training_job(settings: Settings, job_id: int) -> JobRow:
    row = jobs.get_job(settings, job_id)
    if row.kind != TRAIN_KIND:
        raise NotFound(f"job {job_id} is a {row.kind} job, not a training run")
    return row


@router.get("/runs/{job_id}")
def get_run(settings: SettingsDep, job_id: JobId) -> TrainingRunDetail:
    """One run: config, estimate (computed now, on this machine), result with the adapter
    model id, final metrics and the sample generations."""
    row = _training_job(settings, job_id)
    run_estimate: Estimate | None = None
    estimate_error: str | None = None
    try:
        run_estimate = estimate(settings, TrainingConfig.model_validate(row.params))
    except (LatheError, ValueError) as error:
        estimate_error = getattr(error, "message", None) or str(error)
    return TrainingRunDetail.from_job(row, estimate=run_estimate, estimate_error=estimate_error)


@router.get("/runs/{job_id}/checkpoints")
def list_run_checkpoints(settings: SettingsDep, job_id: JobId) -> list[CheckpointOut]:
    """The run's checkpoints on disk, newest step first: step, size, when written, whether
    complete, and the best by eval loss. A stopped run resumes from the newest complete one.
    Not paged: a run keeps at most save_total_limit of them, plus the best."""
    _training_job(settings, job_id)
    return [
        CheckpointOut.model_validate(checkpoint, from_attributes=True)
        for checkpoint in list_checkpoints(settings, job_id)
    ]


@router.get("/presets")
def list_presets() -> list[PresetOut]:
    """The presets (quick CPU demo, balanced, quality) and the fields each one sets."""
    return [PresetOut(name=name, values=load_preset(name)) for name in PRESETS]
