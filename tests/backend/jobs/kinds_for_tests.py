"""Job kinds used only by the tests. Workers load this module through
LATHE_JOB_KIND_MODULES, and job child processes import it by the module path the registry
stored, so it must stay importable as tests.backend.jobs.kinds_for_tests."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lathe.jobs.context import JobContext
from lathe.jobs.kinds import job_kind
from lathe.schemas.jobs import Resources


class StepsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    steps: int = Field(default=20, ge=1)
    step_s: float = Field(default=0.05, ge=0)
    ignore_stop: bool = False
    ignore_sigterm: bool = False


@job_kind("t_steps", params=StepsParams)
def steps(ctx: JobContext, params: StepsParams) -> dict[str, Any]:
    """Logs its pid, then counts steps, saving the count in its checkpoint folder so a
    requeued attempt resumes where the last one stopped."""
    if params.ignore_sigterm:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    ctx.log(f"pid {os.getpid()}")
    checkpoint = ctx.checkpoint_dir / "step"
    start = int(checkpoint.read_text()) if checkpoint.exists() else 0
    done = start
    while done < params.steps:
        if not params.ignore_stop and ctx.should_stop():
            break
        time.sleep(params.step_s)
        done += 1
        checkpoint.write_text(str(done))
        ctx.metric(done, "loss", 1.0 / done)
    return {"resumed_from": start, "done": done}


class FailParams(BaseModel):
    message: str = "boom from a test handler"


@job_kind("t_fail", params=FailParams)
def fail(_ctx: JobContext, params: FailParams) -> None:
    print("about to fail")  # stdout goes to the job's log file
    raise RuntimeError(params.message)


@job_kind("t_fail_inline", params=FailParams, inline=True)
def fail_inline(_ctx: JobContext, params: FailParams) -> None:
    raise RuntimeError(params.message)


class TrainParams(BaseModel):
    gpus: int = Field(default=1, ge=0)
    seconds: float = 0.6
    record: str


def _train_resources(params: TrainParams) -> Resources:
    return Resources(gpus=params.gpus, slot="train", memory="large")


@job_kind("t_train", params=TrainParams, resources=_train_resources)
def train(ctx: JobContext, params: TrainParams) -> None:
    """Records which devices it saw and when it ran, for the GPU-sharing test."""
    start = time.time()
    time.sleep(params.seconds)
    line = {
        "job": ctx.job_id,
        "cuda": os.environ.get("CUDA_VISIBLE_DEVICES"),
        "start": start,
        "end": time.time(),
    }
    with Path(params.record).open("a", encoding="utf-8") as file:
        file.write(json.dumps(line) + "\n")


class StopParams(BaseModel):
    calls: int = 3


@job_kind("t_stop_probe", params=StopParams, inline=True)
def stop_probe(ctx: JobContext, params: StopParams) -> dict[str, Any]:
    """Inline: reports what should_stop() said, for runner tests in the test process."""
    seen = [ctx.should_stop() for _ in range(params.calls)]
    return {"seen": seen, "reason": ctx.stop_reason}


@job_kind("t_bad_result", params=StopParams, inline=True)
def bad_result(_ctx: JobContext, _params: StopParams) -> dict[str, Any]:
    return {"not json": object()}


class HangParams(BaseModel):
    seconds: float = 10.0


@job_kind("t_inline_hang", params=HangParams, inline=True)
def inline_hang(_ctx: JobContext, params: HangParams) -> None:
    """An inline kind that breaks the rule (it is slow and ignores stop requests)."""
    time.sleep(params.seconds)
