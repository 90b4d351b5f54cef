"""One variant of bench/train_gpu.py's LoRA SFT run, in its own process: random-init Llama-family
models (no download) wrapped by peft, trained a few steps on random token batches, timed.

Variants: "hf-peft" (transformers + peft as they come), "hf-peft-liger" (the same after
Liger-Kernel's apply_liger_kernel_to_llama, which patches transformers' Llama module globally:
the reason each variant gets a fresh process) and "lathe" (lathe_kernels.patch.patch_model on
the peft model). Everything else is the same for all: the seed (so the same initial weights and
LoRA init), the batches, bf16 weights under bf16 autocast (as transformers' Trainer with
bf16=True), sdpa attention, AdamW, gradient clipping at 1.0 and the gradient-checkpointing
choice."""

from __future__ import annotations

import importlib
import math
import time
from dataclasses import dataclass
from typing import Any

import torch

VARIANTS = ("hf-peft", "hf-peft-liger", "lathe")
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
IGNORE_INDEX = -100
PAD_ID = 0

# Shapes of the public checkpoints (random weights here): SmolLM2-135M and Llama-3.2-1B.
MODELS: dict[str, dict[str, Any]] = {
    "smollm2-135m": {
        "label": "SmolLM2-135M",
        "hidden_size": 576,
        "intermediate_size": 1536,
        "num_hidden_layers": 30,
        "num_attention_heads": 9,
        "num_key_value_heads": 3,
        "vocab_size": 49_152,
        "rope_theta": 100_000.0,
    },
    "llama-1b": {
        "label": "Llama-3.2-1B",
        "hidden_size": 2048,
        "intermediate_size": 8192,
        "num_hidden_layers": 16,
        "num_attention_heads": 32,
        "num_key_value_heads": 8,
        "vocab_size": 128_256,
        "rope_theta": 500_000.0,
    },
}


@dataclass(frozen=True)
class RunSpec:
    variant: str
    models: tuple[str, ...]
    seq_len: int
    batch_size: int
    warmup_steps: int
    steps: int
    rank: int
    gradient_checkpointing: bool
    min_length_fraction: float
    seed: int


@dataclass(frozen=True)
class RunResult:
    """One variant on one model; error is set (and the numbers None) when it could not run."""

    variant: str
    model: str
    tokens_per_s: float | None = None
    peak_bytes: int | None = None
    first_loss: float | None = None
    last_loss: float | None = None
    grad_norm: float | None = None
    flops_per_token: float | None = None
    note: str = ""
    error: str | None = None


def model_config(key: str) -> Any:
    from transformers import LlamaConfig

    shape = dict(MODELS[key])
    shape.pop("label")
    rope_theta = shape.pop("rope_theta")
    return LlamaConfig(
        **shape,
        head_dim=shape["hidden_size"] // shape["num_attention_heads"],
        max_position_embeddings=8192,
        rms_norm_eps=1e-5,
        tie_word_embeddings=True,
        rope_parameters={"rope_type": "default", "rope_theta": rope_theta},
        use_cache=False,
    )


def build_model(
    config: Any, variant: str, rank: int, gradient_checkpointing: bool, device: str
) -> tuple[torch.nn.Module, str]:
    """The peft-wrapped model of one variant and a line saying what runs on kernels."""
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaForCausalLM

    note = "transformers + peft"
    if variant == "hf-peft-liger":
        liger = importlib.import_module("liger_kernel.transformers")
        liger.apply_liger_kernel_to_llama()
        note = "Liger: RoPE, RMSNorm, SwiGLU, fused linear cross-entropy"
    with torch.device(device):
        llama: Any = LlamaForCausalLM(config).bfloat16()
    if gradient_checkpointing:
        llama.activation_checkpointing_enable({"use_reentrant": False})
    lora = LoraConfig(
        r=rank,
        lora_alpha=2 * rank,
        lora_dropout=0.0,
        target_modules=list(LORA_TARGETS),
        task_type="CAUSAL_LM",
    )
    model: torch.nn.Module = get_peft_model(llama, lora)
    if variant == "lathe":
        from lathe_kernels.patch import patch_model

        note = "Lathe: " + patch_model(model).describe()
    return model, note


def make_batches(
    vocab_size: int,
    batch_size: int,
    seq_len: int,
    count: int,
    min_length_fraction: float,
    seed: int,
    device: str,
) -> list[dict[str, torch.Tensor]]:
    """Random token batches, right-padded: each row keeps a random length in
    [min_length_fraction * seq_len, seq_len]; padding is masked out and labelled IGNORE_INDEX."""
    generator = torch.Generator().manual_seed(seed)
    shortest = max(1, int(seq_len * min_length_fraction))
    batches = []
    for _ in range(count):
        input_ids = torch.randint(1, vocab_size, (batch_size, seq_len), generator=generator)
        lengths = torch.randint(shortest, seq_len + 1, (batch_size,), generator=generator)
        mask = torch.arange(seq_len)[None, :] < lengths[:, None]
        input_ids[~mask] = PAD_ID
        labels = input_ids.masked_fill(~mask, IGNORE_INDEX)
        batches.append(
            {
                "input_ids": input_ids.to(device),
                "attention_mask": mask.long().to(device),
                "labels": labels.to(device),
            }
        )
    return batches


def train_step(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    batch: dict[str, torch.Tensor],
    device_type: str,
) -> tuple[float, float]:
    """(loss, gradient norm of the LoRA parameters before clipping); one optimizer step."""
    with torch.autocast(device_type, dtype=torch.bfloat16):
        loss = model(**batch).loss
    torch.autograd.backward(loss)
    trainable = [p for p in model.parameters() if p.requires_grad]
    grad_norm = torch.nn.utils.clip_grad_norm_(trainable, max_norm=1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return float(loss.detach()), float(grad_norm)


def lora_flops_per_token(config: Any, seq_len: int, lora_params: int) -> float:
    """The FLOPs one token of LoRA training needs (the numerator of LoRA-MFU):
    forward 2 * N (every frozen matmul weight: the block projections and the LM head) plus
    2 * N_lora; backward only the activation gradients through the frozen weights, 2 * N (no
    weight gradients for them), plus 4 * N_lora (activation and parameter gradients of the
    adapters); attention scores and values, causal (half the T x T square), 2 * L * T * d_attn
    forward and twice that backward. Recomputation by gradient checkpointing is not counted."""
    hidden = config.hidden_size
    head_dim = config.head_dim
    attention = hidden * head_dim * (config.num_attention_heads + config.num_key_value_heads)
    attention += config.num_attention_heads * head_dim * hidden  # o_proj
    mlp = 3 * hidden * config.intermediate_size
    frozen = config.num_hidden_layers * (attention + mlp) + config.vocab_size * hidden
    attention_scores = (
        2 * config.num_hidden_layers * seq_len * config.num_attention_heads * head_dim
    )
    return float(4 * frozen + 6 * lora_params + 3 * attention_scores)


def _train_one(spec: RunSpec, key: str) -> RunResult:
    config = model_config(key)
    torch.manual_seed(spec.seed)
    model, note = build_model(config, spec.variant, spec.rank, spec.gradient_checkpointing, "cuda")
    model.train()
    lora_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=2e-4, fused=True
    )
    batches = make_batches(
        config.vocab_size,
        spec.batch_size,
        spec.seq_len,
        spec.warmup_steps + spec.steps,
        spec.min_length_fraction,
        spec.seed,
        "cuda",
    )
    first_loss, _ = train_step(model, optimizer, batches[0], "cuda")
    for batch in batches[1 : spec.warmup_steps]:
        train_step(model, optimizer, batch, "cuda")
    timed = batches[spec.warmup_steps :]
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    loss = grad_norm = math.nan
    for batch in timed:
        loss, grad_norm = train_step(model, optimizer, batch, "cuda")
    torch.cuda.synchronize()
    seconds = time.perf_counter() - started
    tokens = sum(int(batch["attention_mask"].sum()) for batch in timed)
    return RunResult(
        variant=spec.variant,
        model=key,
        tokens_per_s=tokens / seconds,
        peak_bytes=torch.cuda.max_memory_allocated(),
        first_loss=first_loss,
        last_loss=loss,
        grad_norm=grad_norm,
        flops_per_token=lora_flops_per_token(config, spec.seq_len, lora_params),
        note=note,
    )


def run_variant(spec: RunSpec) -> list[RunResult]:
    """Every model of the spec with one variant (the entry point of the child process)."""
    results = []
    for key in spec.models:
        try:
            results.append(_train_one(spec, key))
        except Exception as error:  # report it beside the variants that ran
            results.append(RunResult(spec.variant, key, error=f"{type(error).__name__}: {error}"))
        torch.cuda.empty_cache()
    return results
