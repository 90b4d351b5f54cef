"""Before a run starts: its estimated peak memory per device, tokens per step and time.

The numbers come from the model row (parameter count, layers, hidden size, vocabulary) plus
the model folder's config.json where it is there (intermediate size, attention and key/value
heads, tied embeddings); nothing is loaded. The formulas, for a Llama-family decoder:

Memory per device (every GPU of a DDP run holds a full copy):
- weights: parameter_count x the compute dtype's size (4 bytes fp32, 2 bf16/fp16); with QLoRA
  the decoder's linear weights take 4 bits plus ~3% for the block scales, the rest stays 16-bit.
- adapter: r x (in + out) parameters per adapted linear layer (+ out for DoRA's magnitude),
  held in fp32; their gradients are fp32 too (the "master" gradients).
- optimizer state: AdamW keeps two fp32 moments per trainable parameter (8 bytes); 8-bit AdamW
  two bytes; Adafactor at most 4; SGD without momentum none.
- activations of one micro-batch (B x T tokens, element size s of the compute dtype), per token
  and decoder layer, what autograd keeps for the backward pass:
      6h + 2kv + 4I        h: hidden, kv: key/value width, I: MLP intermediate width
  (the block input, the two RMSNorm inputs and outputs, q, k, v, the attention output; the gate,
  up, SiLU and product tensors of SwiGLU), plus per adapted module r (the LoRA A output) and,
  with LoRA dropout, the dropped-out input (in features). On the CPU the attention falls back to
  a kernel that keeps the attention probabilities: + heads x T per token. With gradient
  checkpointing only each layer's input (h) is kept, plus one layer's full set while it is
  recomputed. The head adds 2h per token (final norm input and output) and the logits: V
  elements in the compute dtype plus an fp32 copy and its fp32 gradient, V x (s + 8) bytes.
- overhead: 512 MiB on the CPU (Python, torch, transformers), 1 GiB on a GPU (CUDA context,
  cuBLAS workspace, allocator).
A run fits when the sum is at most 90% of the device's memory (the smallest GPU used, or the
host's *available* RAM on the CPU).

Time: FLOPs per optimizer step = 6 x parameters x tokens per step (the usual training
estimate; with gradient checkpointing x 4/3 for the recomputed forward pass), at an assumed
sustained throughput of 20 GFLOP/s per CPU core in fp32, or per GPU 100 TFLOP/s in bf16/fp16
and 20 TFLOP/s in fp32. Tokens per step is an upper bound: every example at max_length.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

from lathe.datasets import records as dataset_records
from lathe.db.tables import DatasetVersionRow, JobRow, ModelRow
from lathe.errors import InvalidInput, LatheError, NotFound
from lathe.models.registry import resolve_model
from lathe.models.storage import model_dir
from lathe.schemas.training import Estimate
from lathe.settings import Settings
from lathe.training import service
from lathe.training.config import TrainingConfig
from lathe.training.memory_model import (
    USABLE_MEMORY_SHARE,
    ComputePrecision,
    DeviceKind,
    ModelShape,
    Plan,
    assumed_flops_per_second,
    flops_per_step,
    format_bytes,
    memory,
    suggestions,
    tokens_per_step,
    total_steps,
)


def host_memory_bytes() -> int:
    """Available host RAM (a function, so tests can make the machine small)."""
    import psutil

    return int(psutil.virtual_memory().available)


def cpu_cores() -> int:
    return os.cpu_count() or 1


def cuda_devices() -> list[tuple[str, int, bool]]:
    """(name, total memory, bf16 support) of each visible CUDA device."""
    import torch

    if not torch.cuda.is_available():
        return []
    devices = []
    for index in range(torch.cuda.device_count()):
        props = torch.cuda.get_device_properties(index)
        devices.append((str(props.name), int(props.total_memory), props.major >= 8))
    return devices


def model_shape(settings: Settings, row: ModelRow) -> ModelShape:
    """The shape from the row, completed from config.json when the folder has one."""
    missing = [
        name
        for name in ("parameter_count", "num_layers", "hidden_size", "vocab_size")
        if getattr(row, name) is None
    ]
    if missing:
        raise InvalidInput(
            f"model: {row.name} has no {', '.join(missing)} on record, so its memory cannot "
            "be estimated",
            field="model",
        )
    assert row.parameter_count is not None and row.num_layers is not None
    assert row.hidden_size is not None and row.vocab_size is not None
    config: dict[str, Any] = {}
    try:
        text = (model_dir(settings, row) / "config.json").read_text(encoding="utf-8")
        loaded = json.loads(text)
        config = loaded if isinstance(loaded, dict) else {}
    except (OSError, ValueError, LatheError):
        config = {}
    hidden = row.hidden_size
    heads = _positive_int(config.get("num_attention_heads")) or max(hidden // 64, 1)
    kv_heads = _positive_int(config.get("num_key_value_heads")) or heads
    intermediate = _positive_int(config.get("intermediate_size")) or _intermediate_from_count(
        row.parameter_count, row.num_layers, hidden, row.vocab_size
    )
    return ModelShape(
        parameter_count=row.parameter_count,
        num_layers=row.num_layers,
        hidden_size=hidden,
        intermediate_size=intermediate,
        vocab_size=row.vocab_size,
        num_heads=heads,
        num_kv_heads=kv_heads,
    )


def _positive_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _intermediate_from_count(params: int, layers: int, hidden: int, vocab: int) -> int:
    """Solve params = V*h (tied) + L*(4h^2 + 3hI) for I; a rough fallback without config.json."""
    per_layer = (params - vocab * hidden) / max(layers, 1)
    intermediate = (per_layer - 4 * hidden * hidden) / (3 * hidden)
    return max(int(intermediate), hidden)


def _resolve_model(settings: Settings, ref: str) -> ModelRow:
    try:
        return resolve_model(settings, ref)
    except NotFound as error:
        raise InvalidInput(f"model: {error.message}", field="model") from error


def _resolve_dataset(settings: Settings, ref: str, version: int, field: str) -> DatasetVersionRow:
    try:
        dataset = dataset_records.resolve(settings, ref)
        return dataset_records.get_version(settings, dataset.id, version)
    except NotFound as error:
        raise InvalidInput(f"{field}: {error.message}", field=field) from error


def _device(config: TrainingConfig) -> tuple[DeviceKind, str, int, ComputePrecision, list[str]]:
    notes: list[str] = []
    if config.gpus > 0:
        devices = cuda_devices()[: config.gpus]
        if devices:
            name, total, bf16 = min(devices, key=lambda device: device[1])
            auto: ComputePrecision = "bf16" if bf16 else "fp16"
            precision = auto if config.precision == "auto" else config.precision
            label = name if len(devices) == 1 else f"{len(devices)} x {name}"
            return "cuda", label, total, precision, notes
        notes.append("no CUDA device is visible here: estimated for the CPU instead")
    precision = "fp32" if config.precision == "auto" else config.precision
    return "cpu", f"CPU ({cpu_cores()} cores)", host_memory_bytes(), precision, notes


def plan_of(config: TrainingConfig, device: DeviceKind, precision: ComputePrecision) -> Plan:
    modules = config.lora.target_modules
    return Plan(
        batch_size=config.batch_size,
        gradient_accumulation_steps=config.gradient_accumulation_steps,
        max_length=config.max_length,
        world_size=max(config.gpus, 1) if device == "cuda" else 1,
        precision=precision,
        gradient_checkpointing=config.gradient_checkpointing,
        qlora=config.qlora,
        r=config.lora.r,
        dropout=config.lora.dropout,
        target_modules=("all-linear",) if modules == "all-linear" else tuple(modules),
        dora=config.lora.use_dora,
        optimizer=config.optimizer,
        device=device,
    )


def train_rows(version: DatasetVersionRow, config: TrainingConfig) -> int:
    rows = version.row_count
    if not config.eval_dataset and config.eval_fraction > 0:
        rows -= round(rows * config.eval_fraction)
    if config.packing:
        mean = ((version.stats or {}).get("tokens") or {}).get("mean")
        if isinstance(mean, int | float) and mean > 0:
            rows = math.ceil(rows * min(float(mean), config.max_length) / config.max_length)
    return max(rows, 0)


def estimate(settings: Settings, config: TrainingConfig) -> Estimate:
    """The estimate of a config against the registry and this machine. InvalidInput naming
    the field when the model or the dataset does not exist."""
    row = _resolve_model(settings, config.model)
    shape = model_shape(settings, row)
    version = _resolve_dataset(settings, config.dataset, config.dataset_version, "dataset")
    device, device_name, device_memory, precision, notes = _device(config)
    plan = plan_of(config, device, precision)
    usage = memory(shape, plan)
    usable = int(device_memory * USABLE_MEMORY_SHARE)
    fits = usage.peak <= usable
    throughput = assumed_flops_per_second(plan, cpu_cores())
    flops = flops_per_step(shape, plan)
    step_seconds = flops / throughput
    rows = train_rows(version, config)
    steps = total_steps(rows, plan, epochs=config.epochs, max_steps=config.max_steps)
    notes.append(
        f"assumed throughput {throughput / 1e12:.2f} TFLOP/s; tokens per step counts every "
        "example at max_length, so times are upper bounds"
    )
    if plan.gradient_checkpointing:
        notes.append("gradient checkpointing: activations recomputed, ~1/3 more compute")
    return Estimate(
        model=row.name,
        model_id=row.id,
        precision=precision,
        parameter_count=shape.parameter_count,
        weights_bytes=usage.weights,
        adapter_parameters=usage.adapter_parameters,
        adapter_bytes=usage.adapter,
        gradient_bytes=usage.gradients,
        optimizer_state_bytes=usage.optimizer,
        activation_bytes=usage.activations,
        overhead_bytes=usage.overhead,
        peak_bytes=usage.peak,
        device=device,
        device_name=device_name,
        device_memory_bytes=device_memory,
        usable_memory_bytes=usable,
        fits=fits,
        tokens_per_step=tokens_per_step(plan),
        flops_per_step=flops,
        assumed_flops_per_second=throughput,
        step_seconds=step_seconds,
        train_rows=rows,
        total_steps=steps,
        total_seconds=step_seconds * steps,
        suggestions=[] if fits else suggestions(shape, plan, usable),
        notes=notes,
    )


def does_not_fit(result: Estimate) -> InvalidInput:
    """The 422 for a run that cannot fit its device, with the suggestions in the message."""
    advice = "; ".join(item.message for item in result.suggestions) or "use a smaller model"
    field = result.suggestions[0].field if result.suggestions else "model"
    message = (
        f"{field}: the run does not fit: estimated peak {format_bytes(result.peak_bytes)} on "
        f"{result.device_name}, {format_bytes(result.usable_memory_bytes)} usable "
        f"(of {format_bytes(result.device_memory_bytes)}). Try: {advice}"
    )
    return InvalidInput(
        message,
        field=field,
        details={
            "peak_bytes": result.peak_bytes,
            "usable_memory_bytes": result.usable_memory_bytes,
            "suggestions": [item.model_dump(mode="json") for item in result.suggestions],
        },
    )


def check_fits(settings: Settings, config: TrainingConfig) -> Estimate:
    """The estimate, or InvalidInput (422) when the run cannot fit its device."""
    result = estimate(settings, config)
    if not result.fits:
        raise does_not_fit(result)
    return result


def queue_checked_run(settings: Settings, config: TrainingConfig) -> tuple[JobRow, Estimate]:
    """Start a run the way the API and the CLI do: validate the config (the training
    service's checks), refuse it when the estimate says it cannot fit its device, then queue
    it. InvalidInput naming the field; no job is created."""
    validated = service.validate_config(settings, config)
    result = check_fits(settings, validated.config)
    return service.queue_validated(settings, validated), result
