"""Running one claimed job: validate its params, call the handler, and write the terminal
transition (guarded by the worker's lease) with the result or the error. The same code runs in
a job's child process and, for inline kinds, in a thread of the worker."""

from __future__ import annotations

import json
import logging
import os
import traceback
from dataclasses import dataclass
from typing import Any

from lathe.errors import LatheError
from lathe.jobs import kinds, queue
from lathe.jobs.context import JobContext, JobStopped, StopSignal
from lathe.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSpec:
    """What a worker hands to the process or thread that runs a job (picklable)."""

    job_id: int
    kind: str
    module: str
    params: dict[str, Any]
    attempt: int
    worker_id: str
    gpu_ids: tuple[int, ...]


class HandlerFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def execute(settings: Settings, spec: JobSpec, shutdown: StopSignal) -> None:
    ctx = JobContext(
        settings,
        job_id=spec.job_id,
        worker_id=spec.worker_id,
        attempt=spec.attempt,
        shutdown=shutdown,
        gpu_ids=list(spec.gpu_ids),
    )
    try:
        _run(ctx, spec)
    finally:
        ctx.close()


def _run(ctx: JobContext, spec: JobSpec) -> None:
    try:
        result = _call_handler(ctx, spec)
    except HandlerFailed as failure:
        _finish(ctx, "failed", error_code=failure.code, error_message=failure.message)
        return
    if ctx.stop_reason == "cancel":
        _finish(ctx, "cancelled", result=result)
    elif ctx.stop_reason is not None:
        # Shutdown: the worker requeues it. Lost lease: another worker owns it now.
        ctx.write_log_file(f"stopped early ({ctx.stop_reason}); the job was not finished here")
    else:
        _finish(ctx, "succeeded", result=result)


def _call_handler(ctx: JobContext, spec: JobSpec) -> dict[str, Any] | None:
    """The handler's result; HandlerFailed (with the traceback logged) when it raised."""
    gpus = ",".join(map(str, spec.gpu_ids)) or "none"
    ctx.write_log_file(
        f"job {spec.job_id} ({spec.kind}) attempt {spec.attempt} on worker {spec.worker_id}, "
        f"process {os.getpid()}, GPUs {gpus}"
    )
    try:
        kinds.load([spec.module])
        kind = kinds.get(spec.kind)
        params = kind.params.model_validate(spec.params)
        result = kind.handler(ctx, params)
        return _checked_result(result)
    except JobStopped:
        return None
    except Exception as exc:
        ctx.log(traceback.format_exc().rstrip())
        if isinstance(exc, LatheError):
            raise HandlerFailed(exc.code, exc.message) from exc
        raise HandlerFailed("job_error", f"{type(exc).__name__}: {exc}") from exc


def _checked_result(result: object) -> dict[str, Any] | None:
    if result is None:
        return None
    if not isinstance(result, dict):
        raise TypeError(f"the handler returned {type(result).__name__}, not a dict or None")
    json.dumps(result)  # a result must be stored as JSON: refuse it here, not at commit
    return result


def _finish(
    ctx: JobContext,
    status: str,
    *,
    result: dict[str, Any] | None = None,
    error_code: str | None = None,
    error_message: str | None = None,
) -> None:
    try:
        queue.finish(
            ctx.settings,
            ctx.job_id,
            ctx.worker_id,
            status,
            result=result,
            error_code=error_code,
            error_message=error_message,
        )
    except queue.LeaseLost:
        ctx.write_log_file(f"lease lost before the job could be marked {status}; discarded")
        logger.warning("job %s: lease lost before it could be marked %s", ctx.job_id, status)
        return
    ctx.write_log_file(f"job {status}" + (f": {error_message}" if error_message else ""))
