"""A 20-step run through Lathe's job path (queued, run by a worker in its own process) gives the
same per-step losses as the same run through the bare Trainer + peft script (bench/bare_trainer)
on the same tokenised examples: Lathe's arguments, collator, seeding and callbacks change
nothing about what is trained."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.bare_trainer import BareRun, train_bare

from lathe.db.tables import ModelRow
from lathe.jobs import service as jobs
from lathe.jobs.worker import Worker
from lathe.models.storage import model_dir
from lathe.settings import Settings
from lathe.training import service
from lathe.training.config import TrainingConfig
from lathe.training.data import prepare_data
from lathe.training.tokens import load_tokenizer
from tests.backend.training.conftest import AddDataset, name_rows
from tests.backend.training.test_worker import wait_done

pytestmark = pytest.mark.integration

STEPS = 20

# Both sides are defined identically: transformers' own loss with num_items_in_batch divides the
# summed token loss of each accumulated micro-batch by the target tokens of the whole optimizer
# step, in Lathe and in the bare script alike (both are Trainer), so accumulation is on.
PARITY_CONFIG = {
    "model": "tiny",
    "dataset": "names",
    "lora": {
        "r": 8,
        "alpha": 16,
        "dropout": 0.1,  # on: both sides must draw the same dropout masks from the seed
        "target_modules": ["q_proj", "v_proj", "down_proj", "lm_head"],
    },
    "max_length": 64,
    "packing": False,
    "max_steps": STEPS,
    "batch_size": 2,
    "gradient_accumulation_steps": 2,
    "learning_rate": 1e-2,
    "lr_scheduler": "cosine",
    "warmup_ratio": 0.1,
    "weight_decay": 0.01,
    "precision": "fp32",
    "save_steps": 10,
    "save_total_limit": 2,
    "logging_steps": 1,
    "seed": 7,
    "sample_prompts": [],
}


def test_a_lathe_run_and_a_bare_trainer_script_give_the_same_losses(
    settings: Settings,
    tiny_model: ModelRow,
    add_dataset: AddDataset,
    worker: Worker,
    tmp_path: Path,
) -> None:
    # 16 rows of different lengths in micro-batches of 2: 4 optimizer steps an epoch, so the
    # 20 steps reshuffle 5 times and pad rows of unequal length.
    add_dataset("names", name_rows(16))
    config = TrainingConfig.model_validate(PARITY_CONFIG)

    job = wait_done(settings, service.queue_run(settings, config).id)
    assert job.status == "succeeded", job.error_message
    lathe = {m.step: m.value for m in jobs.job_metrics(settings, job.id, names=["train_loss"])}

    examples = prepare_data(settings, config, load_tokenizer(settings, "tiny")).train.examples
    bare = train_bare(
        BareRun.from_config(config, model_dir(settings, tiny_model), tmp_path / "bare"), examples
    )

    assert sorted(lathe) == sorted(bare.losses) == list(range(1, STEPS + 1))
    assert lathe[STEPS] < lathe[1] * 0.8  # the run learns: equal losses are not two flat lines
    # Both sides run the same fp32 CPU kernels on the same tensors, so the losses come out
    # bit for bit equal here. The allowance is for the order of summation in multi-threaded
    # reductions, which may differ between the worker's child process and the test process on
    # another machine: ~1e-7 relative per op, still far below 1e-5 after 20 steps. A real
    # difference moves the losses by percents: one warmup step more 4%, dropout off 3%,
    # another seed 9% (each tried by hand).
    for step in range(1, STEPS + 1):
        assert lathe[step] == pytest.approx(bare.losses[step], rel=1e-5), step
    assert job.result is not None
    assert bare.tokens == job.result["metrics"]["train_tokens"]
    assert bare.tokens == sum(len(example["input_ids"]) for example in examples) * 5
