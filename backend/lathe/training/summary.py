"""The end of a run, in the process that holds the trained model: save the adapter and sum the
run up. The summary is plain data (picklable), so a DDP rank can hand it back to the job's
process the same way the job's own in-process run does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lathe.training.trainer import RunHooks, TrainOutcome

__all__ = ["TrainSummary", "conclude"]


@dataclass(frozen=True)
class TrainSummary:
    """What the train job records of a run; the adapter itself is in the folder `conclude`
    saved it to (nothing is saved when the run stopped early)."""

    stopped: bool
    global_step: int
    max_steps: int
    metrics: dict[str, float]
    data: dict[str, Any]
    trainable_parameters: int
    best_checkpoint: str | None
    resumed_from: str | None
    precision: str
    kernels: bool


def conclude(outcome: TrainOutcome, adapter_dir: Path, hooks: RunHooks) -> TrainSummary:
    """Save the trained adapter (PEFT files + tokenizer) to `adapter_dir`, unless the run was
    stopped (its checkpoint is what survives), and summarise the run."""
    if not outcome.stopped:
        hooks.progress(outcome.global_step, outcome.max_steps, "saving the adapter")
        # The base weights never change: no copy of embedding layers, even when adapted.
        outcome.model.save_pretrained(str(adapter_dir), save_embedding_layers=False)
        outcome.tokenizer.save_pretrained(str(adapter_dir))
    trainable, _total = outcome.model.get_nb_trainable_parameters()
    return TrainSummary(
        stopped=outcome.stopped,
        global_step=outcome.global_step,
        max_steps=outcome.max_steps,
        metrics=dict(outcome.metrics),
        data=outcome.data.summary(),
        trainable_parameters=trainable,
        best_checkpoint=outcome.best_checkpoint,
        resumed_from=outcome.resumed_from,
        precision=outcome.precision,
        kernels=outcome.kernels,
    )
