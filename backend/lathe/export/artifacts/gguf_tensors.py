"""The weights of a Llama model as llama.cpp lays them out: tensor names from gguf's
TensorNameMap, Q/K rows permuted into llama.cpp's rotary order, the output matrix left out when
it is the embedding matrix, and each tensor's storage type for the requested quantisation.

Storage types follow llama.cpp's converter and llama-quantize: 1-D tensors (norms) stay F32;
matrices take the requested type; a matrix whose rows are not a whole number of quantisation
blocks falls back to F16; in 4- and 5-bit files the output matrix (or the tied embedding, which
is the output) is kept at Q8_0, as llama-quantize keeps it above the rest (Q6_K there, a
K-quant the gguf package cannot write)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from math import prod
from typing import TYPE_CHECKING, get_args

import numpy as np
from gguf import (
    GGML_QUANT_SIZES,
    MODEL_ARCH,
    MODEL_TENSOR,
    GGMLQuantizationType,
    LlamaFileType,
    get_tensor_name_map,
)
from gguf.quants import quant_shape_to_byte_shape, quantize

from lathe.errors import InvalidInput
from lathe.export.artifacts.gguf_arch import FORMAT_FIELD, LlamaShape
from lathe.export.spec import GgufQuant, Log

if TYPE_CHECKING:
    import torch

QUANT_TYPES: dict[str, GGMLQuantizationType] = {
    name: GGMLQuantizationType[name] for name in get_args(GgufQuant)
}
FILE_TYPES: dict[str, LlamaFileType] = {
    "F32": LlamaFileType.ALL_F32,
    "F16": LlamaFileType.MOSTLY_F16,
    "BF16": LlamaFileType.MOSTLY_BF16,
    "Q8_0": LlamaFileType.MOSTLY_Q8_0,
    "Q4_0": LlamaFileType.MOSTLY_Q4_0,
    "Q4_1": LlamaFileType.MOSTLY_Q4_1,
    "Q5_0": LlamaFileType.MOSTLY_Q5_0,
    "Q5_1": LlamaFileType.MOSTLY_Q5_1,
}
LOW_BIT = frozenset({"Q4_0", "Q4_1", "Q5_0", "Q5_1"})
OUTPUT_TYPE_LOW_BIT = GGMLQuantizationType.Q8_0
FALLBACK_TYPE = GGMLQuantizationType.F16


@dataclass(frozen=True)
class TensorPlan:
    source: str  # the name in the transformers state dict
    name: str  # the llama.cpp name
    shape: tuple[int, ...]  # transformers' (rows, columns) order
    qtype: GGMLQuantizationType
    permute_heads: int | None  # Q/K: rows regrouped per head for llama.cpp's rotary layout

    @property
    def nbytes(self) -> int:
        return prod(quant_shape_to_byte_shape(self.shape, self.qtype))


def permute_for_llama_cpp(weight: np.ndarray, heads: int) -> np.ndarray:
    """llama.cpp rotates interleaved pairs where transformers rotates the two halves of each
    head; its converter regroups the Q/K rows to match, and transformers' GGUF reader undoes it
    (LlamaTensorProcessor), so the file must carry them regrouped."""
    return (
        weight.reshape(heads, 2, weight.shape[0] // heads // 2, *weight.shape[1:])
        .swapaxes(1, 2)
        .reshape(weight.shape)
    )


def _storage_type(
    name: str, shape: tuple[int, ...], quant: str, *, is_output: bool, log: Log
) -> GGMLQuantizationType:
    if len(shape) <= 1 or name.endswith("_norm.weight") or quant == "F32":
        return GGMLQuantizationType.F32
    wanted = OUTPUT_TYPE_LOW_BIT if is_output and quant in LOW_BIT else QUANT_TYPES[quant]
    block_size = GGML_QUANT_SIZES[wanted][0]
    if shape[-1] % block_size:
        log(
            f"{name}: rows of {shape[-1]} values are not a multiple of the {wanted.name} "
            f"block ({block_size}); stored as {FALLBACK_TYPE.name}"
        )
        return FALLBACK_TYPE
    return wanted


def plan_tensors(
    shapes: Mapping[str, tuple[int, ...]],
    *,
    arch: LlamaShape,
    quant: str,
    tied: bool,
    log: Log,
) -> list[TensorPlan]:
    """One entry per tensor to write, in state-dict order; InvalidInput (field format) naming a
    tensor llama.cpp has no place for."""
    names = get_tensor_name_map(MODEL_ARCH.LLAMA, arch.block_count)
    output_tensor = MODEL_TENSOR.TOKEN_EMBD if tied else MODEL_TENSOR.OUTPUT
    plans: list[TensorPlan] = []
    for source, shape in shapes.items():
        if tied and source == "lm_head.weight":
            continue  # tied: no output.weight; llama.cpp and transformers reuse token_embd
        found = names.get_type_and_name(source, try_suffixes=(".weight", ".bias"))
        if found is None:
            raise InvalidInput(
                f"tensor {source} of the model has no place in a llama GGUF file",
                field=FORMAT_FIELD,
            )
        kind, name = found
        heads = {
            MODEL_TENSOR.ATTN_Q: arch.head_count,
            MODEL_TENSOR.ATTN_K: arch.head_count_kv,
        }.get(kind)
        qtype = _storage_type(name, shape, quant, is_output=kind == output_tensor, log=log)
        plans.append(TensorPlan(source, name, tuple(shape), qtype, heads))
    return plans


def tensor_data(plan: TensorPlan, weight: torch.Tensor) -> np.ndarray:
    """The bytes (or floats) written for `plan`, from the model's float tensor."""
    import torch

    array = weight.detach().to(torch.float32).cpu().numpy()
    if plan.permute_heads is not None:
        array = permute_for_llama_cpp(array, plan.permute_heads)
    data: np.ndarray = quantize(np.ascontiguousarray(array), plan.qtype)
    return data
