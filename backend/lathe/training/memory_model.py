"""The memory and time model behind lathe.training.estimate: pure functions of a model's shape
and a run's plan (no files, no hardware probing). The formulas are in estimate's docstring."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Literal

from lathe.schemas.training import EstimateSuggestion

GiB = 1024**3
MiB = 1024**2

CPU_OVERHEAD_BYTES = 512 * MiB
CUDA_OVERHEAD_BYTES = 1 * GiB
USABLE_MEMORY_SHARE = 0.9

CPU_FLOPS_PER_CORE = 20e9
GPU_FLOPS_16BIT = 100e12
GPU_FLOPS_FP32 = 20e12

QLORA_BYTES_PER_PARAM = 0.5 * 1.03
LOGITS_EXTRA_BYTES = 8  # an fp32 copy of the logits and their fp32 gradient
ADAPTER_BYTES_PER_PARAM = 4
GRADIENT_BYTES_PER_PARAM = 4
OPTIMIZER_BYTES_PER_PARAM = {
    "adamw_torch": 8,
    "adamw_torch_fused": 8,
    "adamw_8bit": 2,
    "adafactor": 4,
    "sgd": 0,
}
LLAMA_LINEAR_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
MIN_SUGGESTED_LENGTH = 64

ComputePrecision = Literal["fp32", "bf16", "fp16"]
DeviceKind = Literal["cpu", "cuda"]


@dataclass(frozen=True)
class ModelShape:
    """What the estimate needs to know about a Llama-family model."""

    parameter_count: int
    num_layers: int
    hidden_size: int
    intermediate_size: int
    vocab_size: int
    num_heads: int
    num_kv_heads: int

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_heads

    @property
    def kv_size(self) -> int:
        return self.num_kv_heads * self.head_dim

    def linear_shapes(self) -> dict[str, tuple[int, int]]:
        """(in, out) features of each linear layer of one decoder block."""
        h, kv, inter = self.hidden_size, self.kv_size, self.intermediate_size
        return {
            "q_proj": (h, self.num_heads * self.head_dim),
            "k_proj": (h, kv),
            "v_proj": (h, kv),
            "o_proj": (self.num_heads * self.head_dim, h),
            "gate_proj": (h, inter),
            "up_proj": (h, inter),
            "down_proj": (inter, h),
        }


@dataclass(frozen=True)
class Plan:
    """The parts of a TrainingConfig the estimate depends on, with the precision resolved."""

    batch_size: int
    gradient_accumulation_steps: int
    max_length: int
    world_size: int
    precision: ComputePrecision
    gradient_checkpointing: bool
    qlora: bool
    r: int
    dropout: float
    target_modules: tuple[str, ...]
    dora: bool
    optimizer: str
    device: DeviceKind


@dataclass(frozen=True)
class Memory:
    weights: int
    adapter_parameters: int
    adapter: int
    gradients: int
    optimizer: int
    activations: int
    overhead: int

    @property
    def peak(self) -> int:
        return (
            self.weights
            + self.adapter
            + self.gradients
            + self.optimizer
            + self.activations
            + self.overhead
        )


def dtype_bytes(precision: ComputePrecision) -> int:
    return 4 if precision == "fp32" else 2


def targeted(shape: ModelShape, target_modules: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """The adapted linear layers of one block ("all-linear": all seven); names that are not a
    Llama linear layer adapt nothing here (the service refuses unknown ones)."""
    shapes = shape.linear_shapes()
    if "all-linear" in target_modules:
        return shapes
    return {name: shapes[name] for name in target_modules if name in shapes}


def adapter_parameters(shape: ModelShape, plan: Plan) -> int:
    per_layer = sum(
        plan.r * (fan_in + fan_out) + (fan_out if plan.dora else 0)
        for fan_in, fan_out in targeted(shape, plan.target_modules).values()
    )
    return per_layer * shape.num_layers


def weight_bytes(shape: ModelShape, plan: Plan) -> int:
    if not plan.qlora:
        return shape.parameter_count * dtype_bytes(plan.precision)
    linear = shape.num_layers * sum(i * o for i, o in shape.linear_shapes().values())
    linear = min(linear, shape.parameter_count)
    rest = shape.parameter_count - linear
    return math.ceil(linear * QLORA_BYTES_PER_PARAM) + rest * 2


def layer_activation_elements(shape: ModelShape, plan: Plan) -> int:
    """Elements one decoder block keeps per token for the backward pass (no checkpointing)."""
    h, kv, inter = shape.hidden_size, shape.kv_size, shape.intermediate_size
    elements = 6 * h + 2 * kv + 4 * inter
    for fan_in, _ in targeted(shape, plan.target_modules).values():
        elements += plan.r + (fan_in if plan.dropout > 0 else 0)
    if plan.device == "cpu":
        elements += shape.num_heads * plan.max_length
    return elements


def activation_bytes(shape: ModelShape, plan: Plan) -> int:
    tokens = plan.batch_size * plan.max_length
    size = dtype_bytes(plan.precision)
    layer = layer_activation_elements(shape, plan)
    if plan.gradient_checkpointing:
        blocks = shape.num_layers * shape.hidden_size + layer
    else:
        blocks = shape.num_layers * layer
    head = 2 * shape.hidden_size * size + shape.vocab_size * (size + LOGITS_EXTRA_BYTES)
    return tokens * (blocks * size + head)


def memory(shape: ModelShape, plan: Plan) -> Memory:
    trainable = adapter_parameters(shape, plan)
    return Memory(
        weights=weight_bytes(shape, plan),
        adapter_parameters=trainable,
        adapter=trainable * ADAPTER_BYTES_PER_PARAM,
        gradients=trainable * GRADIENT_BYTES_PER_PARAM,
        optimizer=trainable * OPTIMIZER_BYTES_PER_PARAM.get(plan.optimizer, 8),
        activations=activation_bytes(shape, plan),
        overhead=CUDA_OVERHEAD_BYTES if plan.device == "cuda" else CPU_OVERHEAD_BYTES,
    )


def tokens_per_step(plan: Plan) -> int:
    return plan.batch_size * plan.gradient_accumulation_steps * plan.max_length * plan.world_size


def flops_per_step(shape: ModelShape, plan: Plan) -> float:
    flops = 6.0 * shape.parameter_count * tokens_per_step(plan)
    return flops * 4 / 3 if plan.gradient_checkpointing else flops


def assumed_flops_per_second(plan: Plan, cpu_cores: int) -> float:
    if plan.device == "cpu":
        return CPU_FLOPS_PER_CORE * max(cpu_cores, 1)
    per_gpu = GPU_FLOPS_FP32 if plan.precision == "fp32" else GPU_FLOPS_16BIT
    return per_gpu * plan.world_size


def total_steps(train_rows: int, plan: Plan, *, epochs: float, max_steps: int | None) -> int:
    """Optimizer steps as the HF Trainer counts them: batches per epoch per device, divided
    (rounded down, at least 1) by the accumulation, times the epochs, rounded up."""
    if max_steps is not None:
        return max_steps
    batches = math.ceil(train_rows / (plan.batch_size * plan.world_size))
    per_epoch = max(batches // plan.gradient_accumulation_steps, 1)
    return math.ceil(epochs * per_epoch)


def suggestions(shape: ModelShape, plan: Plan, usable: int) -> list[EstimateSuggestion]:
    """Changes that lower the peak: gradient checkpointing, a smaller batch (with more
    accumulation, so the effective batch stays), a shorter max length, QLoRA on CUDA. Each is
    the mildest version of the change that fits (or the strongest one when none does)."""
    found: list[EstimateSuggestion] = []

    def add(field: str, value: Any, changes: dict[str, Any], changed: Plan, text: str) -> None:
        peak = memory(shape, changed).peak
        found.append(
            EstimateSuggestion(
                field=field,
                value=value,
                changes=changes,
                peak_bytes=peak,
                fits=peak <= usable,
                message=f"{text} (estimated peak {format_bytes(peak)})",
            )
        )

    if not plan.gradient_checkpointing:
        changed = replace(plan, gradient_checkpointing=True)
        add(
            "gradient_checkpointing",
            True,
            {"gradient_checkpointing": True},
            changed,
            "turn on gradient_checkpointing",
        )
    if plan.batch_size > 1:
        batch, accumulation = plan.batch_size, plan.gradient_accumulation_steps
        while batch > 1:
            batch, accumulation = max(batch // 2, 1), accumulation * 2
            if memory(shape, replace(plan, batch_size=batch)).peak <= usable:
                break
        changed = replace(plan, batch_size=batch, gradient_accumulation_steps=accumulation)
        add(
            "batch_size",
            batch,
            {"batch_size": batch, "gradient_accumulation_steps": accumulation},
            changed,
            f"lower batch_size to {batch} with gradient_accumulation_steps {accumulation} "
            "(the same effective batch)",
        )
    if plan.max_length > MIN_SUGGESTED_LENGTH:
        length = plan.max_length
        while length > MIN_SUGGESTED_LENGTH:
            length = max(length // 2, MIN_SUGGESTED_LENGTH)
            if memory(shape, replace(plan, max_length=length)).peak <= usable:
                break
        changed = replace(plan, max_length=length)
        add(
            "max_length",
            length,
            {"max_length": length},
            changed,
            f"shorten max_length to {length} (longer examples are cut)",
        )
    if plan.device == "cuda" and not plan.qlora:
        add("qlora", True, {"qlora": True}, replace(plan, qlora=True), "train with QLoRA")
    if found and not any(item.fits for item in found):
        changes: dict[str, Any] = {}
        combined = plan
        for item in found:
            changes.update(item.changes)
            combined = replace(combined, **_plan_changes(item.changes))
        add(
            found[0].field,
            found[0].value,
            changes,
            combined,
            "all of the above together",
        )
    return found


def _plan_changes(changes: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in changes.items() if key in Plan.__dataclass_fields__}


def format_bytes(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(size) < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"


# ---- the service: a config and the registry in, an Estimate out ----
