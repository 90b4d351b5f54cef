"""The tensor plan: names, storage types and fallbacks, and the Q/K row order transformers'
GGUF reader undoes."""

from __future__ import annotations

import numpy as np
from gguf import GGMLQuantizationType
from transformers.modeling_gguf_pytorch_utils import LlamaTensorProcessor

from lathe.export.artifacts.gguf_arch import LlamaShape
from lathe.export.artifacts.gguf_tensors import permute_for_llama_cpp, plan_tensors

ARCH = LlamaShape(
    context_length=64,
    embedding_length=48,
    block_count=1,
    feed_forward_length=64,
    head_count=4,
    head_count_kv=2,
    head_dim=12,
    rope_freq_base=10000.0,
    rms_eps=1e-6,
)
SHAPES = {
    "model.embed_tokens.weight": (100, 48),
    "model.layers.0.self_attn.q_proj.weight": (48, 48),
    "model.layers.0.self_attn.k_proj.weight": (24, 48),
    "model.layers.0.mlp.down_proj.weight": (48, 64),
    "model.layers.0.input_layernorm.weight": (48,),
    "model.norm.weight": (48,),
    "lm_head.weight": (100, 48),
}


def test_rows_that_are_not_whole_blocks_fall_back_to_f16() -> None:
    lines: list[str] = []
    plans = plan_tensors(SHAPES, arch=ARCH, quant="Q8_0", tied=False, log=lines.append)
    types = {plan.name: plan.qtype for plan in plans}

    assert types == {
        "token_embd.weight": GGMLQuantizationType.F16,  # rows of 48
        "blk.0.attn_q.weight": GGMLQuantizationType.F16,
        "blk.0.attn_k.weight": GGMLQuantizationType.F16,
        "blk.0.ffn_down.weight": GGMLQuantizationType.Q8_0,  # rows of 64
        "blk.0.attn_norm.weight": GGMLQuantizationType.F32,
        "output_norm.weight": GGMLQuantizationType.F32,
        "output.weight": GGMLQuantizationType.F16,
    }
    assert len(lines) == 4
    assert lines[0] == (
        "token_embd.weight: rows of 48 values are not a multiple of the Q8_0 block (32); "
        "stored as F16"
    )
    heads = {plan.name: plan.permute_heads for plan in plans if plan.permute_heads}
    assert heads == {"blk.0.attn_q.weight": 4, "blk.0.attn_k.weight": 2}


def test_tied_output_is_dropped_and_kept_at_q8_0_in_low_bit_files() -> None:
    shapes = {**SHAPES, "model.embed_tokens.weight": (100, 64), "lm_head.weight": (100, 64)}
    plans = plan_tensors(shapes, arch=ARCH, quant="Q4_0", tied=True, log=lambda _line: None)
    types = {plan.name: plan.qtype for plan in plans}
    assert "output.weight" not in types
    assert types["token_embd.weight"] == GGMLQuantizationType.Q8_0
    assert types["blk.0.ffn_down.weight"] == GGMLQuantizationType.Q4_0


def test_permutation_is_what_transformers_undoes() -> None:
    rows = np.arange(24 * 6, dtype=np.float32).reshape(24, 6)
    config = {"num_attention_heads": 4, "num_key_value_heads": 2}
    processor = LlamaTensorProcessor(config=config)  # type: ignore[no-untyped-call]
    for heads, name in ((4, "blk.0.attn_q.weight"), (2, "blk.0.attn_k.weight")):
        stored = permute_for_llama_cpp(rows, heads)
        assert not np.array_equal(stored, rows)
        restored = processor.process(stored, name)  # type: ignore[no-untyped-call]
        assert np.array_equal(restored.weights, rows)
