"""Tokenizers with the chat templates masking is tested on: ChatML (SmolLM2's, with and without
{% generation %} blocks), Llama 3 style, a plain-text one without special end-of-turn tokens,
and one that renders the last turn differently (not prefix-stable)."""

from __future__ import annotations

from transformers import PreTrainedTokenizerBase, PreTrainedTokenizerFast

from lathe.training.tokens import IGNORE_INDEX, TokenizedConversation
from tests.backend.models.factories import CHAT_TEMPLATE, build_bpe_tokenizer, wrap_tokenizer

CHATML = CHAT_TEMPLATE
CHATML_GENERATION = (
    "{% for message in messages %}"
    "{% if message['role'] == 'assistant' %}<|im_start|>assistant\n"
    "{% generation %}{{ message['content'] }}<|im_end|>{% endgeneration %}\n"
    "{% else %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
# SmolLM2-Instruct's own template: it adds a default system prompt when there is none.
SMOLLM2 = (
    "{% for message in messages %}"
    "{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face"
    "<|im_end|>\n' }}{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
LLAMA3 = (
    "{{ bos_token }}{% for message in messages %}"
    "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'"
    " + message['content'] | trim + '<|eot_id|>' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}"
    "{% endif %}"
)
LLAMA3_GENERATION = (
    "{{ bos_token }}{% for message in messages %}"
    "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' }}"
    "{% if message['role'] == 'assistant' %}{% generation %}"
    "{{ message['content'] | trim + '<|eot_id|>' }}{% endgeneration %}"
    "{% else %}{{ message['content'] | trim + '<|eot_id|>' }}{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}"
    "{% endif %}"
)
PLAIN = (
    "{% for message in messages %}{{ message['role'] | capitalize }}: "
    "{{ message['content'] }}\n{% endfor %}{% if add_generation_prompt %}Assistant: {% endif %}"
)
# The last message gets a marker: a conversation's prefix renders differently on its own.
_LAST_MARKED = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['role'] == 'assistant' %}{% generation %}{{ message['content'] }}"
    "{% if loop.last %} (last){% endif %}<|im_end|>{% endgeneration %}"
    "{% else %}{{ message['content'] }}<|im_end|>{% endif %}\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
LAST_MARKED_GENERATION = _LAST_MARKED
LAST_MARKED = _LAST_MARKED.replace("{% generation %}", "").replace("{% endgeneration %}", "")
LLAMA3_SPECIAL_TOKENS = [
    "<|begin_of_text|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|eot_id|>",
]


def chatml(template: str = CHATML) -> PreTrainedTokenizerBase:
    tokenizer = wrap_tokenizer(build_bpe_tokenizer())
    tokenizer.chat_template = template
    return tokenizer


def llama3(template: str = LLAMA3) -> PreTrainedTokenizerBase:
    backend = build_bpe_tokenizer()
    backend.add_special_tokens(LLAMA3_SPECIAL_TOKENS)
    tokenizer = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=backend,
        bos_token="<|begin_of_text|>",
        eos_token="<|eot_id|>",
        unk_token="<|endoftext|>",
    )
    tokenizer.chat_template = template
    return tokenizer


def trained_runs(conversation: TokenizedConversation) -> list[list[int]]:
    """Runs of consecutive tokens that carry loss, after checking each label is its token."""
    runs: list[list[int]] = []
    previous = False
    for token, label in zip(conversation.input_ids, conversation.labels, strict=True):
        trained = label != IGNORE_INDEX
        assert label in (token, IGNORE_INDEX)
        if trained and not previous:
            runs.append([])
        if trained:
            runs[-1].append(token)
        previous = trained
    return runs


def encode(tokenizer: PreTrainedTokenizerBase, text: str) -> list[int]:
    ids: list[int] = tokenizer(text, add_special_tokens=False)["input_ids"]
    return ids
