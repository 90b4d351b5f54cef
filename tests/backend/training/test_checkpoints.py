"""Resume picks the newest checkpoint that was written to the end; a run keeps its last
save_total_limit checkpoints plus the best by eval loss, wherever that one is."""

from __future__ import annotations

from pathlib import Path

import pytest

from lathe.db.tables import ModelRow
from lathe.jobs import service as jobs
from lathe.jobs.worker import Worker
from lathe.settings import Settings
from lathe.training import service
from lathe.training.checkpoint_rotation import latest_checkpoint, prune_checkpoints
from lathe.training.checkpoints import checkpoint_folder
from lathe.training.config import TrainingConfig
from tests.backend.training.conftest import AddDataset, name_rows
from tests.backend.training.test_worker import wait_done


def write_checkpoints(folder: Path, states: dict[int, str]) -> None:
    for step, state in states.items():
        checkpoint = folder / f"checkpoint-{step}"
        checkpoint.mkdir(parents=True)
        (checkpoint / "trainer_state.json").write_text(state)


def complete(step: int) -> str:
    return f'{{"global_step": {step}}}'


def test_the_newest_complete_checkpoint_is_resumed(tmp_path: Path) -> None:
    assert latest_checkpoint(tmp_path / "missing") is None
    write_checkpoints(tmp_path, {4: complete(4), 12: complete(12), 16: '{"glo'})
    (tmp_path / "checkpoint-20").mkdir()  # killed before its state was written
    (tmp_path / "checkpoint-x").mkdir()
    assert latest_checkpoint(tmp_path) == tmp_path / "checkpoint-12"


def names(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()}


def test_pruning_keeps_the_last_complete_ones_and_the_best(tmp_path: Path) -> None:
    # A killed attempt left checkpoint-10 half written: it neither counts among the last K
    # nor stays (the resumed run saves step 10 again when it gets there).
    write_checkpoints(tmp_path, {step: complete(step) for step in (2, 4, 6, 8)})
    (tmp_path / "checkpoint-10").mkdir()
    (tmp_path / "notes").mkdir()  # not a checkpoint: never touched
    removed = prune_checkpoints(tmp_path, 2, str(tmp_path / "checkpoint-4"))
    assert sorted(path.name for path in removed) == ["checkpoint-10", "checkpoint-2"]
    assert names(tmp_path) == {"checkpoint-4", "checkpoint-6", "checkpoint-8", "notes"}
    # The best among the last K costs no extra folder; no best (no eval) keeps the last K.
    prune_checkpoints(tmp_path, 2, str(tmp_path / "checkpoint-8"))
    assert names(tmp_path) == {"checkpoint-6", "checkpoint-8", "notes"}
    prune_checkpoints(tmp_path, 1, None)
    assert names(tmp_path) == {"checkpoint-8", "notes"}


@pytest.mark.integration
def test_a_run_keeps_the_last_k_checkpoints_plus_the_best_by_eval_loss(
    settings: Settings, tiny_model: ModelRow, add_dataset: AddDataset, worker: Worker
) -> None:
    # Evaluated on answers unlike the training ones at a high learning rate: the eval loss
    # falls for a few steps, then rises as the adapter learns the training answers, so the
    # best checkpoint is an early one, not among the last K.
    add_dataset("names", name_rows(16))
    other = [
        {
            "messages": [
                {"role": "user", "content": "What is your name?"},
                {"role": "assistant", "content": f"Zed {i} quux, from the far away hills {i}."},
            ]
        }
        for i in range(4)
    ]
    add_dataset("other", other)
    keep_last = 2
    config = TrainingConfig.model_validate(
        {
            "model": "tiny",
            "dataset": "names",
            "eval_dataset": "other",
            "lora": {
                "r": 8,
                "alpha": 16,
                "dropout": 0.0,
                "target_modules": ["q_proj", "v_proj", "down_proj", "lm_head"],
            },
            "max_length": 64,
            "max_steps": 12,
            "learning_rate": 3e-2,
            "lr_scheduler": "constant",
            "warmup_ratio": 0.0,
            "precision": "fp32",
            "eval_steps": 2,
            "save_steps": 2,
            "save_total_limit": keep_last,
            "sample_prompts": [],
        }
    )
    job = wait_done(settings, service.queue_run(settings, config).id)
    assert job.status == "succeeded", job.error_message
    assert job.result is not None

    eval_loss = {m.step: m.value for m in jobs.job_metrics(settings, job.id, names=["eval_loss"])}
    assert sorted(eval_loss) == [2, 4, 6, 8, 10, 12]
    best_step = min(eval_loss, key=eval_loss.__getitem__)
    last_steps = list(range(2, 13, 2))[-keep_last:]  # the saves at the end of the run
    assert best_step not in last_steps, eval_loss  # the case under test

    expected = {f"checkpoint-{step}" for step in [*last_steps, best_step]}
    assert names(checkpoint_folder(settings, job.id)) == expected
    best = job.result["best_checkpoint"]
    assert best is not None and Path(best).name == f"checkpoint-{best_step}"
