"""What bench/kernels.py times: for each op at each model shape, the inputs (bf16, as training
feeds them) and one forward closure per implementation: PyTorch eager (the op's reference, which
is the code transformers and peft run), Lathe's kernel, and Liger-Kernel's equivalent when
liger_kernel is installed. Elementwise ops also carry the least memory traffic their forward and
backward can have, for the achieved-bandwidth column."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType

import torch

from lathe_kernels.ops.linear_cross_entropy import (
    linear_cross_entropy,
    linear_cross_entropy_reference,
)
from lathe_kernels.ops.lora_linear import lora_linear, lora_linear_reference
from lathe_kernels.ops.rms_norm import rms_norm, rms_norm_reference
from lathe_kernels.ops.rope import apply_rope, apply_rope_reference
from lathe_kernels.ops.swiglu import swiglu, swiglu_reference

EAGER = "eager"
LATHE = "lathe"
LIGER = "liger"
OPS = ("rms_norm", "rope", "swiglu", "lora_linear", "linear_cross_entropy")
ELEMENTWISE_OPS = ("rms_norm", "rope", "swiglu")
IGNORE_INDEX = -100
RMS_EPS = 1e-5

Outputs = torch.Tensor | tuple[torch.Tensor, ...]


@dataclass(frozen=True)
class ModelShape:
    label: str
    hidden: int
    intermediate: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab: int


SHAPES = {
    "smollm2-135m": ModelShape("SmolLM2-135M", 576, 1536, 9, 3, 64, 49_152),
    "llama-1b": ModelShape("Llama-3.2-1B", 2048, 8192, 32, 8, 64, 128_256),
}


@dataclass
class Case:
    """One op at one shape. `leaves` are the tensors whose gradients the backward computes (reset
    between timed runs); `bytes_forward`/`bytes_backward` are None for the GEMM-bound ops."""

    op: str
    label: str
    leaves: list[torch.Tensor]
    forwards: dict[str, Callable[[], Outputs]] = field(default_factory=dict)
    bytes_forward: int | None = None
    bytes_backward: int | None = None


def liger_functional() -> tuple[ModuleType | None, str]:
    """(liger_kernel.transformers.functional, "") or (None, why the Liger column is empty)."""
    if importlib.util.find_spec("liger_kernel") is None:
        return None, "liger_kernel is not installed (pip install -e '.[bench]')"
    try:
        return importlib.import_module("liger_kernel.transformers.functional"), ""
    except ImportError as error:
        return None, f"liger_kernel did not import: {error}"


@dataclass(frozen=True)
class _Maker:
    """Random bf16 inputs on one device (the GPU when benchmarking)."""

    device: str

    def randn(self, *shape: int, scale: float = 1.0, grad: bool = False) -> torch.Tensor:
        tensor = torch.randn(*shape, device=self.device, dtype=torch.bfloat16) * scale
        return tensor.requires_grad_(grad)


def _rms_norm_case(make: _Maker, shape: ModelShape, tokens: int, liger: ModuleType | None) -> Case:
    x = make.randn(tokens, shape.hidden, grad=True)
    weight = make.randn(shape.hidden)  # frozen under LoRA: no dW
    row_bytes = tokens * shape.hidden * x.element_size()
    case = Case(
        "rms_norm",
        f"rms_norm [{tokens}, {shape.hidden}]",
        [x],
        bytes_forward=2 * row_bytes,  # read x, write y
        bytes_backward=3 * row_bytes,  # read dy and x, write dx
    )
    case.forwards[EAGER] = lambda: rms_norm_reference(x, weight, RMS_EPS)
    case.forwards[LATHE] = lambda: rms_norm(x, weight, RMS_EPS)
    if liger is not None:
        case.forwards[LIGER] = lambda: liger.liger_rms_norm(x, weight, RMS_EPS)
    return case


def _rope_case(make: _Maker, shape: ModelShape, tokens: int, liger: ModuleType | None) -> Case:
    # transformers hands RoPE the projections as [B, H, T, D] views of [B, T, H, D] buffers.
    q_rows = make.randn(1, tokens, shape.heads, shape.head_dim, grad=True)
    k_rows = make.randn(1, tokens, shape.kv_heads, shape.head_dim, grad=True)
    cos = make.randn(1, tokens, shape.head_dim)
    sin = make.randn(1, tokens, shape.head_dim)
    q, k = q_rows.transpose(1, 2), k_rows.transpose(1, 2)
    qk_bytes = (q.numel() + k.numel()) * q.element_size()
    table_bytes = 2 * cos.numel() * cos.element_size()
    case = Case(
        "rope",
        f"rope q [1, {shape.heads}, {tokens}, {shape.head_dim}] k {shape.kv_heads} heads",
        [q_rows, k_rows],
        bytes_forward=2 * qk_bytes + table_bytes,  # read q, k, cos, sin; write q', k'
        bytes_backward=2 * qk_bytes + table_bytes,  # the same rotation of the gradients
    )
    case.forwards[EAGER] = lambda: apply_rope_reference(q, k, cos, sin)
    case.forwards[LATHE] = lambda: apply_rope(q, k, cos, sin)
    if liger is not None:
        case.forwards[LIGER] = lambda: tuple(liger.liger_rope(q, k, cos, sin))
    return case


def _swiglu_case(make: _Maker, shape: ModelShape, tokens: int, liger: ModuleType | None) -> Case:
    gate = make.randn(tokens, shape.intermediate, grad=True)
    up = make.randn(tokens, shape.intermediate, grad=True)
    one_bytes = gate.numel() * gate.element_size()
    case = Case(
        "swiglu",
        f"swiglu [{tokens}, {shape.intermediate}]",
        [gate, up],
        bytes_forward=3 * one_bytes,  # read gate, up; write out
        bytes_backward=5 * one_bytes,  # read dy, gate, up; write dgate, dup
    )
    case.forwards[EAGER] = lambda: swiglu_reference(gate, up)
    case.forwards[LATHE] = lambda: swiglu(gate, up)
    if liger is not None:
        case.forwards[LIGER] = lambda: liger.liger_swiglu(gate, up)
    return case


def _lora_linear_case(
    make: _Maker, tokens: int, in_features: int, out_features: int, rank: int, projection: str
) -> Case:
    x = make.randn(tokens, in_features, grad=True)
    weight = make.randn(out_features, in_features, scale=in_features**-0.5)
    lora_a = make.randn(rank, in_features, scale=in_features**-0.5, grad=True)
    lora_b = make.randn(out_features, rank, scale=rank**-0.5, grad=True)
    scaling = 2.0  # lora_alpha 2r, as Lathe's presets
    case = Case(
        "lora_linear",
        f"lora_linear {projection} {in_features}->{out_features} r{rank} x {tokens}",
        [x, lora_a, lora_b],
    )
    case.forwards[EAGER] = lambda: lora_linear_reference(x, weight, None, lora_a, lora_b, scaling)
    case.forwards[LATHE] = lambda: lora_linear(x, weight, None, lora_a, lora_b, scaling)
    # Liger-Kernel has no LoRA linear: no Liger column for this op.
    return case


def _linear_cross_entropy_case(
    make: _Maker, shape: ModelShape, tokens: int, liger: ModuleType | None
) -> Case:
    hidden = make.randn(tokens, shape.hidden, grad=True)
    weight = make.randn(shape.vocab, shape.hidden, scale=shape.hidden**-0.5)  # frozen LM head
    targets = torch.randint(0, shape.vocab, (tokens,), device=make.device)
    targets[::10] = IGNORE_INDEX  # some prompt/padding positions, as in SFT
    case = Case(
        "linear_cross_entropy",
        f"linear_cross_entropy [{tokens}, {shape.hidden}] x vocab {shape.vocab}",
        [hidden],
    )
    case.forwards[EAGER] = lambda: linear_cross_entropy_reference(hidden, weight, targets)
    case.forwards[LATHE] = lambda: linear_cross_entropy(hidden, weight, targets)
    if liger is not None:
        case.forwards[LIGER] = lambda: liger.liger_fused_linear_cross_entropy(
            hidden, weight, targets, ignore_index=IGNORE_INDEX
        )
    return case


def build_cases(
    op: str,
    shape: ModelShape,
    tokens: int,
    rank: int,
    liger: ModuleType | None,
    device: str = "cuda",
) -> list[Case]:
    """The cases of one op at one shape (lora_linear: the widening and the narrowing projection)."""
    make = _Maker(device)
    if op == "rms_norm":
        return [_rms_norm_case(make, shape, tokens, liger)]
    if op == "rope":
        return [_rope_case(make, shape, tokens, liger)]
    if op == "swiglu":
        return [_swiglu_case(make, shape, tokens, liger)]
    if op == "lora_linear":
        return [
            _lora_linear_case(make, tokens, shape.hidden, shape.intermediate, rank, "up"),
            _lora_linear_case(make, tokens, shape.intermediate, shape.hidden, rank, "down"),
        ]
    if op == "linear_cross_entropy":
        return [_linear_cross_entropy_case(make, shape, tokens, liger)]
    raise ValueError(f"unknown op {op!r}; one of {', '.join(OPS)}")
