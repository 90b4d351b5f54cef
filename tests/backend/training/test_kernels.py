"""The `kernels` switch of a training run: when Lathe's fused kernels run (auto: a CUDA GPU;
on: a CUDA GPU or TRITON_INTERPRET=1), what is refused at queue time, and a run through the
train job with kernels on (interpreted on the CPU) that follows the same run with them off."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from lathe.db.tables import ModelRow
from lathe.errors import InvalidInput, LatheError
from lathe.jobs import queue
from lathe.settings import Settings
from lathe.training import service
from lathe.training.config import TrainingConfig
from lathe.training.jobs import train
from lathe.training.kernels import apply_kernels, check_kernels_request, machine_problem
from tests.backend.models.factories import build_tiny_llama
from tests.backend.training.conftest import AddDataset, name_rows
from tests.backend.training.test_train_job import ctx_config, losses, run_config, start
from tests.kernels.interpreter import import_ops_interpreted

# Every linear layer of the blocks; an adapter on lm_head is what the kernels refuse.
BLOCK_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def config(**values: Any) -> TrainingConfig:
    return TrainingConfig.model_validate({"model": "tiny", "dataset": "names", **values})


class Log:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def log(self, line: str) -> None:
        self.lines.append(line)


@pytest.fixture
def no_interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRITON_INTERPRET", raising=False)


@pytest.fixture
def interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRITON_INTERPRET", "1")
    import_ops_interpreted()


@pytest.mark.usefixtures("no_interpreter")
def test_auto_needs_a_run_on_a_cuda_gpu() -> None:
    assert machine_problem(config(kernels="auto", gpus=1), cuda_devices=1) is None
    assert "on the CPU" in str(machine_problem(config(kernels="auto"), cuda_devices=1))
    assert "no CUDA GPU" in str(machine_problem(config(kernels="auto", gpus=1), cuda_devices=0))


@pytest.mark.usefixtures("interpreter")
def test_the_interpreter_counts_for_on_but_not_for_auto() -> None:
    assert machine_problem(config(kernels="on"), cuda_devices=0) is None
    assert machine_problem(config(kernels="auto"), cuda_devices=0) is not None


@pytest.mark.usefixtures("no_interpreter")
@pytest.mark.parametrize(
    ("values", "architecture", "cuda_devices", "message"),
    [
        ({}, "LlamaForCausalLM", 0, "they need a CUDA GPU"),
        ({"gpus": 1}, "GPT2LMHeadModel", 1, "architecture GPT2LMHeadModel is not supported"),
        (
            {"gpus": 1, "lora": {"target_modules": ["q_proj", "lm_head"]}},
            "LlamaForCausalLM",
            1,
            "lm_head",
        ),
    ],
)
def test_on_is_refused_at_queue_time_with_the_reason(
    values: dict[str, Any], architecture: str, cuda_devices: int, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        check_kernels_request(config(kernels="on", **values), architecture, cuda_devices)
    assert caught.value.details[0]["field"] == "kernels"
    check_kernels_request(config(kernels="auto", **values), architecture, cuda_devices)


@pytest.mark.usefixtures("no_interpreter")
def test_auto_on_the_cpu_leaves_the_model_alone() -> None:
    model = build_tiny_llama()
    log = Log()
    assert apply_kernels(config(kernels="auto"), model, 0, log) is False
    assert log.lines == ["kernels: not used (the run is on the CPU (gpus 0); they need a CUDA GPU)"]
    assert not any("forward" in module.__dict__ for module in model.modules())
    assert apply_kernels(config(kernels="off"), model, 1, log) is False


@pytest.mark.usefixtures("interpreter")
def test_on_with_a_model_the_kernels_cannot_take_fails_the_run() -> None:
    from transformers import GPT2Config, GPT2LMHeadModel

    model = GPT2LMHeadModel(GPT2Config(vocab_size=32, n_embd=8, n_layer=1, n_head=2))
    with pytest.raises(LatheError, match="GPT2LMHeadModel"):
        apply_kernels(config(kernels="on"), model, 0, Log())


@pytest.mark.integration
def test_a_run_with_kernels_on_follows_the_same_run_without(
    settings: Settings,
    tiny_model: ModelRow,
    add_dataset: AddDataset,
    interpreter: None,
) -> None:
    add_dataset("names", name_rows(8))
    common: dict[str, Any] = {
        "max_steps": 3,
        "sample_prompts": [],
        "lora": {"r": 8, "alpha": 16, "dropout": 0.0, "target_modules": BLOCK_TARGETS},
    }
    torch.set_num_threads(1)  # tiny tensors; threads only contend on a busy machine
    results, curves = {}, {}
    for switch in ("off", "on"):
        ctx = start(settings, run_config(kernels=switch, name=f"tiny-{switch}", **common))
        results[switch] = train(ctx, ctx_config(settings, ctx))
        curves[switch] = losses(settings, ctx.job_id)
        log = [e.data.get("line", "") for e in queue.events_after(settings, ctx.job_id)]
        ctx.close()
        queue.finish(settings, ctx.job_id, "w", "succeeded", result={})
        assert any(line.startswith(f"kernels: {switch}") for line in log), log
    assert results["off"] is not None and results["off"]["kernels"] is False
    assert results["on"] is not None and results["on"]["kernels"] is True
    assert sorted(curves["on"]) == [1, 2, 3]
    # fp32 both ways; the kernels sum in other orders: a few ulps of a loss near 5.
    for step, value in curves["off"].items():
        assert curves["on"][step] == pytest.approx(value, abs=1e-4), step


@pytest.mark.usefixtures("interpreter")
def test_on_is_queued_when_the_interpreter_can_run_it(
    settings: Settings, tiny_model: ModelRow, add_dataset: AddDataset
) -> None:
    add_dataset("names", name_rows(4))
    job = service.queue_run(settings, config(kernels="on", max_length=64))
    assert job.params["kernels"] == "on"
