"""The fixed prompts every verification runs, and the comparisons made on their logits.

The prompts are plain text of different kinds plus conversations rendered with the model's chat
template, so both the raw and the chat path are covered. They hold no digits: SmolLM2-style
tokenizers split digits one by one, llama.cpp knows that ("smollm" pre-tokenizer) but
transformers' GGUF tokenizer reader does not, so digits would measure the reader, not the file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

TEXTS = (
    "The quick brown fox jumps over the lazy dog, and then the assistant answers the user.",
    'def greet(name):\n    return f"Hello, {name}!"\n',
    "Café, naïve, jalapeño: do accents and punctuation survive the round trip?",
    "- first item\n- second item\n\n## Heading\n\nA paragraph with *emphasis* and `code`.",
    'She said: "Let\'s meet at the station tomorrow morning; bring the maps, please."',
)
CONVERSATIONS: tuple[list[dict[str, str]], ...] = (
    [{"role": "user", "content": "What is your name?"}],
    [{"role": "user", "content": "Write a short poem about autumn leaves falling."}],
    [
        {"role": "system", "content": "You are a terse assistant."},
        {"role": "user", "content": "Explain LoRA in one sentence."},
        {"role": "assistant", "content": "It trains small low-rank updates to frozen weights."},
        {"role": "user", "content": "And why is that useful?"},
    ],
)
# Long enough to exercise attention over many positions, short enough to run in seconds on a
# laptop CPU for a model of a few billion parameters.
MAX_PROMPT_TOKENS = 128


@dataclass(frozen=True)
class PromptSet:
    texts: list[str]
    ids: list[list[int]]

    @property
    def positions(self) -> int:
        return sum(len(ids) for ids in self.ids)


def _rendered(tokenizer: PreTrainedTokenizerBase) -> list[str]:
    if not tokenizer.chat_template:
        return []
    rendered: list[str] = []
    for messages in CONVERSATIONS:
        try:
            text = tokenizer.apply_chat_template(
                messages, tokenize=False, add_generation_prompt=True
            )
        except Exception:  # templates raise anything (e.g. no system role)
            continue
        if isinstance(text, str):
            rendered.append(text)
    return rendered


def encode(tokenizer: PreTrainedTokenizerBase, text: str, limit: int) -> list[int]:
    ids: list[int] = tokenizer(text)["input_ids"]
    return ids[:limit]


def verification_prompts(
    tokenizer: PreTrainedTokenizerBase, context_length: int | None
) -> PromptSet:
    limit = min(MAX_PROMPT_TOKENS, context_length or MAX_PROMPT_TOKENS)
    texts = [*TEXTS, *_rendered(tokenizer)]
    return PromptSet(texts=texts, ids=[encode(tokenizer, text, limit) for text in texts])


def logits_of(model: Any, prompts: PromptSet) -> list[torch.Tensor]:
    """Float32 logits [positions, vocab] of each prompt, one forward pass each (no padding,
    so nothing depends on attention masks)."""
    import torch

    results: list[torch.Tensor] = []
    with torch.inference_mode():
        for ids in prompts.ids:
            batch = torch.tensor([ids], dtype=torch.long)
            results.append(model(input_ids=batch).logits[0].to(torch.float32))
    return results


def max_abs_diff(first: list[torch.Tensor], second: list[torch.Tensor]) -> float:
    return max(float((a - b).abs().max()) for a, b in zip(first, second, strict=True))


def max_abs_logit(logits: list[torch.Tensor]) -> float:
    return max(float(item.abs().max()) for item in logits)


def top1_matches(
    reference: list[torch.Tensor], other: list[torch.Tensor], *, tie: float = 0.0
) -> int:
    """Positions (over all prompts) where `other`'s top token is `reference`'s: the same token,
    or one whose reference score is within `tie` of the best (0: the same token only)."""
    import torch

    matches = 0
    for expected, got in zip(reference, other, strict=True):
        picked = expected.gather(-1, got.argmax(-1, keepdim=True)).squeeze(-1)
        same = expected.argmax(-1) == got.argmax(-1)
        close = (expected.max(-1).values - picked) <= tie
        matches += int(torch.logical_or(same, close).sum())
    return matches


def context_length_of(model: PreTrainedModel) -> int | None:
    value = getattr(model.config, "max_position_embeddings", None)
    return value if isinstance(value, int) else None
