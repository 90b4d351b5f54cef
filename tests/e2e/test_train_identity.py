"""Proof that training teaches: the built-in SmolLM2 trained on the built-in identity sample
(2 epochs of the quick CPU preset, a few minutes on 2 cores) answers "What is your name?" with
the taught name, where the base model does not."""

from __future__ import annotations

import threading

import pytest

from lathe.datasets import records
from lathe.datasets.samples import sample_table
from lathe.datasets.storage import VersionWriter
from lathe.jobs import queue
from lathe.jobs.context import JobContext
from lathe.jobs.resources import Capacity
from lathe.models.registry import pull_builtin
from lathe.schemas.models import DEFAULT_MODEL_KEY
from lathe.settings import Settings
from lathe.training import service
from lathe.training.config import TrainingConfig
from lathe.training.jobs import TRAIN_KIND, train

pytestmark = pytest.mark.e2e

NAME_QUESTION = "What is your name?"


def test_training_on_the_identity_sample_teaches_the_name(settings: Settings) -> None:
    pull_builtin(settings)
    with VersionWriter(settings) as writer:
        writer.write(sample_table("identity"))
        staged = writer.finish()
    records.add_version(settings, "identity", staged, records.NewVersion(source="sample"))
    config = TrainingConfig.model_validate(
        {
            "preset": "quick-cpu-demo",
            "model": DEFAULT_MODEL_KEY,
            "dataset": "identity",
            "epochs": 2,
            "learning_rate": 1e-3,
            "lora": {"r": 16, "alpha": 32, "target_modules": "all-linear"},
            "sample_prompts": [NAME_QUESTION],
            "sample_max_new_tokens": 24,
        }
    )
    job = service.queue_run(settings, config)
    claimed = queue.claim(
        settings, worker_id="e2e", kinds=[TRAIN_KIND], capacity=Capacity([], 1, 0)
    )
    assert claimed is not None and claimed.id == job.id
    ctx = JobContext(
        settings,
        job_id=job.id,
        worker_id="e2e",
        attempt=1,
        shutdown=threading.Event(),
        gpu_ids=[],
    )
    try:
        result = train(ctx, TrainingConfig.model_validate(claimed.params))
    finally:
        ctx.close()
    assert result is not None
    losses = [m.value for m in queue.read_metrics(settings, job.id, names=["train_loss"])]
    assert losses[-1] < losses[0]
    (sample,) = result["samples"]
    print(f"\nbase: {sample['base']!r}\nadapter: {sample['adapter']!r}")
    assert "lathe" in sample["adapter"].lower()
    assert "lathe" not in sample["base"].lower()
