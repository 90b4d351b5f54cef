"""Rendering with the chat template, token counts of table columns, and the training view."""

from __future__ import annotations

import pyarrow as pa
import pytest

from lathe.datasets.columns import MESSAGES_TYPE
from lathe.errors import InvalidInput
from lathe.training.tokens import (
    TrainingSegment,
    render_messages,
    token_lengths,
    tokenize_conversation,
    training_view,
)
from tests.backend.models.factories import build_bpe_tokenizer, wrap_tokenizer
from tests.backend.training.templates import chatml, encode, llama3

TURNS = [
    {"role": "system", "content": "Be nice."},
    {"role": "user", "content": "hello world"},
    {"role": "assistant", "content": "the quick fox"},
]


def test_render_with_and_without_generation_prompt() -> None:
    tokenizer = chatml()
    assert render_messages(tokenizer, TURNS[:2]) == (
        "<|im_start|>system\nBe nice.<|im_end|>\n<|im_start|>user\nhello world<|im_end|>\n"
    )
    assert render_messages(tokenizer, TURNS[:2], add_generation_prompt=True).endswith(
        "<|im_end|>\n<|im_start|>assistant\n"
    )


def test_render_without_chat_template_is_refused() -> None:
    tokenizer = wrap_tokenizer(build_bpe_tokenizer(), chat_template=False)
    with pytest.raises(InvalidInput, match="has no chat template") as caught:
        render_messages(tokenizer, TURNS)
    assert caught.value.details[0]["field"] == "model"


def test_template_that_refuses_the_conversation() -> None:
    template = (
        "{% if messages[0]['role'] == 'system' %}"
        "{{ raise_exception('System role not supported') }}{% endif %}"
        "{% for message in messages %}{{ message['content'] }}{% endfor %}"
    )
    with pytest.raises(InvalidInput, match="refused the conversation: System role not supported"):
        render_messages(chatml(template), TURNS)


def test_empty_conversation_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no messages"):
        render_messages(chatml(), [])


def test_token_lengths_of_messages_match_tokenized_conversations() -> None:
    tokenizer = llama3()
    conversations = [TURNS, TURNS[1:], [], None]
    table = pa.table({"messages": pa.array(conversations, type=MESSAGES_TYPE)})
    lengths = token_lengths(tokenizer, table, "messages")
    assert lengths == [
        len(tokenize_conversation(tokenizer, TURNS).input_ids),
        len(tokenize_conversation(tokenizer, TURNS[1:]).input_ids),
        0,
        0,
    ]


def test_token_lengths_of_text_on_a_record_batch() -> None:
    tokenizer = llama3()
    batch = pa.record_batch({"text": ["the quick brown fox", "", None], "n": [1, 2, 3]})
    # A document counts as the tokenizer encodes it, with the special tokens it adds itself.
    first = tokenizer("the quick brown fox")["input_ids"]
    assert token_lengths(tokenizer, batch, "text") == [len(first), 0, 0]
    assert token_lengths(tokenizer, batch.slice(0, 0), "text") == []


def test_token_lengths_bad_columns() -> None:
    table = pa.table({"text": ["a"], "n": [1]})
    with pytest.raises(InvalidInput, match="no column 'missing'; the columns are text, n"):
        token_lengths(chatml(), table, "missing")
    with pytest.raises(InvalidInput, match="column 'n' is int") as caught:
        token_lengths(chatml(), table, "n")
    assert caught.value.details[0]["field"] == "column"


def test_token_lengths_name_the_row_a_template_refuses() -> None:
    template = "{{ raise_exception('no') if messages | length > 1 else messages[0]['content'] }}"
    table = pa.table({"messages": pa.array([TURNS[:1], TURNS], type=MESSAGES_TYPE)})
    with pytest.raises(InvalidInput, match="row 2: the chat template"):
        token_lengths(chatml(template), table, "messages")


def test_training_view_segments_join_to_the_rendered_text() -> None:
    tokenizer = chatml()
    messages = [*TURNS, {"role": "user", "content": "more"}, {"role": "assistant", "content": "ok"}]
    view = training_view(tokenizer, messages)
    assert "".join(segment.text for segment in view.segments) == render_messages(
        tokenizer, messages
    )
    assert [segment.loss for segment in view.segments] == [False, True, False, True, False]
    assert [s.text for s in view.segments if s.loss] == ["the quick fox<|im_end|>", "ok<|im_end|>"]
    assert view.segments[-1] == TrainingSegment(text="\n", loss=False)
    tokenized = tokenize_conversation(tokenizer, messages)
    assert view.tokens == len(tokenized.input_ids)
    assert view.loss_tokens == len(encode(tokenizer, "the quick fox<|im_end|>ok<|im_end|>"))
    assert view.truncated is False


def test_training_view_of_a_truncated_conversation_ends_at_the_cut() -> None:
    tokenizer = chatml()
    full = tokenize_conversation(tokenizer, TURNS)
    # Drop the answer's last token ("x") and its <|im_end|>.
    cut = full.labels.index(full.input_ids[-2]) - 1
    view = training_view(tokenizer, TURNS, max_length=cut)
    assert view.truncated is True
    assert view.tokens == cut
    assert view.segments[-1].loss is True
    assert view.segments[-1].text == "the quick fo"
    assert view.loss_tokens == len(encode(tokenizer, "the quick fo"))


def test_training_view_with_multibyte_text_keeps_every_character() -> None:
    tokenizer = chatml()
    messages = [{"role": "user", "content": "héllo ✓"}, {"role": "assistant", "content": "ça 🦊"}]
    view = training_view(tokenizer, messages)
    assert "".join(segment.text for segment in view.segments) == render_messages(
        tokenizer, messages
    )
    assert [s.text for s in view.segments if s.loss] == ["ça 🦊<|im_end|>"]
