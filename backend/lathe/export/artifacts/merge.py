"""The fine-tuned model as users run it from the registered adapter (base + PEFT adapter, in
float32), its logits on the verification prompts, and the adapter merged into the base weights.
The merged and GGUF exports start here; their checks compare against these logits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lathe.export.artifacts.loading import attach_adapter, load_base
from lathe.export.artifacts.prompts import (
    PromptSet,
    context_length_of,
    logits_of,
    max_abs_diff,
    max_abs_logit,
    top1_matches,
    verification_prompts,
)

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

# Largest logit difference allowed between a float32 merged model and base + adapter, per unit
# of logit scale (the largest |logit|, at least 1). Both sides are float32 arithmetic, whose
# own error grows with depth and with the logits: on SmolLM2-135M (30 layers, |logits| up to
# 40) base + adapter in float32 already differs from the same in float64 by 1.0e-4, and the
# merged model from base + adapter by 1.1e-4. So 1e-4 is the limit at logits of scale 1 (tiny
# models measure ~2e-7) and grows with the scale (SmolLM2: 4e-3, 36 times what it measures).
MERGE_LIMIT = 1e-4
REGISTERED = "registered"


@dataclass(frozen=True)
class MergedModel:
    model: PreTrainedModel  # float32, on the CPU, adapter merged in
    prompts: PromptSet
    adapter_logits: list[torch.Tensor]  # base + adapter through PEFT, unmerged
    effect: dict[str, Any]  # how much the adapter changes the base's logits


def adapter_effect(
    base: list[torch.Tensor], adapted: list[torch.Tensor], prompts: PromptSet
) -> dict[str, Any]:
    """How far the adapter moves the base's logits. Zero means the adapter does nothing, and
    every check that compares an export with base + adapter would pass trivially."""
    difference = max_abs_diff(base, adapted)
    return {
        "max_abs_diff": difference,
        "top1_changed": prompts.positions - top1_matches(base, adapted),
        "positions": prompts.positions,
        "must_exceed": 0.0,
        "passed": difference > 0.0,
    }


def merge_adapter(
    base_dir: Path, adapter_dir: Path, tokenizer: PreTrainedTokenizerBase
) -> MergedModel:
    base = load_base(base_dir, vocab_size=len(tokenizer))
    prompts = verification_prompts(tokenizer, context_length_of(base))
    base_logits = logits_of(base, prompts)
    adapted = attach_adapter(base, adapter_dir, REGISTERED)
    adapter_logits = logits_of(adapted, prompts)
    # Merge in float32 (the base was loaded in it): casting happens once, after the sum.
    merged: PreTrainedModel = adapted.merge_and_unload()
    merged.train(False)
    return MergedModel(
        model=merged,
        prompts=prompts,
        adapter_logits=adapter_logits,
        effect=adapter_effect(base_logits, adapter_logits, prompts),
    )


def logit_scale(logits: list[torch.Tensor]) -> float:
    return max(1.0, max_abs_logit(logits))


def merge_check(
    reference: list[torch.Tensor],
    merged: list[torch.Tensor],
    prompts: PromptSet,
    *,
    limit: float,
    effect: dict[str, Any],
) -> dict[str, Any]:
    """Merged logits against base + adapter: within `limit`, and closer to base + adapter than
    half the adapter's own effect, so a model that lost the adapter can never pass, whatever
    the limit allows."""
    difference = max_abs_diff(reference, merged)
    effect_size = float(effect["max_abs_diff"])
    return {
        "max_abs_diff": difference,
        "limit": limit,
        "logit_scale": logit_scale(reference),
        "below_half_adapter_effect": difference < effect_size / 2,
        "passed": difference <= limit and difference < effect_size / 2,
        "prompts": len(prompts.ids),
        "positions": prompts.positions,
        "top1_agreement": top1_matches(reference, merged) / prompts.positions,
    }
