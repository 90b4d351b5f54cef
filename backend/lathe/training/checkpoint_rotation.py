"""A run's checkpoint folders (output_dir/checkpoint-<step>) while it trains: the newest complete
one, where a resume starts, and which ones are kept after each save: the last `save_total_limit`
complete checkpoints plus the best by eval loss, wherever it is.

Transformers' own rotation (TrainingArguments.save_total_limit) counts the best inside the
limit: with a limit of 2 it keeps only the newest and the best, so the checkpoint before the
newest is gone exactly when a run would want to step back. Lathe therefore turns that rotation
off and prunes here, after every save."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from transformers import TrainerCallback

__all__ = [
    "CHECKPOINT_PREFIX",
    "checkpoints_by_step",
    "checkpoints_to_keep",
    "is_complete",
    "latest_checkpoint",
    "make_retention_callback",
    "prune_checkpoints",
    "trainer_state",
]

CHECKPOINT_PREFIX = "checkpoint-"
TRAINER_STATE = "trainer_state.json"


def trainer_state(checkpoint: Path) -> dict[str, Any] | None:
    """A checkpoint's trainer_state.json, or None when it was not written to the end: a process
    killed while saving leaves none (or a cut one), since Trainer writes it after the weights,
    optimizer, scheduler and RNG state."""
    try:
        state = json.loads((checkpoint / TRAINER_STATE).read_text())
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and "global_step" in state else None


def is_complete(checkpoint: Path) -> bool:
    return trainer_state(checkpoint) is not None


def checkpoints_by_step(folder: Path) -> list[tuple[int, Path]]:
    """The checkpoint folders in `folder`, oldest step first."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        suffix = path.name.removeprefix(CHECKPOINT_PREFIX)
        if path.name.startswith(CHECKPOINT_PREFIX) and suffix.isdecimal() and path.is_dir():
            found.append((int(suffix), path))
    return sorted(found)


def latest_checkpoint(folder: Path) -> Path | None:
    """The newest complete Trainer checkpoint in `folder`."""
    for _step, path in reversed(checkpoints_by_step(folder)):
        if is_complete(path):
            return path
    return None


def checkpoints_to_keep(folder: Path, keep_last: int, best: str | None) -> set[Path]:
    """The last `keep_last` complete checkpoints, plus `best` (a checkpoint path as Trainer
    records it in state.best_model_checkpoint) when it is one of this folder's."""
    complete = [path for _step, path in checkpoints_by_step(folder) if is_complete(path)]
    keep = set(complete[-keep_last:])
    if best is not None:
        keep.update(path for path in complete if path.name == Path(best).name)
    return keep


def prune_checkpoints(folder: Path, keep_last: int, best: str | None) -> list[Path]:
    """Delete every checkpoint folder that checkpoints_to_keep does not name, including the
    half-written leftovers of a killed attempt (a resume never starts from those, and the step
    is saved again when the run gets there). Returns what was deleted."""
    keep = checkpoints_to_keep(folder, keep_last, best)
    removed = [path for _step, path in checkpoints_by_step(folder) if path not in keep]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


def make_retention_callback(keep_last: int) -> TrainerCallback:
    """Prunes the checkpoints after every save; use with TrainingArguments.save_total_limit
    None, so that Trainer deletes nothing itself."""
    from transformers import TrainerCallback, TrainerControl, TrainerState, TrainingArguments

    class CheckpointRetention(TrainerCallback):
        def on_save(
            self,
            args: TrainingArguments,
            state: TrainerState,
            control: TrainerControl,
            **kwargs: Any,
        ) -> None:
            # Under DDP every rank gets on_save; only the one that writes checkpoints prunes.
            if args.should_save and args.output_dir:
                prune_checkpoints(Path(args.output_dir), keep_last, state.best_model_checkpoint)

    return CheckpointRetention()
