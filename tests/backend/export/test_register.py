"""Registering an export back as a model: a merged export (real builders) becomes a base model
whose logits are the fine-tuned model's, the export remembers it, a retried job returns the
same model, and deleting the export leaves the model intact."""

from __future__ import annotations

import threading

import torch

from lathe.db.tables import ModelRow
from lathe.export import catalog, records
from lathe.export.config import ExportConfig
from lathe.export.jobs import RegisterParams, run_register
from lathe.export.register import queue_register
from lathe.inference.loader import load_model
from lathe.jobs import queue
from lathe.jobs.context import JobContext
from lathe.jobs.resources import Capacity
from lathe.models.registry import get_model, model_dir
from lathe.settings import Settings
from tests.backend.export.export_fixtures import tiny, tiny_lora
from tests.backend.export.test_export_job import run, start

__all__ = ["tiny", "tiny_lora"]


def claim_register(settings: Settings, export_id: int) -> tuple[JobContext, RegisterParams]:
    job = queue_register(settings, export_id, None)
    claimed = queue.claim(
        settings, worker_id="w", kinds=["export.register"], capacity=Capacity([], 0, 1)
    )
    assert claimed is not None and claimed.id == job.id
    ctx = JobContext(
        settings, job_id=job.id, worker_id="w", attempt=1, shutdown=threading.Event(), gpu_ids=[]
    )
    return ctx, RegisterParams.model_validate(job.params)


def test_a_merged_export_registers_as_the_fine_tuned_model(
    settings: Settings, tiny_lora: ModelRow
) -> None:
    export_id = run(
        start(settings, ExportConfig(source="tiny-lora", format="merged", dtype="fp32"))
    )["export_id"]
    ctx, params = claim_register(settings, export_id)
    assert params.name == "tiny-lora-merged-fp32"
    result = run_register(ctx, params)
    assert result is not None
    model_id = result["model_id"]
    assert records.get(settings, export_id).registered_model_id == model_id
    assert run_register(ctx, params) == result  # a retried attempt returns the same model

    merged = load_model(settings, "tiny-lora-merged-fp32")
    fine_tuned = load_model(settings, "tiny-lora")  # the base with the adapter merged in
    ids = torch.tensor([[5, 17, 42, 99, 3, 250]])
    with torch.no_grad():
        diff = (merged.model(ids).logits - fine_tuned.model(ids).logits).abs().max().item()
    assert diff < 1e-4

    folder = model_dir(settings, get_model(settings, model_id))
    catalog.delete_export(settings, export_id)
    assert (folder / "config.json").is_file()  # the model has its own copy
