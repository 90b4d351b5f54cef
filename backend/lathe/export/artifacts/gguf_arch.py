"""Which models the GGUF writer takes, and the llama.cpp architecture metadata it writes for them.

llama.cpp's `llama` architecture is the plain Llama decoder: RMSNorm, rotary positions with the
default frequencies, SwiGLU, no biases. LlamaForCausalLM (SmolLM2, TinyLlama, ...) maps onto it,
and so does MistralForCausalLM when its sliding window never applies. Anything that would load
into llama.cpp or transformers as a different function than the model we trained is refused
with the reason, never written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lathe.errors import InvalidInput

if TYPE_CHECKING:
    from gguf import GGUFWriter
    from transformers import PretrainedConfig

GGUF_ARCH = "llama"
SUPPORTED_ARCHITECTURES = {"LlamaForCausalLM": "llama", "MistralForCausalLM": "mistral"}
FORMAT_FIELD = "format"


@dataclass(frozen=True)
class LlamaShape:
    context_length: int
    embedding_length: int
    block_count: int
    feed_forward_length: int
    head_count: int
    head_count_kv: int
    head_dim: int
    rope_freq_base: float
    rms_eps: float


def architecture_name(config: PretrainedConfig | dict[str, Any]) -> str:
    """How the config names its architecture: the class in `architectures`, else model_type."""
    values = config if isinstance(config, dict) else config.to_dict()
    architectures = values.get("architectures") or []
    if architectures:
        return str(architectures[0])
    return str(values.get("model_type") or "an unknown architecture")


def _refuse(architecture: str, reason: str) -> InvalidInput:
    return InvalidInput(f"{architecture} cannot be exported to GGUF: {reason}", field=FORMAT_FIELD)


def _rope_theta(config: PretrainedConfig) -> tuple[str, float]:
    parameters = getattr(config, "rope_parameters", None) or {}
    rope_type = str(parameters.get("rope_type") or parameters.get("type") or "default")
    theta = parameters.get("rope_theta", getattr(config, "rope_theta", None))
    return rope_type, float(theta if theta is not None else 10000.0)


def check_supported(architecture: str, model_type: str | None) -> None:
    """InvalidInput (field format) naming `architecture` unless llama GGUF files carry it."""
    if SUPPORTED_ARCHITECTURES.get(architecture) != model_type:
        supported = " and ".join(SUPPORTED_ARCHITECTURES)
        named = (
            f"{architecture} (model_type {model_type})"
            if architecture in SUPPORTED_ARCHITECTURES and model_type is not None
            else architecture
        )
        raise _refuse(
            named, f"the GGUF writer supports {supported} (llama.cpp's llama architecture)"
        )


def check_architecture(config: PretrainedConfig, architecture: str) -> LlamaShape:
    """The shape of a model of class `architecture` in llama.cpp's terms; InvalidInput (field
    format) naming the architecture, or the setting, that llama GGUF files cannot express."""
    check_supported(architecture, getattr(config, "model_type", None))
    if getattr(config, "attention_bias", False) or getattr(config, "mlp_bias", False):
        raise _refuse(architecture, "its attention or MLP layers have biases")
    if getattr(config, "hidden_act", "silu") != "silu":
        raise _refuse(architecture, f"its activation is {config.hidden_act}, not silu")
    rope_type, theta = _rope_theta(config)
    if rope_type != "default":
        raise _refuse(architecture, f"its rotary embedding uses {rope_type!r} scaling")
    window = getattr(config, "sliding_window", None)
    if window is not None and window < config.max_position_embeddings:
        raise _refuse(
            architecture,
            f"its sliding attention window ({window} tokens) is shorter than its context "
            f"({config.max_position_embeddings} tokens)",
        )
    heads = int(config.num_attention_heads)
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // heads
    return LlamaShape(
        context_length=int(config.max_position_embeddings),
        embedding_length=int(config.hidden_size),
        block_count=int(config.num_hidden_layers),
        feed_forward_length=int(config.intermediate_size),
        head_count=heads,
        head_count_kv=int(getattr(config, "num_key_value_heads", None) or heads),
        head_dim=int(head_dim),
        rope_freq_base=theta,
        rms_eps=float(config.rms_norm_eps),
    )


def add_architecture(writer: GGUFWriter, shape: LlamaShape, *, vocab_size: int) -> None:
    writer.add_context_length(shape.context_length)
    writer.add_embedding_length(shape.embedding_length)
    writer.add_block_count(shape.block_count)
    writer.add_feed_forward_length(shape.feed_forward_length)
    writer.add_head_count(shape.head_count)
    writer.add_head_count_kv(shape.head_count_kv)
    writer.add_rope_freq_base(shape.rope_freq_base)
    writer.add_layer_norm_rms_eps(shape.rms_eps)
    writer.add_vocab_size(vocab_size)
    writer.add_rope_dimension_count(shape.head_dim)
    if shape.head_dim * shape.head_count != shape.embedding_length:
        # llama.cpp derives the head size from the width unless told otherwise.
        writer.add_key_length(shape.head_dim)
        writer.add_value_length(shape.head_dim)
