"""Tiny models built in the test itself: a byte-level BPE tokenizer, random 2-layer Llama
folders, and F32 GGUF files written from them with the export's GGUF writer. Nothing is
downloaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

from lathe.export.artifacts.gguf_writer import write_gguf as write_llama_gguf

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
VOCAB_SIZE = 300
HIDDEN_SIZE = 32
NUM_LAYERS = 2
NUM_HEADS = 4
NUM_KV_HEADS = 2
CONTEXT_LENGTH = 128
ROPE_THETA = 10000.0
_CORPUS = [
    "hello world, this is a tiny model for tests",
    "the quick brown fox jumps over the lazy dog",
    "a user asks and the assistant answers",
]


def build_bpe_tokenizer() -> Tokenizer:
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(_CORPUS * 10, trainer)
    return tokenizer


def wrap_tokenizer(tokenizer: Tokenizer, *, chat_template: bool = True) -> PreTrainedTokenizerFast:
    wrapped = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=tokenizer,
        bos_token="<|im_start|>",
        eos_token="<|im_end|>",
        unk_token="<|endoftext|>",
        pad_token="<|im_end|>",
    )
    if chat_template:
        wrapped.chat_template = CHAT_TEMPLATE
    return wrapped


def build_tiny_llama(*, tie: bool = False, seed: int = 0) -> LlamaForCausalLM:
    config = LlamaConfig(
        vocab_size=VOCAB_SIZE,
        hidden_size=HIDDEN_SIZE,
        intermediate_size=64,
        num_hidden_layers=NUM_LAYERS,
        num_attention_heads=NUM_HEADS,
        num_key_value_heads=NUM_KV_HEADS,
        max_position_embeddings=CONTEXT_LENGTH,
        rope_parameters={"rope_type": "default", "rope_theta": ROPE_THETA},
        bos_token_id=1,
        eos_token_id=2,
        pad_token_id=2,
        tie_word_embeddings=tie,
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    model.train(False)
    return model


def write_model_folder(
    dest: Path,
    tokenizer: Tokenizer,
    *,
    chat_template: bool = True,
    tie: bool = False,
    dtype: torch.dtype = torch.float32,
    max_shard_size: str | None = None,
    seed: int = 0,
) -> LlamaForCausalLM:
    """Save a random tiny Llama and its tokenizer into `dest`; returns the model."""
    model = build_tiny_llama(tie=tie, seed=seed)
    torch.nn.Module.to(model, dtype)  # in place; transformers' typed wrapper of .to is wrong
    extra: dict[str, Any] = {"max_shard_size": max_shard_size} if max_shard_size else {}
    model.save_pretrained(str(dest), **extra)
    wrap_tokenizer(tokenizer, chat_template=chat_template).save_pretrained(str(dest))
    return model


def write_gguf(
    dest: Path, model: LlamaForCausalLM, tokenizer: Tokenizer, *, chat_template: bool = True
) -> Path:
    """Write `model` and `tokenizer` as an F32 llama GGUF file at `dest`, with the export's
    GGUF writer (llama.cpp tensor names and layout, tokenizer metadata)."""
    write_llama_gguf(
        dest,
        model,
        wrap_tokenizer(tokenizer, chat_template=chat_template),
        quant="F32",
        name="tiny llama",
        log=lambda _line: None,
    )
    return dest
