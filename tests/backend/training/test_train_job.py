"""The `train` job on a tiny random Llama: metrics from step 1, checkpoints, the adapter
registered and loadable with PEFT, loss going down, and stop → resume matching an
uninterrupted run."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from lathe.db.tables import ModelRow
from lathe.jobs import queue
from lathe.jobs.context import JobContext
from lathe.jobs.resources import Capacity
from lathe.models.registry import resolve_model
from lathe.settings import Settings
from lathe.training import service
from lathe.training.config import TrainingConfig
from lathe.training.jobs import train
from lathe.training.service import TRAINING_FILE
from tests.backend.training.conftest import AddDataset, name_rows

pytestmark = pytest.mark.integration


def run_config(**overrides: Any) -> TrainingConfig:
    values: dict[str, Any] = {
        "model": "tiny",
        "dataset": "names",
        # The tiny model's random head caps its logits: adapting lm_head lets the loss fall.
        "lora": {"r": 8, "alpha": 16, "dropout": 0.0, "target_modules": TARGETS},
        "max_length": 64,
        "max_steps": 10,
        "batch_size": 4,
        "learning_rate": 3e-2,
        "lr_scheduler": "constant",
        "warmup_ratio": 0.0,
        "precision": "fp32",
        "save_steps": 4,
        "save_total_limit": 2,
        "sample_prompts": ["What is your name?"],
        "sample_max_new_tokens": 4,
    }
    values.update(overrides)
    return TrainingConfig.model_validate(values)


TARGETS = ["q_proj", "v_proj", "down_proj", "lm_head"]


class StoppingContext(JobContext):
    """A JobContext whose should_stop() turns True at its `stop_after`-th call (one per step)."""

    stop_after: int | None = None
    calls = 0

    def should_stop(self) -> bool:
        self.calls += 1
        if self.stop_after is not None and self.calls >= self.stop_after:
            self.stop_reason = "shutdown"
            return True
        return super().should_stop()


def start(settings: Settings, config: TrainingConfig, attempt: int = 1) -> StoppingContext:
    """Queue `config` (once) and claim it like a worker; the context of attempt `attempt`."""
    if attempt == 1:
        job = service.queue_run(settings, config)
        claimed = queue.claim(settings, worker_id="w", kinds=["train"], capacity=Capacity([], 1, 0))
        assert claimed is not None and claimed.id == job.id
        assert (claimed.slot, claimed.gpus) == ("train", 0)
        job_id = job.id
    else:
        job_id = queue.list_jobs(settings, kinds=("train",), limit=10)[0].id
    return StoppingContext(
        settings,
        job_id=job_id,
        worker_id="w",
        attempt=attempt,
        shutdown=threading.Event(),
        gpu_ids=[],
    )


def losses(settings: Settings, job_id: int) -> dict[int, float]:
    return {m.step: m.value for m in queue.read_metrics(settings, job_id, names=["train_loss"])}


def test_a_run_writes_metrics_checkpoints_and_registers_a_loadable_adapter(
    settings: Settings, tiny_model: ModelRow, add_dataset: AddDataset
) -> None:
    add_dataset("names", name_rows(16))
    ctx = start(
        settings, run_config(name="tiny-names", eval_fraction=0.25, eval_steps=5, save_steps=5)
    )
    result = train(ctx, ctx_config(settings, ctx))
    ctx.close()
    assert result is not None

    metrics = queue.read_metrics(settings, ctx.job_id)
    by_name: dict[str, dict[int, float]] = {}
    for metric in metrics:
        by_name.setdefault(metric.name, {})[metric.step] = metric.value
    assert sorted(by_name["train_loss"]) == list(range(1, 11))
    for name in ("learning_rate", "grad_norm", "epoch", "tokens_per_s"):
        assert 1 in by_name[name] and 10 in by_name[name], name
    assert {5, 10} <= set(by_name["eval_loss"]) and by_name["eval_perplexity"]
    train_loss = by_name["train_loss"]
    assert train_loss[10] < train_loss[1] * 0.8

    checkpoints = sorted(p.name for p in ctx.checkpoint_dir.iterdir())
    assert checkpoints == ["checkpoint-10", "checkpoint-5"]
    best = result["best_checkpoint"]
    assert best is not None and best.rsplit("/", 1)[-1] in checkpoints

    adapter = resolve_model(settings, "tiny-names")
    assert (adapter.kind, adapter.parent_id, adapter.source) == (
        "adapter",
        tiny_model.id,
        f"run:{ctx.job_id}",
    )
    assert result["adapter"] == {"id": adapter.id, "name": "tiny-names"}
    assert result["model"] == {"id": tiny_model.id, "name": "tiny"}
    assert result["dataset"]["name"] == "names" and result["dataset"]["version"] == 1
    assert result["config"]["max_steps"] == 10
    assert result["metrics"]["global_step"] == 10 and "eval_loss" in result["metrics"]
    assert result["data"]["train_rows"] == 12 and result["data"]["eval_rows"] == 4
    assert [s["prompt"] for s in result["samples"]] == ["What is your name?"]
    assert {"base", "adapter"} <= set(result["samples"][0])

    folder = settings.models_dir / "tiny-names"
    stored = json.loads((folder / TRAINING_FILE).read_text())
    assert stored["dataset"]["version_id"] == result["dataset"]["version_id"]
    assert stored["samples"] == result["samples"] and stored["job_id"] == ctx.job_id
    assert (folder / "adapter_config.json").is_file() and (folder / "tokenizer.json").is_file()

    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(str(settings.models_dir / tiny_model.path))
    loaded = PeftModel.from_pretrained(base, str(folder))
    assert getattr(loaded.peft_config["default"], "r", None) == 8

    # A retried attempt of a run that already registered its adapter does not train again.
    again = start(settings, run_config(), attempt=2)
    repeat = train(again, ctx_config(settings, again))
    assert repeat is not None and repeat["adapter"] == result["adapter"]
    assert len(queue.read_metrics(settings, ctx.job_id)) == len(metrics)


def ctx_config(settings: Settings, ctx: JobContext) -> TrainingConfig:
    """The config as the worker sees it: the params stored on the job row."""
    return TrainingConfig.model_validate(queue.get_job(settings, ctx.job_id).params)


def test_a_stopped_run_resumes_on_the_same_loss_curve(
    settings: Settings, tiny_model: ModelRow, add_dataset: AddDataset
) -> None:
    add_dataset("names", name_rows(16))
    # Two epochs of 4 steps and a few more: the resume crosses an epoch boundary.
    config = run_config(max_steps=10, save_steps=100, sample_prompts=[])

    whole = start(settings, config)
    assert train(whole, ctx_config(settings, whole)) is not None
    expected = losses(settings, whole.job_id)
    queue.finish(settings, whole.job_id, "w", "succeeded", result={})

    first = start(settings, config.model_copy(update={"name": "resumed"}))
    first.stop_after = 6
    assert train(first, ctx_config(settings, first)) is None  # stopped: no adapter
    assert sorted(losses(settings, first.job_id)) == list(range(1, 7))
    assert (first.checkpoint_dir / "checkpoint-6").is_dir()

    second = start(settings, config, attempt=2)
    assert second.job_id == first.job_id
    result = train(second, ctx_config(settings, second))
    assert result is not None and result["resumed_from"] == "checkpoint-6"
    resumed = losses(settings, first.job_id)
    assert sorted(resumed) == sorted(expected) == list(range(1, 11))
    for step, value in expected.items():
        assert resumed[step] == pytest.approx(value, rel=1e-4, abs=1e-5), step
