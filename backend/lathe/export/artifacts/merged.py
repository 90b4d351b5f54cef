"""`merged` export: the adapter merged into the base weights (PEFT `merge_and_unload` in
float32, then cast once to the requested dtype), saved as a transformers model folder with the
tokenizer, chat template and a README model card; sharded safetensors past SHARD_SIZE.

Verified by loading the folder back with `AutoModelForCausalLM.from_pretrained` and comparing
its logits with base + adapter through PEFT on the fixed prompts. The folder is loaded upcast to
float32, so the number measures what the file stores (the merge and the rounding to its dtype),
not the arithmetic of whichever half-precision runtime a user picks. The limit on the largest
logit difference is TOLERANCE[dtype] times the logit scale (largest |logit|, at least 1):
- fp32: 1e-4 (see merge.MERGE_LIMIT: float32 arithmetic noise, which grows with the logits).
- fp16 / bf16: 16 unit roundoffs (fp16 2^-11, bf16 2^-8). Rounding every weight to the dtype
  moves it by up to one unit roundoff; SmolLM2-135M's logits then move by 3.3 (fp16) and 1.8
  (bf16) unit roundoffs times the scale, tiny models' by 0.4.
In every dtype the difference must also stay under half the adapter's own effect, so an export
that lost the adapter fails even where rounding allows more."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from lathe.export.artifacts.files import staged_folder
from lathe.export.artifacts.merge import (
    MERGE_LIMIT,
    MergedModel,
    logit_scale,
    merge_adapter,
    merge_check,
)
from lathe.export.artifacts.outcome import Built, PhaseClock
from lathe.export.artifacts.prompts import logits_of
from lathe.export.artifacts.readme import write_model_card
from lathe.export.spec import ExportSpec, Log, Progress
from lathe.models.reasons import short_reason

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedTokenizerBase

SHARD_SIZE = "2GB"
HALF_ROUNDOFFS = 16
TOLERANCE = {
    "fp32": MERGE_LIMIT,
    "fp16": HALF_ROUNDOFFS * 2.0**-11,
    "bf16": HALF_ROUNDOFFS * 2.0**-8,
}


def torch_dtype(name: str) -> torch.dtype:
    import torch

    return {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[name]


def merge_limit(dtype: str, reference: list[torch.Tensor]) -> float:
    return TOLERANCE[dtype] * logit_scale(reference)


def write_merged(
    spec: ExportSpec, merged: MergedModel, tokenizer: PreTrainedTokenizerBase, folder: Path
) -> None:
    import torch

    model = merged.model
    # Cast once, after the float32 merge. In place: transformers' typed .to is wrong.
    torch.nn.Module.to(model, torch_dtype(spec.dtype))
    with staged_folder(folder) as work:
        model.save_pretrained(str(work), max_shard_size=SHARD_SIZE)
        tokenizer.save_pretrained(str(work))
        write_model_card(spec, work, "merged", dtype=spec.dtype)


def verify_merged(spec: ExportSpec, merged: MergedModel, folder: Path) -> dict[str, dict[str, Any]]:
    import torch
    from transformers import AutoModelForCausalLM

    try:
        loaded = AutoModelForCausalLM.from_pretrained(
            str(folder), dtype=torch.float32, local_files_only=True
        )
    except (OSError, ValueError, KeyError, RuntimeError) as error:
        failed = {
            "passed": False,
            "error": f"the merged model does not load back: {short_reason(error)}",
        }
        return {"adapter_effect": merged.effect, "merged_vs_adapter": failed}
    loaded.train(False)
    reference = merged.adapter_logits
    check = merge_check(
        reference,
        logits_of(loaded, merged.prompts),
        merged.prompts,
        limit=merge_limit(spec.dtype, reference),
        effect=merged.effect,
    )
    return {
        "adapter_effect": merged.effect,
        "merged_vs_adapter": {**check, "dtype": spec.dtype, "loaded_as": "float32"},
    }


def build_merged(
    spec: ExportSpec, tokenizer: PreTrainedTokenizerBase, progress: Progress, log: Log
) -> Built:
    folder = spec.out_dir / spec.name
    clock = PhaseClock()
    progress(0.0, "merging the adapter into the base weights (float32)")
    merged = merge_adapter(spec.base_dir, spec.adapter_dir, tokenizer)
    clock.lap("merge")
    progress(0.3, f"saving the merged model ({spec.dtype})")
    write_merged(spec, merged, tokenizer, folder)
    shards = len(list(folder.glob("*.safetensors")))
    log(f"saved the merged model ({spec.dtype}, {shards} safetensors file(s)) to {folder.name}/")
    clock.lap("write")
    progress(0.6, "verifying: loading the merged model with transformers")
    verification = verify_merged(spec, merged, folder)
    clock.lap("verify")
    return Built(primary=spec.name, verification=verification, seconds=clock.seconds)
