"""Tiny random Llama-family causal LMs, LoRA-wrapped copies of them, and batches to feed them
(the Llama is tests/backend's factory model)."""

from __future__ import annotations

import copy
from typing import Any

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import (
    MistralConfig,
    MistralForCausalLM,
    PreTrainedModel,
    Qwen2Config,
    Qwen2ForCausalLM,
    Qwen3Config,
    Qwen3ForCausalLM,
)

from tests.backend.models.factories import build_tiny_llama

_OTHERS: dict[str, tuple[type, type]] = {
    "mistral": (MistralConfig, MistralForCausalLM),
    "qwen2": (Qwen2Config, Qwen2ForCausalLM),  # biased q/k/v projections
    "qwen3": (Qwen3Config, Qwen3ForCausalLM),  # RMSNorm on the q and k heads too
}
ARCHITECTURES = ("llama", "llama-tied", *_OTHERS)


def tiny_causal_lm(
    architecture: str,
    *,
    layers: int = 2,
    hidden: int = 32,
    vocab: int = 300,
    heads: int = 4,
    kv_heads: int = 2,
    seed: int = 0,
) -> PreTrainedModel:
    """A random model in fp32 and train mode; "llama" and "llama-tied" (an LM head tied to the
    embeddings, as SmolLM2's) come from the backend factory and ignore the sizes."""
    if architecture in ("llama", "llama-tied"):
        model: PreTrainedModel = build_tiny_llama(tie=architecture == "llama-tied", seed=seed)
    else:
        config_class, model_class = _OTHERS[architecture]
        config = config_class(
            vocab_size=vocab,
            hidden_size=hidden,
            intermediate_size=2 * hidden,
            num_hidden_layers=layers,
            num_attention_heads=heads,
            num_key_value_heads=kv_heads,
            head_dim=hidden // heads,
            max_position_embeddings=128,
            tie_word_embeddings=False,
        )
        torch.manual_seed(seed)
        model = model_class(config)
    model.train()
    return model


def with_lora(
    model: PreTrainedModel,
    *,
    targets: Any = "all-linear",
    seed: int = 1,
    init_lora_weights: bool = False,
    **options: Any,
) -> PeftModel:
    """`model` with a rank-4 LoRA adapter. By default A and B are both random: peft's own
    initialisation (B = 0) would leave every A gradient and the adapter's share of each output
    zero, which a comparison could not tell from a broken kernel."""
    torch.manual_seed(seed)
    config = LoraConfig(
        r=4,
        lora_alpha=8,
        target_modules=targets,
        init_lora_weights=init_lora_weights,
        **options,
    )
    wrapped: PeftModel = get_peft_model(model, config)
    return wrapped


def twin(model: torch.nn.Module) -> Any:
    return copy.deepcopy(model)


def batch(vocab: int, *, rows: int = 2, tokens: int = 7, seed: int = 2) -> dict[str, torch.Tensor]:
    """input_ids, attention_mask and labels with a masked prompt and a right-padded row."""
    generator = torch.Generator().manual_seed(seed)
    input_ids = torch.randint(0, vocab, (rows, tokens), generator=generator)
    attention_mask = torch.ones(rows, tokens, dtype=torch.long)
    attention_mask[-1, -2:] = 0
    labels = input_ids.clone()
    labels[:, :2] = -100
    labels[attention_mask == 0] = -100
    return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}
