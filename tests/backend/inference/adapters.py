"""Registered models for generation and tokenizer tests: a tiny base model imported through
the registry, and LoRA adapters on it written with peft and registered as its adapters (the
training engine will register real ones the same way)."""

from __future__ import annotations

import warnings
from pathlib import Path

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, PreTrainedTokenizerBase

from lathe.db.engine import session_scope
from lathe.db.tables import ModelRow
from lathe.inference.loader import PEFT_DEPRECATION
from lathe.models.registry import model_dir
from lathe.settings import Settings


def register_adapter(
    settings: Settings,
    base: ModelRow,
    name: str,
    *,
    tokenizer: PreTrainedTokenizerBase | None = None,
    seed: int = 0,
) -> ModelRow:
    """A random (non-zero) LoRA adapter on `base`, saved under LATHE_HOME/models/<name>, with
    `tokenizer` saved beside it when given. A tokenizer larger than the base vocabulary grows
    the embeddings, which the adapter then carries (as training with added tokens does)."""
    model = AutoModelForCausalLM.from_pretrained(str(model_dir(settings, base)))
    torch.manual_seed(seed)
    grown = tokenizer is not None and len(tokenizer) > model.config.vocab_size
    if grown and tokenizer is not None:
        model.resize_token_embeddings(len(tokenizer))
    config = LoraConfig(
        r=4,
        lora_alpha=8,
        target_modules=["q_proj", "v_proj"],
        modules_to_save=["embed_tokens", "lm_head"] if grown else None,
        init_lora_weights=False,
    )
    folder: Path = settings.models_dir / name
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", PEFT_DEPRECATION, FutureWarning)
        get_peft_model(model, config).save_pretrained(str(folder), save_embedding_layers=grown)
    if tokenizer is not None:
        tokenizer.save_pretrained(str(folder))
    row = ModelRow(
        name=name, kind="adapter", source="test", path=name, parent_id=base.id, size_bytes=0
    )
    with session_scope(settings.resolved_database_url) as session:
        session.add(row)
    return row
