"""Convergence: a 4-layer mini-Llama with LoRA on every linear projection, trained 32 steps from
the same seed with Lathe's kernels (interpreted) and without: the same loss at every step and
the same adapter at the end.

Each step's loss is summed over the target tokens and divided by their count, passed as
transformers' num_items_in_batch, as the training engine's Trainer does. (One micro-batch a
step: the interpreter's cost is per kernel launch. test_patch checks a divisor other than the
batch's own count.)"""

from __future__ import annotations

from typing import Any

import torch
from peft import PeftModel
from transformers import LlamaConfig, LlamaForCausalLM

from lathe_kernels.patch import patch_model
from tests.kernels.tiny_models import twin, with_lora

STEPS = 32
VOCAB = 256
LEARNING_RATE = 1e-2
# The two runs differ only in the order of floating-point sums, a few fp32 ulps per step
# (measured: 1.3e-5 apart in the loss, 5.9e-5 in the adapter weights after 32 steps). The
# issue's bound for the loss is 1e-3. Adam turns a gradient into a step of about the learning
# rate whatever its size, so where a gradient is near zero an ulp can change a step by a good
# part of 1e-2: the weights must agree to 5% of one step, 5e-4, plus 1e-3 relative.
LOSS_TOLERANCE = 1e-3
WEIGHT_TOLERANCE: dict[str, Any] = {"atol": 0.05 * LEARNING_RATE, "rtol": 1e-3}


def _mini_llama() -> PeftModel:
    config = LlamaConfig(
        vocab_size=VOCAB,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=4,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
    )
    torch.manual_seed(0)
    # peft's own initialisation, as in training; no dropout: the runs would draw other masks.
    return with_lora(LlamaForCausalLM(config), init_lora_weights=True, lora_dropout=0.0)


def _batch() -> dict[str, torch.Tensor]:
    """Four fixed sequences of a repeating pattern, the first tokens of each masked as a prompt
    would be, and one row right-padded."""
    generator = torch.Generator().manual_seed(3)
    pattern = torch.randint(0, VOCAB, (4, 5), generator=generator)
    input_ids = pattern.repeat(1, 4)[:, :16]
    attention_mask = torch.ones_like(input_ids)
    attention_mask[3, -3:] = 0
    labels = input_ids.masked_fill(attention_mask == 0, -100)
    labels[:, :3] = -100
    return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}


def _train(model: PeftModel) -> list[float]:
    model.train()
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=LEARNING_RATE, weight_decay=0.0
    )
    batch = _batch()
    targets = torch.tensor(int((batch["labels"][:, 1:] != -100).sum()))
    losses = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss = model(**batch, num_items_in_batch=targets).loss
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
    return losses


def test_training_with_kernels_follows_training_without() -> None:
    plain = _mini_llama()
    fused = twin(plain)
    report = patch_model(fused)
    assert (report.rms_norm, report.rope, report.swiglu, report.lora_linear) == (9, 4, 4, 28)

    plain_losses = _train(plain)
    fused_losses = _train(fused)

    # It learned (a frozen random base gives LoRA little to work with): the runs are comparable.
    assert plain_losses[-1] < 0.85 * plain_losses[0]
    for step, (want, got) in enumerate(zip(plain_losses, fused_losses, strict=True)):
        assert abs(got - want) <= LOSS_TOLERANCE, f"step {step}: {got} vs {want}"
    fused_state = fused.state_dict()
    adapter = {name: value for name, value in plain.state_dict().items() if "lora_" in name}
    assert len(adapter) == 2 * 28
    for name, value in adapter.items():
        torch.testing.assert_close(fused_state[name], value, **WEIGHT_TOLERANCE, msg=name)
