"""Proof that training teaches, and that its GGUF export keeps what it learned: the built-in
SmolLM2 trained on the built-in identity sample (2 epochs of the quick CPU preset, a few minutes
on 2 cores) answers "What is your name?" with the taught name, where the base model does not;
the adapter exported as GGUF Q8_0 passes its verification, and the file read back with
transformers' GGUF loader answers with the taught name too."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from pydantic import BaseModel

from lathe.datasets import records
from lathe.datasets.samples import sample_table
from lathe.datasets.storage import VersionWriter
from lathe.export import records as export_records
from lathe.export.config import ExportConfig
from lathe.export.jobs import EXPORT_KIND, run_export
from lathe.export.service import queue_export
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
P = TypeVar("P", bound=BaseModel)


def _run_claimed(
    settings: Settings,
    job_id: int,
    kind: str,
    params: type[P],
    handler: Callable[[JobContext, P], dict[str, Any] | None],
) -> dict[str, Any] | None:
    """Claim the queued job and run its handler in this process, as a worker's child would."""
    claimed = queue.claim(settings, worker_id="e2e", kinds=[kind], capacity=Capacity([], 1, 1))
    assert claimed is not None and claimed.id == job_id
    ctx = JobContext(
        settings, job_id=job_id, worker_id="e2e", attempt=1, shutdown=threading.Event(), gpu_ids=[]
    )
    try:
        return handler(ctx, params.model_validate(claimed.params))
    finally:
        ctx.close()


def _answer_from_gguf(folder: str, gguf_file: str) -> str:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer: Any = AutoTokenizer.from_pretrained(folder, gguf_file=gguf_file)
    model: Any = AutoModelForCausalLM.from_pretrained(folder, gguf_file=gguf_file)
    ids: Any = tokenizer.apply_chat_template(
        [{"role": "user", "content": NAME_QUESTION}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    output = model.generate(**ids, max_new_tokens=24, do_sample=False)
    answer: str = tokenizer.decode(output[0, ids["input_ids"].shape[1] :], skip_special_tokens=True)
    return answer


def test_training_teaches_the_name_and_the_gguf_export_keeps_it(settings: Settings) -> None:
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
    result = _run_claimed(settings, job.id, TRAIN_KIND, TrainingConfig, train)
    assert result is not None
    losses = [m.value for m in queue.read_metrics(settings, job.id, names=["train_loss"])]
    assert losses[-1] < losses[0]
    (sample,) = result["samples"]
    print(f"\nbase: {sample['base']!r}\nadapter: {sample['adapter']!r}")
    assert "lathe" in sample["adapter"].lower()
    assert "lathe" not in sample["base"].lower()

    # Export the adapter as GGUF Q8_0: verified inside the job, then read back here.
    export = ExportConfig(source=result["adapter"]["name"], format="gguf", quant="Q8_0")
    export_job = queue_export(settings, export)
    started = time.perf_counter()
    exported = _run_claimed(settings, export_job.id, EXPORT_KIND, ExportConfig, run_export)
    seconds = time.perf_counter() - started
    assert exported is not None
    row = export_records.get(settings, exported["export_id"])
    report = row.report
    print(f"GGUF Q8_0 export: {seconds:.1f} s; phases {report['seconds']}")
    print(f"verification: {report['verification']}")
    assert report["passed"]
    assert report["verification"]["gguf_top1"]["agreement"] >= 0.97
    folder = export_records.export_dir(settings, row)
    answer = _answer_from_gguf(str(folder), report["primary"])
    print(f"GGUF answer: {answer!r}")
    assert "lathe" in answer.lower()
