"""The per-sequence sampler, stop strings and incremental detokenization, on made-up scores
and the tiny test tokenizer (no model)."""

from __future__ import annotations

import pytest
import torch
from pydantic import ValidationError

from lathe.inference.detokenize import IncrementalDetokenizer
from lathe.inference.sampling import ChatSampling, SequenceSampler
from lathe.inference.stops import StopStrings
from tests.backend.models.factories import build_bpe_tokenizer, wrap_tokenizer

CPU = torch.device("cpu")
SCORES = torch.tensor([4.0, 3.9, 1.0, -1.0, 0.5])


def _sampler(prompt: list[int] | None = None, **fields: object) -> SequenceSampler:
    return SequenceSampler(ChatSampling.model_validate(fields), prompt or [], 5, CPU)


def test_greedy_picks_the_best_score() -> None:
    assert _sampler(temperature=0).pick(SCORES) == 0


def test_repetition_penalty_covers_prompt_and_reply() -> None:
    in_prompt = _sampler([0], temperature=0, repetition_penalty=1.5)
    assert in_prompt.pick(SCORES) == 1  # 4.0 / 1.5 < 3.9
    in_reply = _sampler(temperature=0, repetition_penalty=1.5)
    assert in_reply.pick(SCORES) == 0
    in_reply.record(0)
    assert in_reply.pick(SCORES) == 1


def test_presence_and_frequency_penalties_count_the_reply() -> None:
    presence = _sampler(temperature=0, presence_penalty=0.2)
    presence.record(0)
    assert presence.pick(SCORES) == 1
    frequency = _sampler(temperature=0, frequency_penalty=0.06)
    frequency.record(0)
    assert frequency.pick(SCORES) == 0  # 4.0 - 0.06 > 3.9
    frequency.record(0)
    assert frequency.pick(SCORES) == 1  # 4.0 - 0.12 < 3.9
    # A negative penalty favours what was said.
    assert _recorded(_sampler(temperature=0, presence_penalty=-2.0), 1).pick(SCORES) == 1


def _recorded(sampler: SequenceSampler, token: int) -> SequenceSampler:
    sampler.record(token)
    return sampler


@pytest.mark.parametrize(
    ("fields", "allowed"),
    [
        ({"top_k": 2}, {0, 1}),
        ({"top_p": 0.5}, {0}),  # token 0 alone holds about half, 0+1 well over
        ({"top_p": 0.9}, {0, 1}),
        ({"min_p": 0.5}, {0, 1}),
    ],
)
def test_candidate_sets(fields: dict[str, object], allowed: set[int]) -> None:
    sampler = _sampler(temperature=1.0, seed=0, **fields)
    picked = {sampler.pick(SCORES) for _ in range(200)}
    assert picked <= allowed
    assert len(picked) == len(allowed)


def test_seeded_sampling_repeats_and_leaves_the_global_rng_alone() -> None:
    state = torch.random.get_rng_state()
    picks = _sampler(temperature=2.0, seed=5)
    again = _sampler(temperature=2.0, seed=5)
    assert [picks.pick(SCORES) for _ in range(30)] == [again.pick(SCORES) for _ in range(30)]
    assert torch.equal(torch.random.get_rng_state(), state)


@pytest.mark.parametrize(
    "fields",
    [
        {"temperature": -0.1},
        {"top_p": 1.5},
        {"min_p": 2},
        {"repetition_penalty": 0},
        {"presence_penalty": 3},
        {"frequency_penalty": -3},
        {"max_tokens": 0},
        {"stop": ["a", "b", "c", "d", "e"]},
        {"stop": [""]},
    ],
)
def test_bad_controls_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ChatSampling.model_validate(fields)


def test_nulls_take_defaults_and_one_stop_string_is_a_list() -> None:
    sampling = ChatSampling.model_validate({"temperature": None, "stop": "###", "seed": None})
    assert (sampling.temperature, sampling.stop, sampling.seed) == (1.0, ["###"], None)


def test_stop_strings_hold_back_what_may_start_one() -> None:
    stops = StopStrings(["END", "###"])
    assert stops.feed("hello E") == "hello "
    assert stops.feed("N") == ""
    assert stops.feed("X and #") == "ENX and "
    assert stops.feed("#") == ""
    assert stops.feed("# more") == ""
    assert stops.stopped
    unfinished = StopStrings(["END"])
    assert unfinished.feed("the E") == "the "
    assert unfinished.flush() == "E"
    assert StopStrings([]).feed("any") == "any"


def test_incremental_detokenizer_matches_one_decode() -> None:
    tokenizer = wrap_tokenizer(build_bpe_tokenizer())
    text = "héllo wörld, the quick brown fox 🦊 jumps"
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    detokenizer = IncrementalDetokenizer(tokenizer)
    pieces = [detokenizer.add(token) for token in ids]
    assert "".join(pieces) + detokenizer.flush() == text
    assert all("\ufffd" not in piece for piece in pieces)
