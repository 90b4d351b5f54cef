"""Built-in job kinds that need nothing but the queue: `noop` (checks that workers run jobs,
measures queue overhead) and `sleep` (a job that takes a while, reports progress per step and
stops when asked: for trying cancels, shutdowns and the UI)."""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lathe.jobs.context import JobContext
from lathe.jobs.kinds import job_kind


class NoopParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    echo: dict[str, Any] | None = Field(default=None, description="Returned as the result.")


# Inline: it does nothing, so spawning an interpreter for it would be all of its cost.
@job_kind("noop", params=NoopParams, inline=True)
def noop(_ctx: JobContext, params: NoopParams) -> dict[str, Any]:
    return {"echo": params.echo}


class SleepParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seconds: float = Field(default=1.0, ge=0, le=86_400, description="Total time to sleep.")
    steps: int = Field(default=10, ge=1, le=100_000, description="Progress reports on the way.")


@job_kind("sleep", params=SleepParams)
def sleep(ctx: JobContext, params: SleepParams) -> dict[str, Any]:
    step_s = params.seconds / params.steps
    start = time.monotonic()
    done = 0
    while done < params.steps and not ctx.should_stop():
        time.sleep(step_s)
        done += 1
        ctx.progress(done, params.steps)
    return {"steps": done, "slept_s": round(time.monotonic() - start, 3)}
