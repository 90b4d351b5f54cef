"""The models Lathe's kernels can patch, by transformers class name (kept apart from patch.py so
that checking a model's architecture does not import Triton)."""

from __future__ import annotations

__all__ = ["SUPPORTED_ARCHITECTURES", "SWIGLU_ACTIVATIONS"]

# SmolLM and SmolLM2 are LlamaForCausalLM.
SUPPORTED_ARCHITECTURES = (
    "LlamaForCausalLM",
    "MistralForCausalLM",
    "Qwen2ForCausalLM",
    "Qwen3ForCausalLM",
)
# The MLP activations the SwiGLU kernel computes (transformers' names for silu).
SWIGLU_ACTIVATIONS = ("silu", "swish")
