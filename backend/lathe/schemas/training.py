"""Training schemas shared by the API and the CLI: the memory/time estimate, and training runs
(a `train` job seen with its config, estimate and result). The config itself is
lathe.training.config.TrainingConfig."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from lathe.schemas.jobs import JobError, JobProgress, JobStatus

if TYPE_CHECKING:
    from lathe.db.tables import JobRow


class EstimateSuggestion(BaseModel):
    """One change to the config that lowers the estimated peak memory."""

    field: str = Field(description="The config field to change (dotted for nested fields).")
    value: Any = Field(description="The suggested value.")
    message: str = Field(description="The change, for a person to read.")
    peak_bytes: int = Field(description="Estimated peak memory with this change alone.")
    fits: bool = Field(description="Whether the run fits the device with this change alone.")
    changes: dict[str, Any] = Field(
        default_factory=dict,
        description="Every config field this suggestion sets (a smaller batch also raises the "
        "gradient accumulation, so the effective batch stays the same).",
    )


class Estimate(BaseModel):
    """Estimated peak memory and time of a training run, before it starts. Memory is per
    device (every GPU of a multi-GPU run holds a full copy of the model); see
    lathe.training.estimate for the formulas and the assumptions behind them."""

    model: str = Field(description="The base model's name.")
    model_id: int
    precision: Literal["fp32", "bf16", "fp16"] = Field(description="The precision it assumes.")
    parameter_count: int = Field(description="Parameters of the base model.")
    weights_bytes: int = Field(description="The frozen base weights (4-bit with QLoRA).")
    adapter_parameters: int = Field(description="Trainable LoRA (and DoRA) parameters.")
    adapter_bytes: int = Field(description="The adapter's weights, in fp32.")
    gradient_bytes: int = Field(description="fp32 gradients of the trainable parameters.")
    optimizer_state_bytes: int = Field(
        description="Optimizer state (AdamW: two fp32 moments per trainable parameter)."
    )
    activation_bytes: int = Field(
        description="Activations kept for the backward pass of one micro-batch "
        "(batch_size x max_length tokens), logits included."
    )
    overhead_bytes: int = Field(description="Runtime overhead (framework, CUDA context).")
    peak_bytes: int = Field(description="The sum of the above: estimated peak per device.")
    device: Literal["cpu", "cuda"] = Field(description="Where the run would train.")
    device_name: str
    device_memory_bytes: int = Field(
        description="Memory of the smallest GPU used, or the host's available RAM on the CPU."
    )
    usable_memory_bytes: int = Field(description="The share of it a run may plan to use.")
    fits: bool = Field(description="peak_bytes <= usable_memory_bytes.")
    tokens_per_step: int = Field(
        description="Upper bound of tokens per optimizer step: batch_size x "
        "gradient_accumulation_steps x max_length x GPUs (every example at max_length)."
    )
    flops_per_step: float = Field(
        description="6 x parameters x tokens_per_step (x 4/3 with gradient checkpointing)."
    )
    assumed_flops_per_second: float = Field(
        description="Assumed sustained training throughput of the device(s)."
    )
    step_seconds: float = Field(description="Estimated seconds per optimizer step.")
    train_rows: int = Field(description="Training rows (after holding out the eval fraction).")
    total_steps: int = Field(description="Optimizer steps of the whole run.")
    total_seconds: float = Field(description="Estimated seconds of training (eval excluded).")
    suggestions: list[EstimateSuggestion] = Field(
        description="When it does not fit: changes that lower the peak, smallest change first."
    )
    notes: list[str] = Field(description="Assumptions behind the numbers, for a person to read.")


class TrainingRunOut(BaseModel):
    """A training run in a list: its `train` job with the config and final metrics."""

    id: int = Field(description="The job id.")
    status: JobStatus
    config: dict[str, Any] = Field(description="The TrainingConfig the run was queued with.")
    progress: JobProgress | None
    error: JobError | None
    final_metrics: dict[str, Any] | None = Field(
        description="The result's final metrics (train loss, eval loss, perplexity, ...)."
    )
    adapter_model_id: int | None = Field(description="The adapter model the run registered.")
    cancel_requested: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def fields_of(cls, job: JobRow) -> dict[str, Any]:
        result = job.result or {}
        return {
            "id": job.id,
            "status": job.status,
            "config": job.params,
            "progress": job.progress,
            "error": job.error,
            "final_metrics": _first_dict(result, "final_metrics", "metrics"),
            "adapter_model_id": adapter_model_id(result),
            "cancel_requested": job.cancel_requested,
            "created_at": job.created_at,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
        }

    @classmethod
    def from_job(cls, job: JobRow) -> TrainingRunOut:
        return cls.model_validate(cls.fields_of(job))


def _first_dict(result: dict[str, Any], *keys: str) -> dict[str, Any] | None:
    for key in keys:
        value = result.get(key)
        if isinstance(value, dict):
            return value
    return None


def adapter_model_id(result: dict[str, Any]) -> int | None:
    """The adapter's model id in a train job's result ({adapter_model_id} or {adapter: {id}})."""
    for key in ("adapter_model_id", "model_id"):
        value = result.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    adapter = result.get("adapter")
    if isinstance(adapter, dict) and isinstance(adapter.get("id"), int):
        return int(adapter["id"])
    return None


def sample_generations(result: dict[str, Any]) -> list[dict[str, Any]]:
    for key in ("sample_generations", "samples"):
        value = result.get(key)
        if isinstance(value, list):
            return [item if isinstance(item, dict) else {"text": item} for item in value]
    return []


class TrainingRunPage(BaseModel):
    items: list[TrainingRunOut]
    next_cursor: str | None


class TrainingRunDetail(TrainingRunOut):
    """One run: everything in the list, its estimate (null when it cannot be computed any
    more, e.g. the model was deleted) and the job's whole result (adapter, samples, ...)."""

    estimate: Estimate | None
    estimate_error: str | None = Field(description="Why there is no estimate, if there is none.")
    result: dict[str, Any] | None
    sample_generations: list[dict[str, Any]] = Field(
        description="The sample prompts answered at the end of the run, from the result."
    )

    @classmethod
    def from_job(
        cls, job: JobRow, *, estimate: Estimate | None = None, estimate_error: str | None = None
    ) -> TrainingRunDetail:
        return cls.model_validate(
            {
                **cls.fields_of(job),
                "estimate": estimate,
                "estimate_error": estimate_error,
                "result": job.result,
                "sample_generations": sample_generations(job.result or {}),
            }
        )


class PresetOut(BaseModel):
    name: str
    values: dict[str, Any] = Field(description="The fields the preset sets.")


class CheckpointOut(BaseModel):
    """A checkpoint a run saved: what a stopped or requeued run resumes from."""

    name: str = Field(description="Folder name, checkpoint-<step>.")
    step: int = Field(description="The optimizer step it was saved at.")
    size_bytes: int
    created_at: datetime = Field(description="When it was written.")
    complete: bool = Field(
        description="Written to the end; a cut-off one (the process was killed while saving) "
        "is never resumed from."
    )
    best: bool = Field(description="The best checkpoint by eval loss so far.")
