"""Offline batched generation on a tiny random model: shapes, n, seeds, greedy decoding,
adapters, progress, and bad input."""

from __future__ import annotations

import pytest
import torch
from pydantic import ValidationError

from lathe.db.tables import ModelRow
from lathe.errors import InvalidInput, NotFound
from lathe.inference.batch import SamplingParams, generate_batch
from lathe.inference.loader import load_model
from lathe.models.registry import import_model
from lathe.settings import Settings
from lathe.training.tokens import load_tokenizer, render_messages
from tests.backend.conftest import MakeModelFolder
from tests.backend.inference.adapters import register_adapter
from tests.backend.models.factories import VOCAB_SIZE, build_bpe_tokenizer, wrap_tokenizer

PROMPTS = [
    [{"role": "user", "content": "hello world"}],
    [
        {"role": "system", "content": "Be nice."},
        {"role": "user", "content": "the quick brown fox jumps over the lazy dog"},
    ],
    [{"role": "user", "content": "a user asks"}],
]
GREEDY = SamplingParams(temperature=0, max_tokens=8)


def test_n_completions_per_prompt_in_prompt_order(settings: Settings, tiny_model: ModelRow) -> None:
    params = SamplingParams(temperature=1.0, max_tokens=6, seed=1)
    out = generate_batch(settings, tiny_model.name, PROMPTS, params, n=3, batch_size=2)
    assert len(out) == len(PROMPTS)
    assert all(len(completions) == 3 for completions in out)
    assert all(isinstance(text, str) for completions in out for text in completions)
    # Sampling from a random model: the three completions of a prompt differ.
    assert all(len(set(completions)) > 1 for completions in out)
    # Prompt order is kept although batches are formed longest first.
    alone = generate_batch(settings, tiny_model.name, [PROMPTS[1]], GREEDY)
    in_batch = generate_batch(settings, tiny_model.name, PROMPTS, GREEDY, batch_size=2)
    assert in_batch[1] == alone[0]


def test_same_seed_same_completions_and_caller_rng_untouched(
    settings: Settings, tiny_model: ModelRow
) -> None:
    params = SamplingParams(temperature=1.0, top_p=0.9, top_k=20, max_tokens=6, seed=7)
    torch.manual_seed(123)
    state = torch.random.get_rng_state()
    first = generate_batch(settings, "tiny", PROMPTS, params, n=2, batch_size=2)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert generate_batch(settings, "tiny", PROMPTS, params, n=2, batch_size=2) == first
    other = params.model_copy(update={"seed": 8})
    assert generate_batch(settings, "tiny", PROMPTS, other, n=2, batch_size=2) != first


def test_greedy_batched_equals_one_at_a_time(settings: Settings, tiny_model: ModelRow) -> None:
    batched = generate_batch(settings, "tiny", PROMPTS, GREEDY, n=2, batch_size=3)
    single = generate_batch(settings, "tiny", PROMPTS, GREEDY, batch_size=1)
    assert [completions[0] for completions in batched] == [c[0] for c in single]
    assert all(completions[0] == completions[1] for completions in batched)
    assert all(completions[0] for completions in batched)


def test_completions_decode_only_new_tokens(settings: Settings, tiny_model: ModelRow) -> None:
    out = generate_batch(settings, "tiny", PROMPTS, GREEDY)
    for completions in out:
        assert "<|im_start|>" not in completions[0]
        assert "<|im_end|>" not in completions[0]
        assert "hello world" not in completions[0]


def test_adapter_loads_on_its_base(settings: Settings, tiny_model: ModelRow) -> None:
    register_adapter(settings, tiny_model, "tiny-lora")
    base = generate_batch(settings, "tiny", PROMPTS, GREEDY)
    adapted = generate_batch(settings, "tiny-lora", PROMPTS, GREEDY)
    assert adapted != base
    assert generate_batch(settings, "tiny-lora", PROMPTS, GREEDY) == adapted
    # Merging the adapter into its cached copy leaves the base model's answers unchanged.
    assert generate_batch(settings, "tiny", PROMPTS, GREEDY) == base


def test_adapter_with_added_tokens_grows_the_base_embeddings(
    settings: Settings, tiny_model: ModelRow
) -> None:
    tokenizer = wrap_tokenizer(build_bpe_tokenizer())
    tokenizer.add_special_tokens({"additional_special_tokens": ["<|tool|>", "<|think|>"]})
    register_adapter(settings, tiny_model, "tiny-grown", tokenizer=tokenizer)
    loaded = load_model(settings, "tiny-grown")
    embeddings = loaded.model.get_input_embeddings()
    assert isinstance(embeddings, torch.nn.Embedding)
    assert embeddings.num_embeddings == VOCAB_SIZE + 2
    [[text]] = generate_batch(settings, "tiny-grown", PROMPTS[:1], GREEDY)
    assert isinstance(text, str)


def test_progress_reports_prompts_done(settings: Settings, tiny_model: ModelRow) -> None:
    done: list[int] = []
    generate_batch(settings, "tiny", PROMPTS, GREEDY, batch_size=2, progress=done.append)
    assert done == [2, 3]


def test_prompt_longer_than_the_context_is_refused(
    settings: Settings, tiny_model: ModelRow
) -> None:
    long = [{"role": "user", "content": "hello world " * 80}]
    message = r"prompt 2 is \d+ tokens long; model tiny reads"
    with pytest.raises(InvalidInput, match=message) as caught:
        generate_batch(settings, "tiny", [PROMPTS[0], long], GREEDY)
    assert caught.value.details[0] | {"message": None} == {
        "field": "prompts",
        "message": None,
        "type": "invalid_input",
        "index": 1,
    }


def test_completion_is_cut_at_the_context(settings: Settings, tiny_model: ModelRow) -> None:
    near = [{"role": "user", "content": "hello world " * 16}]  # 124 of the 128 tokens
    tokenizer = load_tokenizer(settings, "tiny")
    prompt = render_messages(tokenizer, near, add_generation_prompt=True)
    room = 128 - len(tokenizer(prompt)["input_ids"])
    [[text]] = generate_batch(
        settings, "tiny", [near], SamplingParams(temperature=0, max_tokens=99)
    )
    assert 0 < len(tokenizer(text)["input_ids"]) <= room


def test_model_without_chat_template(
    settings: Settings, make_model_folder: MakeModelFolder
) -> None:
    import_model(settings, str(make_model_folder("plain", chat_template=False)))
    with pytest.raises(InvalidInput, match=r"prompt 1: the tokenizer of \S+ has no chat template"):
        generate_batch(settings, "plain", PROMPTS, GREEDY)


def test_bad_arguments(settings: Settings, tiny_model: ModelRow) -> None:
    assert generate_batch(settings, "tiny", [], GREEDY) == []
    with pytest.raises(InvalidInput, match="n must be at least 1"):
        generate_batch(settings, "tiny", PROMPTS, GREEDY, n=0)
    with pytest.raises(InvalidInput, match="batch_size must be at least 1"):
        generate_batch(settings, "tiny", PROMPTS, GREEDY, batch_size=0)
    with pytest.raises(NotFound, match="no model named 'nope'"):
        generate_batch(settings, "nope", PROMPTS, GREEDY)
    with pytest.raises(InvalidInput, match="prompt 2: the conversation has no messages"):
        generate_batch(settings, "tiny", [PROMPTS[0], []], GREEDY)


@pytest.mark.parametrize(
    "fields",
    [
        {"temperature": -0.1},
        {"top_p": 0},
        {"top_p": 1.5},
        {"top_k": -1},
        {"max_tokens": 0},
        {"max_tokens": 4097},
        {"seed": -1},
        {"stop": ["x"]},
    ],
)
def test_sampling_params_are_checked(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        SamplingParams.model_validate(fields)


def test_sampling_params_defaults_and_descriptions() -> None:
    params = SamplingParams()
    assert (params.temperature, params.top_p, params.top_k, params.max_tokens, params.seed) == (
        0.7,
        1.0,
        0,
        256,
        None,
    )
    schema = SamplingParams.model_json_schema()
    assert schema["additionalProperties"] is False
    assert all(field.get("description") for field in schema["properties"].values())
