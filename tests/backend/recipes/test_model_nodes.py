"""Nodes backed by a registered model (token_length, generate, judge) and the preview's training
view, on a tiny random Llama built in the test."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pytest

from lathe.datasets.columns import MESSAGES_TYPE
from lathe.db.tables import ModelRow
from lathe.jobs.context import JobStopped
from lathe.models.registry import import_model
from lathe.recipes import preview_recipe, run_recipe
from lathe.recipes.nodes import models
from lathe.settings import Settings
from lathe.training.tokens import load_tokenizer, token_lengths
from tests.backend.conftest import MakeModelFolder
from tests.backend.recipes.conftest import Apply, by_id, chain, inline, node, output, turns

pytestmark = pytest.mark.integration

CHATS = [
    {"messages": turns("hi", "hello")},
    {"messages": turns("the quick brown fox jumps over the lazy dog " * 3, "a user asks")},
    {"messages": turns("a", "b")},
]


@pytest.fixture
def tiny(settings: Settings, make_model_folder: MakeModelFolder) -> ModelRow:
    return import_model(settings, str(make_model_folder("tiny")))


@pytest.fixture
def tiny_long(settings: Settings, make_model_folder: MakeModelFolder) -> ModelRow:
    """The tiny model with a 2048-token context: the judge's instructions alone are longer
    than the factory's 128 tokens (its tokenizer has 300 tokens, about one per character).
    Rotary positions work at any length, so only the config changes."""
    folder = make_model_folder("tiny-long")
    config_file = folder / "config.json"
    config = json.loads(config_file.read_text())
    config["max_position_embeddings"] = 2048
    config_file.write_text(json.dumps(config))
    return import_model(settings, str(folder))


def test_token_length_filters_and_counts(apply: Apply, settings: Settings, tiny: ModelRow) -> None:
    table = pa.table({"messages": pa.array([row["messages"] for row in CHATS], MESSAGES_TYPE)})
    counts = token_lengths(load_tokenizer(settings, tiny.name), table, "messages")
    bound = sorted(counts)[1]
    rows = apply("token_length", CHATS, model=tiny.name, max_tokens=bound, count_column="tokens")
    assert [row["tokens"] for row in rows] == [c for c in counts if c <= bound]
    assert len(rows) == 2
    longer = apply("token_length", CHATS, model=tiny.name, min_tokens=bound + 1)
    assert longer == [row for row, count in zip(CHATS, counts, strict=True) if count > bound]


def test_generate_text_and_messages(apply: Apply, tiny: ModelRow) -> None:
    rows = [{"topic": "foxes"}, {"topic": "dogs"}]
    common: dict[str, Any] = {"model": tiny.name, "max_tokens": 4, "seed": 1, "batch_size": 2}
    out = apply("generate", rows, prompt="Tell me about {{ topic }}", n=2, **common)
    assert [row["topic"] for row in out] == ["foxes", "foxes", "dogs", "dogs"]
    assert all(isinstance(row["generation"], str) for row in out)
    chats = apply(
        "generate",
        rows,
        prompt="Tell me about {{ topic }}",
        system="Be brief.",
        output="messages",
        column="messages",
        temperature=0,
        **common,
    )
    first = chats[0]["messages"]
    assert [turn["role"] for turn in first] == ["system", "user", "assistant"]
    assert first[1]["content"] == "Tell me about foxes"


def test_judge_writes_a_score_and_a_reason(apply: Apply, tiny_long: ModelRow) -> None:
    out = apply("judge", CHATS[:2], model=tiny_long.name, rubric="Is it polite?", max_tokens=6)
    assert len(out) == 2
    for row in out:
        # A random model rarely answers with a score: then the score is null and the reason
        # is its raw answer.
        assert row["score"] is None or 1 <= row["score"] <= 10
        assert isinstance(row["reason"], str)
    assert apply.last is not None
    columns = {c.name: c.type for c in apply.last.outputs["out"].columns}
    assert columns == {"messages": "messages", "score": "float", "reason": "string"}


def test_judge_parses_the_answers_into_columns(
    apply: Apply, tiny: ModelRow, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts: list[list[dict[str, str]]] = []

    def answers(
        _settings: Settings, _model: str, batch: list[list[dict[str, str]]], *_args: Any, **_kw: Any
    ) -> list[list[str]]:
        prompts.extend(batch)
        canned = ['{"score": 9, "reason": "polite"}', "Rating: 3 - curt", "no idea"]
        return [[canned[index]] for index in range(len(batch))]

    monkeypatch.setattr(models, "generate_batch", answers)
    out = apply(
        "judge",
        CHATS,
        model=tiny.name,
        rubric="Is it polite?",
        template="{{ messages[-1].content }}",
        score_column="polite",
        reason_column="why",
        min_score=0,
        max_score=10,
    )
    assert [(row["polite"], row["why"]) for row in out] == [
        (9.0, "polite"),
        (3.0, "Rating: 3 - curt"),
        (None, "no idea"),
    ]
    system, user = prompts[0]
    assert system["role"] == "system" and "from 0 to 10" in system["content"]
    assert user["content"] == "Rubric:\nIs it polite?\n\nItem:\nhello"


def test_a_prompt_too_long_for_the_model_fails_the_node(settings: Settings, tiny: ModelRow) -> None:
    graph = chain(
        inline([{"topic": "x" * 400}]),
        node("g", "generate", model=tiny.name, prompt="{{ topic }}", max_tokens=2),
        output("gen", format="table"),
    )
    result = by_id(preview_recipe(settings, graph))
    assert result["g"].status == "error" and result["out"].status == "skipped"
    problem = result["g"].problems[0]
    assert problem.message.startswith("node g: prompt 1 is ")
    assert problem.node_id == "g" and problem.type == "failed"


def test_training_view_marks_the_assistant_tokens(settings: Settings, tiny: ModelRow) -> None:
    graph = chain(inline(CHATS), node("conv", "to_messages"), output(format="messages"))
    result = preview_recipe(
        settings, graph, limit=2, training_view={"node_id": "conv", "model": tiny.name}
    )
    view = result.training_view
    assert view is not None and view.column == "messages" and len(view.rows) == 2
    first = view.rows[0].view
    assert first is not None
    trained = "".join(segment.text for segment in first.segments if segment.loss)
    assert "hello" in trained and "hi" not in trained
    assert first.loss_tokens > 0 and first.tokens > first.loss_tokens
    assert by_id(result)["out"].status == "ok"


def test_stop_during_generation_leaves_nothing(settings: Settings, tiny: ModelRow) -> None:
    rows = [{"topic": f"t{i}"} for i in range(6)]
    graph = chain(
        inline(rows),
        node("g", "generate", model=tiny.name, prompt="{{ topic }}", max_tokens=2, batch_size=2),
        output("gen", format="table"),
    )
    with pytest.raises(JobStopped):
        run_recipe(settings, graph, should_stop=lambda: True)
    assert list(settings.tmp_dir.iterdir()) == []
    assert [path for path in settings.datasets_dir.rglob("*") if path.is_file()] == []
