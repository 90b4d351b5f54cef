"""Sampling controls shared by offline batch generation (recipes, training samples) and chat,
and the per-sequence sampler chat decoding runs: penalties, temperature, top-k, top-p, min-p,
and a seeded random generator per sequence (so one request's seed never depends on what else
shares its batch)."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

if TYPE_CHECKING:
    import torch

MAX_SEED = 2**32 - 1
MAX_STOP_STRINGS = 4


class SamplingControls(BaseModel):
    """What every generation knows: randomness, the candidate set, and a seed."""

    model_config = ConfigDict(extra="forbid")

    temperature: float = Field(
        default=0.7, ge=0, le=2, description="Randomness of sampling; 0 means greedy decoding."
    )
    top_p: float = Field(
        default=1.0,
        gt=0,
        le=1,
        description="Nucleus sampling: sample from the smallest set of tokens whose "
        "probabilities add up to top_p (1 = off).",
    )
    top_k: int = Field(
        default=0, ge=0, description="Sample from the k most likely tokens only (0 = off)."
    )
    seed: int | None = Field(
        default=None,
        ge=0,
        le=MAX_SEED,
        description="Same seed, prompts and parameters give the same completions; none: random.",
    )


class ChatSampling(SamplingControls):
    """Chat's controls: SamplingControls plus min-p, penalties, stop strings and a token budget.
    Fields sent as null take their defaults (OpenAI clients send nulls for unset options)."""

    model_config = ConfigDict(extra="ignore")

    temperature: float = Field(
        default=1.0, ge=0, le=2, description="Randomness of sampling; 0 means greedy decoding."
    )
    min_p: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Drop tokens less likely than min_p times the most likely one (0 = off).",
    )
    repetition_penalty: float = Field(
        default=1.0,
        gt=0,
        le=2,
        description="Divide the scores of tokens already in the prompt or reply (1 = off).",
    )
    presence_penalty: float = Field(
        default=0.0,
        ge=-2,
        le=2,
        description="Subtracted from the score of every token the reply already contains.",
    )
    frequency_penalty: float = Field(
        default=0.0,
        ge=-2,
        le=2,
        description="Subtracted from a token's score once per time the reply contains it.",
    )
    max_tokens: int | None = Field(
        default=None,
        ge=1,
        description="Most tokens generated; none: up to the end of the model's context.",
    )
    stop: list[str] = Field(
        default_factory=list,
        max_length=MAX_STOP_STRINGS,
        description="Generation stops before the first of these strings (up to 4).",
    )

    @model_validator(mode="before")
    @classmethod
    def _nulls_are_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data

    @field_validator("stop", mode="before")
    @classmethod
    def _one_stop_string(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("stop", mode="after")
    @classmethod
    def _no_empty_stop(cls, value: list[str]) -> list[str]:
        if any(not text for text in value):
            raise ValueError("stop strings must not be empty")
        return value

    @property
    def uses_penalties(self) -> bool:
        return (
            self.repetition_penalty != 1.0
            or self.presence_penalty != 0.0
            or self.frequency_penalty != 0.0
        )

    def sampling_fields(self) -> dict[str, Any]:
        """These controls alone, without the fields a request schema adds (model, messages),
        as stored with a reply."""
        return self.model_dump(include=set(ChatSampling.model_fields))


class SequenceSampler:
    """Picks one sequence's next tokens. Holds its random generator and, when penalties are on,
    which tokens the prompt and reply contain."""

    def __init__(
        self, params: ChatSampling, prompt_ids: list[int], vocab_size: int, device: torch.device
    ) -> None:
        import torch

        self.params = params
        self._generator: torch.Generator | None = None
        if params.temperature > 0:
            self._generator = torch.Generator(device=device)
            seed = params.seed if params.seed is not None else random.randrange(MAX_SEED + 1)
            self._generator.manual_seed(seed)
        self._counts: torch.Tensor | None = None
        self._in_prompt: torch.Tensor | None = None
        if params.uses_penalties:
            self._counts = torch.zeros(vocab_size, device=device)
            self._in_prompt = torch.zeros(vocab_size, dtype=torch.bool, device=device)
            known = [token for token in prompt_ids if token < vocab_size]
            self._in_prompt[torch.tensor(known, dtype=torch.long, device=device)] = True

    def record(self, token: int) -> None:
        if self._counts is not None and token < self._counts.numel():
            self._counts[token] += 1

    def pick(self, logits: torch.Tensor) -> int:
        """The next token from one row of scores (float, vocabulary-sized)."""
        import torch

        scores = self._penalised(logits.float())
        params = self.params
        if self._generator is None:
            return int(scores.argmax())
        scores = scores / params.temperature
        if 0 < params.top_k < scores.numel():
            kth = torch.topk(scores, params.top_k).values[-1]
            scores = scores.masked_fill(scores < kth, float("-inf"))
        probs = torch.softmax(scores, dim=-1)
        if params.top_p < 1.0:
            sorted_probs, order = torch.sort(probs, descending=True)
            # Keep each token whose predecessors add up to less than top_p (so the first always).
            drop = (sorted_probs.cumsum(-1) - sorted_probs) >= params.top_p
            probs = probs.scatter(0, order, sorted_probs.masked_fill(drop, 0.0))
        if params.min_p > 0:
            probs = probs.masked_fill(probs < params.min_p * probs.max(), 0.0)
        return int(torch.multinomial(probs, 1, generator=self._generator))

    def _penalised(self, scores: torch.Tensor) -> torch.Tensor:
        import torch

        if self._counts is None or self._in_prompt is None:
            return scores
        params = self.params
        counts = self._counts[: scores.numel()]
        scores = scores.clone()
        if params.repetition_penalty != 1.0:
            seen = (self._in_prompt[: scores.numel()] | (counts > 0)).nonzero().squeeze(-1)
            picked = scores[seen]
            scores[seen] = torch.where(
                picked > 0, picked / params.repetition_penalty, picked * params.repetition_penalty
            )
        if params.frequency_penalty:
            scores -= params.frequency_penalty * counts
        if params.presence_penalty:
            scores -= params.presence_penalty * (counts > 0).float()
        return scores
