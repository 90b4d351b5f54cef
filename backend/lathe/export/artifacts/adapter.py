"""`adapter` export: the registered adapter's PEFT files (adapter_config.json and
adapter_model.safetensors, byte for byte), its tokenizer and a README model card, in a folder
named after the export. Verified by loading the export with `peft.PeftModel.from_pretrained`
onto the base, as its users will, and comparing logits with the registered adapter loaded the
same way; since those are equal by construction, the check also reports how far the adapter
moves the base's logits (it must move them, or the comparison proves nothing)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lathe.export.artifacts.files import staged_folder
from lathe.export.artifacts.loading import (
    ADAPTER_CONFIG,
    ADAPTER_WEIGHTS,
    attach_adapter,
    load_another_adapter,
    load_base,
)
from lathe.export.artifacts.merge import REGISTERED, adapter_effect
from lathe.export.artifacts.outcome import Built, PhaseClock
from lathe.export.artifacts.prompts import (
    context_length_of,
    logits_of,
    max_abs_diff,
    verification_prompts,
)
from lathe.export.artifacts.readme import write_model_card
from lathe.export.spec import ExportSpec, Log, Progress
from lathe.hashing import file_sha256

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

EXPORTED = "exported"
# The same files loaded the same way give the same logits; any difference is a broken copy.
ADAPTER_LIMIT = 1e-6


def write_adapter(spec: ExportSpec, tokenizer: PreTrainedTokenizerBase, folder: Path) -> None:
    with staged_folder(folder) as work:
        for name in (ADAPTER_CONFIG, ADAPTER_WEIGHTS):
            shutil.copyfile(spec.adapter_dir / name, work / name)
        tokenizer.save_pretrained(str(work))
        write_model_card(spec, work, "adapter")


def verify_adapter(
    spec: ExportSpec, tokenizer: PreTrainedTokenizerBase, folder: Path
) -> dict[str, dict[str, Any]]:
    identical = all(
        file_sha256(spec.adapter_dir / name) == file_sha256(folder / name)
        for name in (ADAPTER_CONFIG, ADAPTER_WEIGHTS)
    )
    base = load_base(spec.base_dir, vocab_size=len(tokenizer))
    prompts = verification_prompts(tokenizer, context_length_of(base))
    base_logits = logits_of(base, prompts)
    model = attach_adapter(base, spec.adapter_dir, REGISTERED)
    registered = logits_of(model, prompts)
    load_another_adapter(model, folder, EXPORTED)
    exported = logits_of(model, prompts)
    difference = max_abs_diff(registered, exported)
    return {
        "adapter_effect": adapter_effect(base_logits, registered, prompts),
        "adapter_vs_registered": {
            "max_abs_diff": difference,
            "limit": ADAPTER_LIMIT,
            "identical_files": identical,
            "passed": identical and difference <= ADAPTER_LIMIT,
            "prompts": len(prompts.ids),
            "positions": prompts.positions,
        },
    }


def build_adapter(
    spec: ExportSpec, tokenizer: PreTrainedTokenizerBase, progress: Progress, log: Log
) -> Built:
    folder = spec.out_dir / spec.name
    clock = PhaseClock()
    progress(0.0, "copying the adapter")
    write_adapter(spec, tokenizer, folder)
    log(f"wrote the adapter, its tokenizer and a README to {folder.name}/")
    clock.lap("write")
    progress(0.3, "verifying: loading the exported adapter with PEFT")
    verification = verify_adapter(spec, tokenizer, folder)
    clock.lap("verify")
    return Built(primary=spec.name, verification=verification, seconds=clock.seconds)
