"""The checkpoints a run has on disk, LATHE_HOME/runs/<job id>/checkpoints/checkpoint-<step>, as
the run page lists them: step, size, when written, whether complete and which one is the best
by eval loss. Trainer writes trainer_state.json last, so a checkpoint without a readable one
was cut off (a process killed while saving) and a resumed run skips it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lathe.models.storage import tree_size
from lathe.settings import Settings
from lathe.training.checkpoint_rotation import TRAINER_STATE, checkpoints_by_step, trainer_state

__all__ = ["CheckpointInfo", "checkpoint_folder", "list_checkpoints"]


@dataclass(frozen=True)
class CheckpointInfo:
    name: str
    step: int
    size_bytes: int
    created_at: datetime
    complete: bool
    best: bool


def checkpoint_folder(settings: Settings, job_id: int) -> Path:
    """Where a train job keeps its checkpoints (JobContext.checkpoint_dir)."""
    return settings.runs_dir / str(job_id) / "checkpoints"


def _written_at(checkpoint: Path, complete: bool) -> datetime:
    # A complete checkpoint was done when its trainer state was written.
    path = checkpoint / TRAINER_STATE if complete else checkpoint
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def list_checkpoints(settings: Settings, job_id: int) -> list[CheckpointInfo]:
    """The run's checkpoints, newest step first; empty when it saved none (yet). At most
    save_total_limit of them are kept (plus the best), so the list stays short."""
    found = [
        (step, path, trainer_state(path))
        for step, path in reversed(checkpoints_by_step(checkpoint_folder(settings, job_id)))
    ]
    # The newest complete checkpoint's state knows the best one so far.
    best_path = next((state.get("best_model_checkpoint") for _, _, state in found if state), None)
    best_name = Path(best_path).name if isinstance(best_path, str) else None
    listed = (_describe(step, path, state, best_name) for step, path, state in found)
    return [checkpoint for checkpoint in listed if checkpoint is not None]


def _describe(
    step: int, path: Path, state: dict[str, Any] | None, best_name: str | None
) -> CheckpointInfo | None:
    """One checkpoint; None when it was deleted while being read (Trainer drops the oldest
    ones beyond save_total_limit as it saves new ones)."""
    try:
        return CheckpointInfo(
            name=path.name,
            step=step,
            size_bytes=tree_size(path),
            created_at=_written_at(path, state is not None),
            complete=state is not None,
            best=path.name == best_name,
        )
    except FileNotFoundError:
        return None
