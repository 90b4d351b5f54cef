"""The estimator's numbers on a tiny Llama shape, each worked out by hand in the comments."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest

from lathe.datasets import records
from lathe.datasets.storage import VersionWriter
from lathe.db.tables import ModelRow
from lathe.errors import InvalidInput
from lathe.settings import Settings
from lathe.training import estimate as est
from lathe.training import memory_model as mm
from lathe.training.config import TrainingConfig

# hidden 32, MLP 64, vocab 300, 4 heads of 8, 2 key/value heads (kv width 16), 2 layers.
SHAPE = mm.ModelShape(
    parameter_count=1000,
    num_layers=2,
    hidden_size=32,
    intermediate_size=64,
    vocab_size=300,
    num_heads=4,
    num_kv_heads=2,
)


def plan(**changes: Any) -> mm.Plan:
    values: dict[str, Any] = {
        "batch_size": 2,
        "gradient_accumulation_steps": 2,
        "max_length": 16,
        "world_size": 1,
        "precision": "fp32",
        "gradient_checkpointing": False,
        "qlora": False,
        "r": 8,
        "dropout": 0.05,
        "target_modules": ("all-linear",),
        "dora": False,
        "optimizer": "adamw_torch",
        "device": "cpu",
    }
    values.update(changes)
    return mm.Plan(**values)


def test_adapter_optimizer_and_weights() -> None:
    # r (in + out) per layer: q 8*64 + k 8*48 + v 8*48 + o 8*64 + gate, up, down 8*96 each
    # = 512 + 384 + 384 + 512 + 3 * 768 = 4096; two layers: 8192.
    memory = mm.memory(SHAPE, plan())
    assert memory.adapter_parameters == 8192
    assert memory.adapter == 8192 * 4
    assert memory.gradients == 8192 * 4  # fp32 gradients
    assert memory.optimizer == 8192 * 8  # AdamW: two fp32 moments
    assert memory.weights == 1000 * 4  # fp32 base weights
    assert memory.overhead == mm.CPU_OVERHEAD_BYTES
    # Only q and v: (512 + 384) * 2 layers; DoRA adds out features: (32 + 16) * 2.
    assert mm.adapter_parameters(SHAPE, plan(target_modules=("q_proj", "v_proj"))) == 1792
    dora = plan(target_modules=("q_proj", "v_proj"), dora=True)
    assert mm.adapter_parameters(SHAPE, dora) == 1792 + 96
    assert mm.memory(SHAPE, plan(optimizer="adamw_8bit")).optimizer == 8192 * 2
    assert mm.memory(SHAPE, plan(optimizer="sgd")).optimizer == 0
    assert mm.weight_bytes(SHAPE, plan(precision="bf16")) == 2000
    # QLoRA: the linear weights, 2 * (32*32*2 + 32*16*2 + 32*64*3) = 2 * 9216 = 18432, exceed
    # the (made-up) parameter count, so all 1000 are 4-bit: ceil(1000 * 0.5 * 1.03) = 515.
    assert mm.weight_bytes(SHAPE, plan(qlora=True)) == 515


def test_activations_with_and_without_checkpointing() -> None:
    # Per token and layer: 6h + 2kv + 4I = 192 + 32 + 256 = 480; LoRA A outputs 7 * r = 56;
    # dropped-out inputs 5 * 32 (q, k, v, gate, up) + 32 (o) + 64 (down) = 256; CPU attention
    # probabilities heads * T = 4 * 16 = 64: 856 elements.
    assert mm.layer_activation_elements(SHAPE, plan()) == 856
    # Head per token: 2h * 4 bytes + V * (4 + 8) = 256 + 3600 = 3856 bytes.
    # No checkpointing: 2 layers * 856 * 4 bytes = 6848; (6848 + 3856) * 32 tokens = 342528.
    assert mm.activation_bytes(SHAPE, plan()) == 342528
    # Checkpointing: (2 * 32 + 856) * 4 = 3680; (3680 + 3856) * 32 = 241152.
    assert mm.activation_bytes(SHAPE, plan(gradient_checkpointing=True)) == 241152
    # On CUDA in bf16 without dropout: 480 + 56 = 536 elements per layer; 2 * 536 * 2 = 2144;
    # head 2 * 32 * 2 + 300 * (2 + 8) = 3128; (2144 + 3128) * 32 = 168704.
    cuda = plan(device="cuda", precision="bf16", dropout=0.0)
    assert mm.activation_bytes(SHAPE, cuda) == 168704


def test_tokens_flops_and_steps() -> None:
    assert mm.tokens_per_step(plan()) == 2 * 2 * 16
    assert mm.tokens_per_step(plan(world_size=2, device="cuda")) == 128
    assert mm.flops_per_step(SHAPE, plan()) == 6 * 1000 * 64
    assert mm.flops_per_step(SHAPE, plan(gradient_checkpointing=True)) == 8 * 1000 * 64
    assert mm.assumed_flops_per_second(plan(), 4) == 4 * mm.CPU_FLOPS_PER_CORE
    gpu = plan(device="cuda", precision="bf16", world_size=2)
    assert mm.assumed_flops_per_second(gpu, 4) == 2 * mm.GPU_FLOPS_16BIT
    # 9 rows in batches of 2: 5 batches, 2 optimizer steps per epoch (5 // 2), 3 epochs: 6.
    assert mm.total_steps(9, plan(), epochs=3, max_steps=None) == 6
    assert mm.total_steps(9, plan(), epochs=0.5, max_steps=None) == 1
    assert mm.total_steps(1, plan(), epochs=1, max_steps=None) == 1
    assert mm.total_steps(9, plan(), epochs=3, max_steps=40) == 40


def test_suggestions_pick_the_mildest_change_that_fits() -> None:
    big = plan(batch_size=8, max_length=256)
    peak = mm.memory(SHAPE, big).peak
    usable = peak - 1
    found = {item.field: item for item in mm.suggestions(SHAPE, big, usable)}
    assert set(found) == {"gradient_checkpointing", "batch_size", "max_length"}  # CPU: no QLoRA
    assert found["batch_size"].value == 4 and found["batch_size"].fits
    assert found["batch_size"].changes == {"batch_size": 4, "gradient_accumulation_steps": 4}
    assert found["max_length"].value == 128 and found["max_length"].fits
    on_cuda = mm.suggestions(SHAPE, plan(device="cuda", precision="bf16", max_length=256), 0)
    assert [item.field for item in on_cuda][:4] == [
        "gradient_checkpointing",
        "batch_size",
        "max_length",
        "qlora",
    ]
    # Nothing fits 0 bytes: the strongest versions, then all of them together.
    assert on_cuda[1].value == 1 and on_cuda[2].value == mm.MIN_SUGGESTED_LENGTH
    assert on_cuda[-1].message.startswith("all of the above together")
    assert not any(item.fits for item in on_cuda)


# ---- the service, on rows in a real database ----


@pytest.fixture
def sized_model(settings: Settings, add_row: Callable[..., ModelRow]) -> ModelRow:
    row = add_row(
        "tiny",
        parameter_count=1000,
        num_layers=2,
        hidden_size=32,
        vocab_size=300,
        context_length=128,
    )
    folder = settings.models_dir / "tiny"
    folder.mkdir(parents=True)
    config = {"num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 64}
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return row


@pytest.fixture
def notes(settings: Settings) -> int:
    with VersionWriter(settings) as writer:
        writer.write(pa.table({"text": [f"note {i}" for i in range(10)]}))
        staged = writer.finish()
    return records.add_version(settings, "notes", staged, records.NewVersion(source="test")).id


def config(**changes: Any) -> TrainingConfig:
    values: dict[str, Any] = {
        "model": "tiny",
        "dataset": "notes",
        "batch_size": 2,
        "gradient_accumulation_steps": 2,
        "max_length": 16,
        "epochs": 3,
        "eval_fraction": 0.2,
        "lora": {"r": 8, "dropout": 0.05},
    }
    values.update(changes)
    return TrainingConfig.model_validate(values)


def test_estimate_of_a_config(
    settings: Settings, sized_model: ModelRow, notes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(est, "host_memory_bytes", lambda: 8 * mm.GiB)
    monkeypatch.setattr(est, "cpu_cores", lambda: 4)
    result = est.estimate(settings, config())
    assert result.model == "tiny" and result.model_id == sized_model.id
    assert (result.device, result.precision) == ("cpu", "fp32")
    assert result.adapter_parameters == 8192
    assert result.activation_bytes == 342528
    assert result.peak_bytes == 4000 + 8192 * 16 + 342528 + mm.CPU_OVERHEAD_BYTES
    assert result.usable_memory_bytes == int(8 * mm.GiB * 0.9) and result.fits
    assert result.tokens_per_step == 64
    assert result.train_rows == 8  # 10 rows, 2 held out for eval
    assert result.total_steps == 6  # 4 batches, 2 steps per epoch, 3 epochs
    assert result.step_seconds == pytest.approx(6 * 1000 * 64 / 80e9)
    assert result.total_seconds == pytest.approx(6 * result.step_seconds)
    assert result.suggestions == []


def test_a_run_that_does_not_fit_gets_suggestions(
    settings: Settings, sized_model: ModelRow, notes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(est, "host_memory_bytes", lambda: 600 * mm.MiB)
    huge = config(batch_size=64, max_length=4096)
    result = est.estimate(settings, huge)
    assert not result.fits
    assert {item.field for item in result.suggestions} >= {"batch_size", "max_length"}
    with pytest.raises(InvalidInput) as caught:
        est.check_fits(settings, huge)
    assert "does not fit" in caught.value.message and "batch_size" in caught.value.message
    assert caught.value.details[0]["field"] == result.suggestions[0].field


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"model": "nope"}, "model"), ({"dataset": "nope"}, "dataset")],
)
def test_unknown_model_or_dataset_names_the_field(
    settings: Settings, sized_model: ModelRow, notes: int, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        est.estimate(settings, config(**changes))
    assert caught.value.details[0]["field"] == field


def test_a_model_row_without_sizes_cannot_be_estimated(
    settings: Settings, add_row: Callable[..., ModelRow], notes: int
) -> None:
    add_row("bare")
    with pytest.raises(InvalidInput, match="no parameter_count"):
        est.estimate(settings, config(model="bare"))


def test_a_gpu_run_is_estimated_against_the_smallest_gpu(
    settings: Settings, sized_model: ModelRow, notes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    gpus = [("big", 80 * mm.GiB, True), ("small", 2 * mm.GiB, True)]
    monkeypatch.setattr(est, "cuda_devices", lambda: gpus)
    result = est.estimate(settings, config(gpus=2))
    assert (result.device, result.device_name, result.precision) == ("cuda", "2 x small", "bf16")
    assert result.device_memory_bytes == 2 * mm.GiB
    assert result.overhead_bytes == mm.CUDA_OVERHEAD_BYTES
    assert result.tokens_per_step == 2 * 2 * 16 * 2
    assert result.assumed_flops_per_second == 2 * mm.GPU_FLOPS_16BIT
    # 8 rows over 2 GPUs in batches of 2: 2 batches each, 1 step per epoch, 3 epochs.
    assert result.total_steps == 3
    monkeypatch.setattr(est, "cuda_devices", lambda: [("old", 1 * mm.GiB, False)])
    tight = est.estimate(settings, config(gpus=1, batch_size=64, max_length=1024))
    assert tight.precision == "fp16" and not tight.fits
    assert "qlora" in {item.field for item in tight.suggestions}
    monkeypatch.setattr(est, "cuda_devices", list)
    fallback = est.estimate(settings, config(gpus=1))
    assert fallback.device == "cpu" and "no CUDA device" in fallback.notes[0]


def test_packing_counts_sequences_of_max_length(
    settings: Settings, sized_model: ModelRow, notes: int
) -> None:
    version = records.get_version(settings, records.resolve(settings, "notes").id, 0)
    records.set_stats(settings, version.id, {"tokens": {"mean": 4.0}})
    # 8 training rows of ~4 tokens packed into rows of 16: ceil(8 * 4 / 16) = 2 sequences.
    assert est.estimate(settings, config(packing=True)).train_rows == 2
