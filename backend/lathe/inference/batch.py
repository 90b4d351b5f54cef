"""Offline batched generation for data recipes (the `generate` and `judge` nodes): many
conversations through one registered model (or adapter), n completions each.

Prompts are rendered with the model's chat template and generation prompt, sorted by length so
a batch carries little padding, left-padded, and run through `model.generate`. With a seed,
each batch is seeded from it (on a forked RNG, so the caller's random state is untouched): the
same prompts, parameters and seed give the same completions."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from pydantic import Field

from lathe.errors import InvalidInput
from lathe.inference.loader import LoadedModel, load_model
from lathe.inference.sampling import MAX_SEED, SamplingControls
from lathe.inference.stops import stop_token_ids
from lathe.settings import Settings
from lathe.training.chat_template import Messages, render_messages

if TYPE_CHECKING:
    import torch
    from transformers import GenerationConfig

# Called after each batch with the number of prompts finished so far; may raise to stop.
BatchProgress = Callable[[int], None]


class SamplingParams(SamplingControls):
    max_tokens: int = Field(
        default=256, ge=1, le=4096, description="Most tokens generated per completion."
    )


def _pad_id(loaded: LoadedModel, stop_ids: Sequence[int]) -> int:
    pad = loaded.tokenizer.pad_token_id
    if isinstance(pad, int):
        return pad
    return stop_ids[0] if stop_ids else 0


def _encode_prompts(loaded: LoadedModel, prompts: Sequence[Messages]) -> list[list[int]]:
    texts: list[str] = []
    for index, prompt in enumerate(prompts):
        try:
            texts.append(render_messages(loaded.tokenizer, prompt, add_generation_prompt=True))
        except InvalidInput as error:
            raise InvalidInput(
                f"prompt {index + 1}: {error.message}", field="prompts", details={"index": index}
            ) from error
    # The chat template writes the special tokens (BOS included) itself.
    encoded = loaded.tokenizer(texts, add_special_tokens=False, return_attention_mask=False)
    ids: list[list[int]] = [list(row) for row in encoded["input_ids"]]
    context = loaded.context_length
    for index, row in enumerate(ids):
        if context is not None and len(row) >= context:
            raise InvalidInput(
                f"prompt {index + 1} is {len(row)} tokens long; model {loaded.name} reads at "
                f"most {context} tokens, prompt and completion together",
                field="prompts",
                details={"index": index},
            )
    return ids


def _generation_config(
    params: SamplingParams, *, sequences: int, max_new_tokens: int, stop: list[int], pad: int
) -> GenerationConfig:
    from transformers import GenerationConfig

    sampling: dict[str, object] = (
        {
            "do_sample": True,
            "temperature": params.temperature,
            "top_p": params.top_p,
            "top_k": params.top_k,
        }
        if params.temperature > 0
        # Neutral values, so the model's own sampling defaults neither apply nor warn.
        else {"do_sample": False, "temperature": 1.0, "top_p": 1.0}
    )
    return GenerationConfig(  # type: ignore[no-untyped-call]
        max_new_tokens=max_new_tokens,
        num_return_sequences=sequences,
        eos_token_id=stop,
        pad_token_id=pad,
        **sampling,
    )


@contextmanager
def _seeded(seed: int | None, device: torch.device) -> Iterator[None]:
    import torch

    if seed is None:
        yield
        return
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def _decode(loaded: LoadedModel, ids: list[int], stop: Sequence[int]) -> str:
    # Cut at the first end-of-sequence token: what follows is padding, whatever its id.
    end = next((i for i, token in enumerate(ids) if token in stop), len(ids))
    text = loaded.tokenizer.decode(ids[:end], skip_special_tokens=True)
    if not isinstance(text, str):
        raise TypeError(f"decode returned {type(text).__name__}, not text")
    return text.strip()


def _generate(
    loaded: LoadedModel,
    batch: Sequence[list[int]],
    params: SamplingParams,
    n: int,
    seed: int | None,
) -> list[list[str]]:
    import torch

    stop = stop_token_ids(loaded.model.generation_config, loaded.tokenizer)
    pad = _pad_id(loaded, stop)
    width = max(len(ids) for ids in batch)
    input_ids = torch.tensor(
        [[pad] * (width - len(ids)) + ids for ids in batch], device=loaded.device
    )
    attention_mask = torch.tensor(
        [[0] * (width - len(ids)) + [1] * len(ids) for ids in batch], device=loaded.device
    )
    context = loaded.context_length
    max_new_tokens = (
        params.max_tokens if context is None else min(params.max_tokens, context - width)
    )
    # Greedy decoding gives one answer; it is generated once and repeated n times.
    sequences = n if params.temperature > 0 else 1
    config = _generation_config(
        params, sequences=sequences, max_new_tokens=max_new_tokens, stop=stop, pad=pad
    )
    with torch.inference_mode(), _seeded(seed, loaded.device):
        # Every *ForCausalLM class mixes GenerationMixin in; PreTrainedModel's type does not.
        output = loaded.model.generate(  # type: ignore[operator]
            input_ids=input_ids,
            attention_mask=attention_mask,
            generation_config=config,
        )
    texts = [_decode(loaded, row, stop) for row in output[:, width:].tolist()]
    if sequences == 1:
        return [[text] * n for text in texts]
    return [texts[row * n : (row + 1) * n] for row in range(len(batch))]


def generate_batch(
    settings: Settings,
    model: str,
    prompts: list[list[dict[str, str]]],
    params: SamplingParams,
    n: int = 1,
    batch_size: int = 8,
    *,
    progress: BatchProgress | None = None,
) -> list[list[str]]:
    """n completions (decoded, special tokens and surrounding whitespace removed) for each
    conversation in `prompts`, in the order of `prompts`, from the registered model or adapter
    `model` (name or id). The model is loaded once per process and kept in a small cache."""
    if n < 1:
        raise InvalidInput(f"n must be at least 1, not {n}", field="n")
    if batch_size < 1:
        raise InvalidInput(f"batch_size must be at least 1, not {batch_size}", field="batch_size")
    if not prompts:
        return []
    loaded = load_model(settings, model)
    encoded = _encode_prompts(loaded, prompts)
    order = sorted(range(len(prompts)), key=lambda index: -len(encoded[index]))
    results: list[list[str]] = [[] for _ in prompts]
    for number, start in enumerate(range(0, len(order), batch_size)):
        rows = order[start : start + batch_size]
        seed = None if params.seed is None else (params.seed + number) % (MAX_SEED + 1)
        completions = _generate(loaded, [encoded[row] for row in rows], params, n, seed)
        for row, texts in zip(rows, completions, strict=True):
            results[row] = texts
        if progress is not None:
            progress(start + len(rows))
    return results
