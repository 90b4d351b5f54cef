"""Label masking, token by token: loss on each assistant turn's content and end-of-turn token,
nothing else, for ChatML and Llama 3 style templates, system prompts, several turns, truncation,
and templates the prefix method cannot read."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from transformers import BatchEncoding, PreTrainedTokenizerBase

from lathe.errors import InvalidInput
from lathe.training.tokens import IGNORE_INDEX, render_messages, tokenize_conversation
from tests.backend.training.templates import (
    CHATML_GENERATION,
    LAST_MARKED,
    LAST_MARKED_GENERATION,
    LLAMA3_GENERATION,
    PLAIN,
    SMOLLM2,
    chatml,
    encode,
    llama3,
    trained_runs,
)

CONVERSATION = [
    {"role": "system", "content": "Be nice."},
    {"role": "user", "content": "hello world"},
    {"role": "assistant", "content": "the quick fox"},
    {"role": "user", "content": "and then?"},
    {"role": "assistant", "content": "a lazy dog"},
]


def _pieces_check(tokenizer: PreTrainedTokenizerBase, pieces: list[tuple[str, bool]]) -> None:
    """The conversation renders to the pieces joined, and exactly the pieces marked True carry
    loss: compared token by token against each piece tokenized on its own."""
    result = tokenize_conversation(tokenizer, CONVERSATION)
    assert render_messages(tokenizer, CONVERSATION) == "".join(text for text, _ in pieces)
    assert result.input_ids == encode(tokenizer, "".join(text for text, _ in pieces))
    assert trained_runs(result) == [encode(tokenizer, text) for text, loss in pieces if loss]
    assert result.attention_mask == [1] * len(result.input_ids)
    assert result.truncated is False


def test_chatml_masks_all_but_assistant_content_and_im_end() -> None:
    tokenizer = chatml()
    _pieces_check(
        tokenizer,
        [
            (
                "<|im_start|>system\nBe nice.<|im_end|>\n<|im_start|>user\nhello world<|im_end|>\n"
                "<|im_start|>assistant\n",
                False,
            ),
            ("the quick fox<|im_end|>", True),
            ("\n<|im_start|>user\nand then?<|im_end|>\n<|im_start|>assistant\n", False),
            ("a lazy dog<|im_end|>", True),
            ("\n", False),
        ],
    )


def test_chatml_labels_spelled_out() -> None:
    tokenizer = chatml()
    result = tokenize_conversation(tokenizer, CONVERSATION[1:3])
    shown = [
        (str(tokenizer.decode([token])), label != IGNORE_INDEX)
        for token, label in zip(result.input_ids, result.labels, strict=True)
    ]
    trained = "".join(text for text, loss in shown if loss)
    assert trained == "the quick fox<|im_end|>"
    # The last token is the newline after <|im_end|>: never generated, never trained.
    assert shown[-1] == ("\n", False)
    assert shown[-2] == ("<|im_end|>", True)
    assert all(not loss for _text, loss in shown[: shown.index(("the", True))])


def test_llama3_masks_all_but_assistant_content_and_eot() -> None:
    tokenizer = llama3()
    header = "<|start_header_id|>{}<|end_header_id|>\n\n"
    _pieces_check(
        tokenizer,
        [
            (
                "<|begin_of_text|>"
                + header.format("system")
                + "Be nice.<|eot_id|>"
                + header.format("user")
                + "hello world<|eot_id|>"
                + header.format("assistant"),
                False,
            ),
            ("the quick fox<|eot_id|>", True),
            (header.format("user") + "and then?<|eot_id|>" + header.format("assistant"), False),
            ("a lazy dog<|eot_id|>", True),
        ],
    )


def test_smollm2_default_system_prompt_is_not_trained() -> None:
    tokenizer = chatml(SMOLLM2)
    messages = [CONVERSATION[1], CONVERSATION[2], CONVERSATION[3], CONVERSATION[4]]
    result = tokenize_conversation(tokenizer, messages)
    assert render_messages(tokenizer, messages).startswith("<|im_start|>system\nYou are a helpful")
    assert trained_runs(result) == [
        encode(tokenizer, "the quick fox<|im_end|>"),
        encode(tokenizer, "a lazy dog<|im_end|>"),
    ]


def test_without_system_prompt_and_single_turn() -> None:
    tokenizer = chatml()
    result = tokenize_conversation(tokenizer, CONVERSATION[1:3])
    assert trained_runs(result) == [encode(tokenizer, "the quick fox<|im_end|>")]


def test_conversation_without_assistant_turn_trains_nothing() -> None:
    result = tokenize_conversation(chatml(), CONVERSATION[:2])
    assert set(result.labels) == {IGNORE_INDEX}


def test_plain_template_keeps_its_separator_and_the_first_word() -> None:
    """Without a special end-of-turn token, the template's newline is what ends the turn. The
    generation prompt "Assistant: " ends in a space that merges with the answer's first word
    into one token; that token is trained, or the first word would never be learnt."""
    tokenizer = chatml(PLAIN)
    result = tokenize_conversation(tokenizer, CONVERSATION[1:3])
    assert render_messages(tokenizer, CONVERSATION[1:3]).endswith("Assistant: the quick fox\n")
    assert tokenizer.convert_ids_to_tokens(trained_runs(result)[0][0]) == "Ġthe"
    assert trained_runs(result) == [encode(tokenizer, " the quick fox\n")]


def test_truncation_cuts_the_end_and_keeps_labels_aligned() -> None:
    tokenizer = chatml()
    full = tokenize_conversation(tokenizer, CONVERSATION)
    run_starts = [
        i
        for i, label in enumerate(full.labels)
        if label != IGNORE_INDEX and full.labels[i - 1] == IGNORE_INDEX
    ]
    cut = run_starts[1] + 2  # two tokens into the second assistant turn
    result = tokenize_conversation(tokenizer, CONVERSATION, max_length=cut)
    assert result.truncated is True
    assert len(result.input_ids) == len(result.labels) == len(result.attention_mask) == cut
    assert result.input_ids == full.input_ids[:cut]
    assert result.labels == full.labels[:cut]
    assert trained_runs(result)[-1] == encode(tokenizer, "a lazy dog<|im_end|>")[:2]
    exact = tokenize_conversation(tokenizer, CONVERSATION, max_length=len(full.input_ids))
    assert exact.truncated is False and exact.labels == full.labels


@pytest.mark.parametrize(
    ("make", "template"),
    [(chatml, CHATML_GENERATION), (llama3, LLAMA3_GENERATION)],
    ids=["chatml", "llama3"],
)
def test_agrees_with_transformers_generation_mask(
    make: Callable[[str], PreTrainedTokenizerBase], template: str
) -> None:
    """Where a template marks assistant output with {% generation %}, transformers' assistant
    mask and the prefix method give the same tokens."""
    tokenizer = make(template)
    for end in (3, 5):
        messages = CONVERSATION[:end]
        ours = tokenize_conversation(tokenizer, messages)
        theirs = tokenizer.apply_chat_template(
            messages, tokenize=True, return_dict=True, return_assistant_tokens_mask=True
        )
        assert isinstance(theirs, BatchEncoding)
        assert ours.input_ids == theirs["input_ids"]
        assert [label != IGNORE_INDEX for label in ours.labels] == [
            bool(flag) for flag in theirs["assistant_masks"]
        ]


def test_template_without_stable_prefixes_uses_its_generation_blocks() -> None:
    tokenizer = chatml(LAST_MARKED_GENERATION)
    result = tokenize_conversation(tokenizer, CONVERSATION)
    assert trained_runs(result) == [
        encode(tokenizer, "the quick fox<|im_end|>"),
        encode(tokenizer, "a lazy dog (last)<|im_end|>"),
    ]


def test_template_without_stable_prefixes_or_generation_blocks_is_refused() -> None:
    with pytest.raises(InvalidInput, match="up to message 3 differently") as caught:
        tokenize_conversation(chatml(LAST_MARKED), CONVERSATION)
    assert caught.value.details[0]["field"] == "messages"


def test_conversation_opening_with_the_assistant_is_refused() -> None:
    messages = [{"role": "assistant", "content": "hi"}, {"role": "user", "content": "hello"}]
    with pytest.raises(InvalidInput, match="message 1"):
        tokenize_conversation(chatml(), messages)


def test_bad_max_length() -> None:
    with pytest.raises(InvalidInput, match="max_length must be at least 1") as caught:
        tokenize_conversation(chatml(), CONVERSATION, max_length=0)
    assert caught.value.details[0]["field"] == "max_length"
