"""`train`: a LoRA SFT run. The params are a TrainingConfig. Checkpoints go to
LATHE_HOME/runs/<job id>/checkpoints; a stopped run (cancel, worker shutdown) saves one first,
and a requeued attempt resumes from the newest. At the end the adapter is saved (PEFT files +
tokenizer), registered as an adapter model of its base, and the sample prompts are answered by
the base model and by the adapter.

Result: {adapter: {id, name}, model: {id, name}, dataset: {...}, eval_dataset: {...} | None,
config, metrics: {train_loss, eval_loss?, eval_perplexity?, global_step, train_tokens, ...},
data: {train_rows, eval_rows, dropped_rows, truncated_rows, train_tokens,
train_target_tokens}, trainable_parameters, best_checkpoint, resumed_from, precision, kernels,
samples: [{prompt, base, adapter}]}. The same record (with job_id) is stored as
lathe_training.json in the adapter folder.

Metrics written per step: train_loss, learning_rate, grad_norm, epoch, tokens_per_s; at the
eval cadence and at the end: eval_loss, eval_perplexity."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from lathe.jobs.context import JobContext
from lathe.jobs.kinds import job_kind
from lathe.models.storage import model_dir, staging
from lathe.schemas.jobs import Resources
from lathe.training.config import TrainingConfig
from lathe.training.distributed import train_distributed
from lathe.training.service import (
    TRAIN_KIND,
    ValidatedRun,
    adapter_name,
    read_training_file,
    register_adapter,
    registered_adapter,
    validate_config,
    write_training_file,
)
from lathe.training.summary import TrainSummary, conclude
from lathe.training.trainer import train_adapter

__all__ = ["TRAIN_KIND", "train"]


def train_resources(config: TrainingConfig) -> Resources:
    return Resources(slot="train", gpus=config.gpus, memory="large")


@job_kind(TRAIN_KIND, params=TrainingConfig, resources=train_resources, max_attempts=3)
def train(ctx: JobContext, config: TrainingConfig) -> dict[str, Any] | None:
    settings = ctx.settings
    done = registered_adapter(settings, ctx.job_id)
    if done is not None:  # an earlier attempt registered it, then died before finishing
        ctx.log(f"adapter {done.name} was already registered by this run")
        return {**read_training_file(settings, done), "adapter": {"id": done.id, "name": done.name}}
    # The adapter name was checked when the run was queued; a derived one is made unique.
    run = validate_config(settings, config, check_name_free=False)
    if ctx.attempt > 1:
        ctx.log(f"attempt {ctx.attempt}")
    with staging(settings, "adapter") as work:
        built = work / "adapter"
        summary = _train(ctx, run, adapter_dir=built)
        if summary.stopped:
            ctx.log(f"stopped at step {summary.global_step}; checkpoint saved")
            return None
        name = adapter_name(settings, run.config, ctx.job_id)
        result = _result(run, summary, name)
        row = register_adapter(
            settings,
            built,
            name=name,
            base=run.model,
            job_id=ctx.job_id,
            training={**result, "job_id": ctx.job_id},
        )
    ctx.log(f"registered adapter {row.name} (model {row.id})")
    result["adapter"] = {"id": row.id, "name": row.name}
    gc.collect()  # the trained model's memory, before the samples load it again
    result["samples"] = _samples(ctx, run.config, base=run.model.name, adapter=row.name)
    write_training_file(model_dir(settings, row), {**result, "job_id": ctx.job_id})
    ctx.progress(1, 1, "done")
    return result


def _train(ctx: JobContext, run: ValidatedRun, *, adapter_dir: Path) -> TrainSummary:
    """Train in this process, or on config.gpus ranks (DDP) when there is more than one GPU."""
    config = run.config
    base_folder = model_dir(ctx.settings, run.model)
    if config.gpus > 1:
        ctx.log(f"data-parallel on {config.gpus} GPUs")
        return train_distributed(
            ctx.settings,
            config,
            base_folder=base_folder,
            output_dir=ctx.checkpoint_dir,
            adapter_dir=adapter_dir,
            hooks=ctx,
            world_size=config.gpus,
        )
    outcome = train_adapter(
        ctx.settings, config, base_folder=base_folder, output_dir=ctx.checkpoint_dir, hooks=ctx
    )
    return conclude(outcome, adapter_dir, ctx)


def _result(run: ValidatedRun, summary: TrainSummary, name: str) -> dict[str, Any]:
    return {
        "adapter": {"id": None, "name": name},
        "model": {"id": run.model.id, "name": run.model.name},
        "dataset": run.dataset.as_dict(),
        "eval_dataset": run.eval_dataset.as_dict() if run.eval_dataset else None,
        "config": run.config.model_dump(mode="json"),
        "metrics": summary.metrics,
        "data": summary.data,
        "trainable_parameters": summary.trainable_parameters,
        "best_checkpoint": summary.best_checkpoint,
        "resumed_from": summary.resumed_from,
        "precision": summary.precision,
        "kernels": summary.kernels,
    }


def _samples(
    ctx: JobContext, config: TrainingConfig, *, base: str, adapter: str
) -> list[dict[str, str]]:
    """Each sample prompt answered greedily by the base model and by the adapter."""
    if not config.sample_prompts:
        return []
    from lathe.inference.batch import SamplingParams, generate_batch

    ctx.progress(0, 2, "generating samples")
    params = SamplingParams(
        temperature=0.0, max_tokens=config.sample_max_new_tokens, seed=config.seed
    )
    prompts = [[{"role": "user", "content": prompt}] for prompt in config.sample_prompts]
    before = generate_batch(ctx.settings, base, prompts, params)
    after = generate_batch(ctx.settings, adapter, prompts, params)
    return [
        {"prompt": prompt, "base": b[0], "adapter": a[0]}
        for prompt, b, a in zip(config.sample_prompts, before, after, strict=True)
    ]
