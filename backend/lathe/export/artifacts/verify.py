"""GGUF verification: the file read back with transformers' GGUF loader (how Python users,
and Lathe's own model import, read GGUF files) and compared with the merged float32 model.

- gguf_tokenizer: the tokenizer rebuilt from the file must encode every prompt to the same ids
  as the original tokenizer, and carry the same chat template.
- gguf_top1: top-1 next-token agreement over every position of every prompt, against the
  merged float32 model. Bars: F32 and F16 >= 0.99, BF16 and Q8_0 >= 0.97, on `agreement`, where
  a position also agrees when the file's top token scores within TIE_LOGITS of the reference's
  best: two tokens that close are a tie that any rounding of the weights may break either way.
  On SmolLM2-135M and these prompts, Q8_0 rounding done in memory (no file involved) flips 9
  of 229 positions of the unchanged base model and 12 of an adapter trained on the identity
  sample, those 12 all at reference gaps under 0.21 logits and 9 of them under 0.1; the exact
  count (`strict_agreement`) is reported beside it. The 4- and 5-bit
  types lose more than any fixed bar would fit every model, so their agreement is reported with
  no bar (report_only: true); a broken file still shows, through gguf_tokenizer and through an
  agreement near 1/vocab.
A file that does not load back at all fails its check, with the loader's error."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from lathe.export.artifacts.prompts import PromptSet, logits_of, max_abs_diff, top1_matches
from lathe.models.reasons import short_reason

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedTokenizerBase

TOP1_LIMITS: dict[str, float] = {"F32": 0.99, "F16": 0.99, "BF16": 0.97, "Q8_0": 0.97}
# Reference scores this close (probabilities within about 10%) are a tie, see the docstring.
TIE_LOGITS = 0.1


# What transformers' loaders raise for a file they cannot read.
LOAD_ERRORS = (OSError, ValueError, KeyError, TypeError, RuntimeError, NotImplementedError)


def unreadable(path: Path, error: Exception) -> dict[str, Any]:
    return {
        "passed": False,
        "error": f"{path.name} does not load back with transformers: {short_reason(error)}",
    }


def check_gguf_tokenizer(
    path: Path, tokenizer: PreTrainedTokenizerBase, prompts: PromptSet
) -> dict[str, Any]:
    from transformers import AutoTokenizer

    try:
        read_back = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    except LOAD_ERRORS as error:
        return unreadable(path, error)
    matching = sum(
        read_back(text)["input_ids"] == tokenizer(text)["input_ids"] for text in prompts.texts
    )
    template_matches = read_back.chat_template == tokenizer.chat_template
    return {
        "prompts": len(prompts.texts),
        "matching": matching,
        "chat_template_matches": template_matches,
        "passed": matching == len(prompts.texts) and template_matches,
    }


def check_gguf_top1(
    path: Path, reference: list[torch.Tensor], prompts: PromptSet, quant: str
) -> dict[str, Any]:
    import torch
    from transformers import AutoModelForCausalLM

    try:
        model = AutoModelForCausalLM.from_pretrained(
            str(path.parent), gguf_file=path.name, dtype=torch.float32
        )
    except LOAD_ERRORS as error:
        return unreadable(path, error)
    model.train(False)
    logits = logits_of(model, prompts)
    agreement = top1_matches(reference, logits, tie=TIE_LOGITS) / prompts.positions
    limit = TOP1_LIMITS.get(quant)
    return {
        "agreement": agreement,
        "strict_agreement": top1_matches(reference, logits) / prompts.positions,
        "tie_logits": TIE_LOGITS,
        "limit": limit,
        "report_only": limit is None,
        "passed": limit is None or agreement >= limit,
        "positions": prompts.positions,
        "prompts": len(prompts.ids),
        "quant": quant,
        "max_abs_diff": max_abs_diff(reference, logits),
    }
