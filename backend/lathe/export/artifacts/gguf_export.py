"""`gguf` export: the adapter merged into the base in float32, written as one llama.cpp GGUF
file of the requested quantisation (named `<name>.<quant>.gguf`, as GGUF files on the Hub are),
with an Ollama Modelfile beside it. Verified by reading the file back with transformers' GGUF
loader (see verify.py) against the merged float32 model, whose merge is itself checked against
base + adapter through PEFT."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lathe.export.artifacts.gguf_writer import write_gguf
from lathe.export.artifacts.merge import MERGE_LIMIT, logit_scale, merge_adapter, merge_check
from lathe.export.artifacts.modelfile import modelfile_text, translate_chat_template
from lathe.export.artifacts.outcome import Built, PhaseClock
from lathe.export.artifacts.prompts import logits_of
from lathe.export.artifacts.verify import check_gguf_tokenizer, check_gguf_top1
from lathe.export.spec import ExportSpec, Log, Progress

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

MODELFILE = "Modelfile"
# Progress: merge up to 0.2, tensors up to 0.7, verification after.
MERGED_AT, WRITTEN_AT = 0.2, 0.7


def gguf_file_name(spec: ExportSpec) -> str:
    return f"{spec.name}.{spec.quant}.gguf"


def build_gguf(
    spec: ExportSpec, tokenizer: PreTrainedTokenizerBase, progress: Progress, log: Log
) -> Built:
    clock = PhaseClock()
    progress(0.0, "merging the adapter into the base weights (float32)")
    merged = merge_adapter(spec.base_dir, spec.adapter_dir, tokenizer)
    merged_logits = logits_of(merged.model, merged.prompts)
    clock.lap("merge")

    def on_tensor(done: int, total: int) -> None:
        fraction = MERGED_AT + (WRITTEN_AT - MERGED_AT) * done / total
        progress(fraction, f"writing {spec.quant} tensors ({done}/{total})")

    path = spec.out_dir / gguf_file_name(spec)
    stats = write_gguf(
        path,
        merged.model,
        tokenizer,
        quant=spec.quant,
        name=spec.name,
        log=log,
        on_tensor=on_tensor,
    )
    types = ", ".join(f"{count} {kind}" for kind, count in sorted(stats.tensor_types.items()))
    log(f"wrote {path.name}: {types} tensors")
    translation = translate_chat_template(tokenizer)
    if translation.template is None:
        log(f"Modelfile without TEMPLATE: {translation.reason}")
    modelfile = modelfile_text(path.name, tokenizer, translation)
    (spec.out_dir / MODELFILE).write_text(modelfile)
    clock.split({"quantise": stats.quantise_seconds, "write": stats.write_seconds})

    progress(WRITTEN_AT, "verifying: reading the GGUF back with transformers")
    verification = {
        "adapter_effect": merged.effect,
        "merged_vs_adapter": merge_check(
            merged.adapter_logits,
            merged_logits,
            merged.prompts,
            limit=MERGE_LIMIT * logit_scale(merged.adapter_logits),
            effect=merged.effect,
        ),
        "gguf_tokenizer": check_gguf_tokenizer(path, tokenizer, merged.prompts),
        "gguf_top1": {
            **check_gguf_top1(path, merged_logits, merged.prompts, spec.quant),
            "tensor_types": stats.tensor_types,
        },
        "ollama_template": {
            "translated": translation.template is not None,
            "reason": translation.reason,
            "report_only": True,
            "passed": True,
        },
    }
    clock.lap("verify")
    return Built(
        primary=path.name, verification=verification, seconds=clock.seconds, modelfile=modelfile
    )
