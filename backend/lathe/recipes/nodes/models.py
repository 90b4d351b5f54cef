"""What the model-backed nodes (token_length, generate, judge) share: checking that the model is
registered, sampling parameters, and batched generation that stops when the job is stopped.
(lathe.inference and lathe.training import torch and transformers only when a model loads.)"""

from __future__ import annotations

import pyarrow as pa
from pydantic import Field

from lathe.errors import LatheError
from lathe.inference.batch import SamplingParams, generate_batch
from lathe.jobs.context import JobStopped
from lathe.models.registry import resolve_model
from lathe.recipes.base import Check, Inputs, Params, RunContext, single_input
from lathe.recipes.templating import check_template


def check_model(check: Check, model: str, param: str = "model") -> None:
    """Report a model that is not registered (only when validation can see the database)."""
    if check.settings is None:
        return
    try:
        resolve_model(check.settings, model)
    except LatheError as error:
        check.problem(error.message, param=param, type="not_found")


def check_prompted_input(
    check: Check, model: str, template: str, param: str, inputs: Inputs | None
) -> pa.Schema | None:
    """What a node that prompts a model per row checks: the model is registered and the row
    template compiles against the input. The input's schema once both are known (the compiled
    template kept in check.resolved for the run), else None."""
    check_model(check, model)
    schema = single_input(inputs)
    compiled = check_template(check, template, param, schema)
    if schema is None or compiled is None:
        return None
    check.resolved = compiled
    return schema


class ModelParams(Params):
    model: str = Field(min_length=1, description="A registered model or adapter, by name (or id).")
    top_p: float = Field(
        default=1.0, gt=0, le=1, description="Nucleus sampling threshold (1 = off)."
    )
    top_k: int = Field(default=0, ge=0, description="Sample from the k likeliest tokens (0 = off).")
    max_tokens: int = Field(
        default=256, ge=1, le=4096, description="Most tokens generated per answer."
    )
    seed: int | None = Field(
        default=None, ge=0, le=2**32 - 1, description="Seed for reproducible sampling."
    )
    batch_size: int = Field(
        default=8, ge=1, le=256, description="Prompts generated together in one batch."
    )


def generate(
    ctx: RunContext,
    params: ModelParams,
    temperature: float,
    prompts: list[list[dict[str, str]]],
    n: int = 1,
) -> list[list[str]]:
    """n completions per prompt; JobStopped between generation batches once a stop is asked."""
    sampling = SamplingParams(
        temperature=temperature,
        top_p=params.top_p,
        top_k=params.top_k,
        max_tokens=params.max_tokens,
        seed=params.seed,
    )

    def stop_between_batches(done: int) -> None:
        if ctx.should_stop():
            raise JobStopped(f"stopped after {done} prompts of node {ctx.node_id}")

    try:
        return generate_batch(
            ctx.settings,
            params.model,
            prompts,
            sampling,
            n,
            params.batch_size,
            progress=stop_between_batches,
        )
    except LatheError as error:
        raise ctx.fail(error.message) from error
