"""The chat engine on a tiny random model: streaming, greedy replies equal to transformers'
`generate`, continuous batching (same tokens as one at a time), stop strings, seeds, adapters
served on their base's weights, cancellation, the memory budget, and bad input."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import torch

from lathe.db.tables import ModelRow
from lathe.errors import InvalidInput, NotFound
from lathe.inference.batch import SamplingParams, generate_batch
from lathe.inference.chat import Generation, start_chat
from lathe.inference.engine import MIB, ChatEngine, MemoryBudgetExceeded
from lathe.inference.sampling import ChatSampling
from lathe.inference.streams import Finished, TextDelta
from lathe.models.registry import import_model
from lathe.settings import Settings
from tests.backend.conftest import MakeModelFolder
from tests.backend.inference.adapters import register_adapter

HELLO = [{"role": "user", "content": "hello world"}]
CONVERSATIONS = [
    HELLO,
    [
        {"role": "system", "content": "Be nice."},
        {"role": "user", "content": "the quick brown fox jumps over the lazy dog"},
    ],
    [{"role": "user", "content": "a user asks"}],
]
GREEDY = ChatSampling(temperature=0, max_tokens=12)


def _reply(
    engine: ChatEngine, model: str, messages: list[dict[str, str]], **options: object
) -> str:
    sampling = ChatSampling.model_validate({"temperature": 0, "max_tokens": 12, **options})
    return start_chat(engine, model, messages, sampling).stream.collect().text


def _wait_for(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_greedy_reply_equals_transformers_generate(
    settings: Settings, tiny_model: ModelRow, engine: ChatEngine
) -> None:
    expected = generate_batch(
        settings, "tiny", CONVERSATIONS, SamplingParams(temperature=0, max_tokens=12)
    )
    replies = [_reply(engine, "tiny", messages).strip() for messages in CONVERSATIONS]
    assert replies == [completions[0] for completions in expected]


def test_stream_delivers_deltas_in_order_then_usage(
    tiny_model: ModelRow, engine: ChatEngine
) -> None:
    generation = start_chat(engine, "tiny", HELLO, ChatSampling(temperature=0, max_tokens=20))
    events = list(generation.stream)
    deltas = [event.text for event in events if isinstance(event, TextDelta)]
    finished = events[-1]
    assert isinstance(finished, Finished)
    assert all(isinstance(event, TextDelta) for event in events[:-1])
    assert len(deltas) > 1 and all(deltas)
    assert "".join(deltas) == _reply(engine, "tiny", HELLO, max_tokens=20)
    assert finished.prompt_tokens == len(generation.prompt.ids)
    assert finished.completion_tokens == 20 and finished.reason == "length"


def test_batched_greedy_equals_one_at_a_time(tiny_model: ModelRow, engine: ChatEngine) -> None:
    alone = [_reply(engine, "tiny", messages, max_tokens=16) for messages in CONVERSATIONS]
    sampling = ChatSampling(temperature=0, max_tokens=16)
    # Submitted together, they join one decode batch (the later ones while the first decodes).
    generations = [start_chat(engine, "tiny", m, sampling) for m in CONVERSATIONS * 3]
    together = [generation.stream.collect().text for generation in generations]
    assert together == alone * 3


def test_stop_string_ends_the_reply_before_it(tiny_model: ModelRow, engine: ChatEngine) -> None:
    full = _reply(engine, "tiny", HELLO, max_tokens=24)
    stop = full[len(full) // 2 : len(full) // 2 + 3]
    sampling = ChatSampling(temperature=0, max_tokens=24, stop=["never-there", stop])
    completion = start_chat(engine, "tiny", HELLO, sampling).stream.collect()
    assert completion.text == full[: full.index(stop)]
    assert completion.finished.reason == "stop"
    assert completion.finished.completion_tokens < 24


def test_penalties_change_a_greedy_reply(tiny_model: ModelRow, engine: ChatEngine) -> None:
    plain = _reply(engine, "tiny", HELLO, max_tokens=24)
    for penalty in ({"repetition_penalty": 2.0}, {"frequency_penalty": 2.0}):
        assert _reply(engine, "tiny", HELLO, max_tokens=24, **penalty) != plain


def test_seed_makes_sampling_repeatable(tiny_model: ModelRow, engine: ChatEngine) -> None:
    def sample(seed: int) -> str:
        sampling = ChatSampling(temperature=1.0, top_p=0.95, min_p=0.01, max_tokens=16, seed=seed)
        return start_chat(engine, "tiny", HELLO, sampling).stream.collect().text

    assert sample(3) == sample(3)
    assert len({sample(seed) for seed in range(4)}) > 1


def test_adapters_share_their_base_weights_and_match_a_merged_load(
    settings: Settings, tiny_model: ModelRow, engine: ChatEngine
) -> None:
    register_adapter(settings, tiny_model, "lora-a", seed=1)
    register_adapter(settings, tiny_model, "lora-b", seed=2)
    merged = generate_batch(
        settings, "lora-a", [HELLO], SamplingParams(temperature=0, max_tokens=12)
    )
    sampling = ChatSampling(temperature=0, max_tokens=12)
    # One batch with base and adapter rows mixed.
    generations = [
        start_chat(engine, "tiny", HELLO, sampling, adapter=adapter)
        for adapter in ("lora-a", None, "lora-b", "lora-a")
    ]
    a, base, b, a_again = (g.stream.collect().text for g in generations)
    assert a.strip() == merged[0][0]
    assert a == a_again and len({a, base, b}) == 3
    assert _reply(engine, "lora-a", HELLO) == a  # the adapter named as the model
    [loaded] = engine.loaded()
    assert loaded.label == "tiny" and len(loaded.adapters) == 2


def test_cancel_stops_generation_and_leaves_no_thread_behind(
    tiny_model: ModelRow, engine: ChatEngine
) -> None:
    sampling = ChatSampling(temperature=0, max_tokens=100)
    generation = start_chat(engine, "tiny", HELLO, sampling)
    served = generation.target.served
    threads_before = threading.active_count()
    events = iter(generation.stream)
    assert isinstance(next(events), TextDelta)
    generation.stream.cancel()
    _wait_for(lambda: served.scheduler.busy == 0)
    assert threading.active_count() == threads_before
    # The engine goes on serving.
    assert _reply(engine, "tiny", HELLO)
    engine.close()
    _wait_for(lambda: not any(t.name.startswith("lathe-decode") for t in threading.enumerate()))


def test_memory_budget_unloads_the_least_recently_used_idle_model(
    settings: Settings, make_model_folder: MakeModelFolder, tiny_model: ModelRow
) -> None:
    import_model(settings, str(make_model_folder("other", seed=1)))
    with ChatEngine(settings) as probe:
        _reply(probe, "tiny", HELLO)
        [one] = probe.loaded()
    # Room for one tiny model and a half.
    budget = settings.model_copy(update={"inference_memory_budget_mb": one.bytes * 1.5 / MIB})
    with ChatEngine(budget) as engine:
        _reply(engine, "tiny", HELLO)
        _reply(engine, "other", HELLO)
        assert [info.label for info in engine.loaded()] == ["other"]
        # A model with a generation waiting or running is never unloaded to make room.
        gate = threading.Event()
        scheduler = engine.target("other").served.scheduler
        holder = threading.Thread(target=scheduler.call, args=(gate.wait,))
        holder.start()
        busy = start_chat(engine, "other", HELLO, GREEDY)
        try:
            with pytest.raises(MemoryBudgetExceeded, match="every loaded model is in use"):
                start_chat(engine, "tiny", HELLO, GREEDY)
        finally:
            gate.set()
            holder.join()
        assert busy.stream.collect().text
        assert _reply(engine, "tiny", HELLO)
    tight = settings.model_copy(update={"inference_memory_budget_mb": one.bytes * 0.5 / MIB})
    with ChatEngine(tight) as engine, pytest.raises(MemoryBudgetExceeded) as caught:
        start_chat(engine, "tiny", HELLO, GREEDY)
    assert caught.value.status_code == 409
    assert "LATHE_INFERENCE_MEMORY_BUDGET_MB" in caught.value.message


def test_unknown_model_and_adapter_of_another_base(
    settings: Settings, make_model_folder: MakeModelFolder, tiny_model: ModelRow, engine: ChatEngine
) -> None:
    other = import_model(settings, str(make_model_folder("other", seed=1)))
    register_adapter(settings, other, "other-lora")
    with pytest.raises(NotFound, match="no model named 'nope'"):
        start_chat(engine, "nope", HELLO, GREEDY)
    with pytest.raises(InvalidInput, match="adapter other-lora was trained on other, not on tiny"):
        start_chat(engine, "tiny", HELLO, GREEDY, adapter="other-lora")
    with pytest.raises(InvalidInput, match="tiny is not an adapter") as caught:
        start_chat(engine, "other", HELLO, GREEDY, adapter="tiny")
    assert caught.value.details[0]["field"] == "adapter"


def test_prompts_and_budgets_beyond_the_context(tiny_model: ModelRow, engine: ChatEngine) -> None:
    long = [{"role": "user", "content": "hello world " * 80}]
    with pytest.raises(
        InvalidInput, match=r"the prompt is \d+ tokens; model tiny reads at most 128"
    ):
        start_chat(engine, "tiny", long, GREEDY)
    with pytest.raises(InvalidInput, match=r"max_tokens is 500, but model tiny reads at most 128"):
        start_chat(engine, "tiny", HELLO, ChatSampling(max_tokens=500))
    with pytest.raises(InvalidInput, match=r"at most \d+ are left for the reply") as caught:
        start_chat(engine, "tiny", HELLO, ChatSampling(max_tokens=120))
    assert caught.value.details[0]["field"] == "max_tokens"
    with pytest.raises(InvalidInput, match="the conversation has no messages"):
        start_chat(engine, "tiny", [], GREEDY)


def test_truncation_drops_the_oldest_turns_when_asked(
    tiny_model: ModelRow, engine: ChatEngine
) -> None:
    old = [{"role": "user", "content": "hello world " * 30}, {"role": "assistant", "content": "ok"}]
    messages = [{"role": "system", "content": "Be nice."}, *old * 2, *HELLO]
    with pytest.raises(InvalidInput, match="send truncate: true"):
        start_chat(engine, "tiny", messages, GREEDY)
    generation: Generation = start_chat(engine, "tiny", messages, GREEDY, truncate=True)
    assert generation.prompt.dropped_messages >= 2
    assert len(generation.prompt.ids) + 12 <= 128
    assert generation.stream.collect().text


def test_model_without_a_chat_template_needs_one_sent(
    settings: Settings, make_model_folder: MakeModelFolder, engine: ChatEngine
) -> None:
    import_model(settings, str(make_model_folder("plain", chat_template=False)))
    with pytest.raises(InvalidInput, match="model plain has no chat template; send chat_template"):
        start_chat(engine, "plain", HELLO, GREEDY)
    template = "{% for m in messages %}{{ m['content'] }}\n{% endfor %}"
    generation = start_chat(engine, "plain", HELLO, GREEDY, chat_template=template)
    assert generation.stream.collect().finished.completion_tokens > 0


def test_prompts_that_arrive_together_are_prefilled_in_one_pass(
    settings: Settings, tiny_model: ModelRow, engine: ChatEngine
) -> None:
    register_adapter(settings, tiny_model, "lora-a", seed=1)
    requests = [(m, adapter) for m in CONVERSATIONS for adapter in (None, "lora-a")]
    alone = [
        start_chat(engine, "tiny", m, GREEDY, adapter=adapter).stream.collect().text
        for m, adapter in requests
    ]
    scheduler = engine.target("tiny").served.scheduler
    shapes: list[tuple[int, ...]] = []
    forward = scheduler._forward

    def recording(input_ids: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        shapes.append(tuple(input_ids.shape))
        return forward(input_ids, *args, **kwargs)

    scheduler._forward = recording
    # Hold the decode thread, so every request below is waiting when it looks again.
    holding, release = threading.Event(), threading.Event()

    def hold() -> bool:
        holding.set()
        return release.wait(10)

    holder = threading.Thread(target=scheduler.call, args=(hold,))
    holder.start()
    assert holding.wait(10)
    generations = [
        start_chat(engine, "tiny", m, GREEDY, adapter=adapter) for m, adapter in requests
    ]
    release.set()
    holder.join(10)
    together = [generation.stream.collect().text for generation in generations]
    # Prompts of different lengths, base and adapter rows mixed, left-padded into one pass.
    longest = max(len(generation.prompt.ids) for generation in generations)
    assert shapes[0] == (len(requests), longest)
    assert together == alone
