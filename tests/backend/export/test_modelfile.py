"""Ollama Modelfiles: ChatML chat templates translated to the Go template, anything else left
untranslated with a comment (never a wrong TEMPLATE)."""

from __future__ import annotations

import pytest
from tokenizers import Tokenizer

from lathe.export.artifacts.modelfile import (
    CHATML_TEMPLATE,
    modelfile_text,
    translate_chat_template,
)
from tests.backend.models.factories import CHAT_TEMPLATE, wrap_tokenizer

# SmolLM2-135M-Instruct's template: ChatML with a default system prompt.
SMOLLM2_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging "
    "Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + "
    "message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
LLAMA2_TEMPLATE = (
    "{% for message in messages %}{% if message['role'] == 'user' %}"
    "{{ '[INST] ' + message['content'] + ' [/INST]' }}{% else %}{{ message['content'] }}"
    "{% endif %}{% endfor %}"
)
TRIMMING_CHATML = CHAT_TEMPLATE.replace("message['content']", "message['content'] | trim")


def _tokenizer(bpe_tokenizer: Tokenizer, template: str | None) -> object:
    wrapped = wrap_tokenizer(bpe_tokenizer, chat_template=False)
    wrapped.chat_template = template
    return wrapped


def test_chatml_translated(bpe_tokenizer: Tokenizer) -> None:
    tokenizer = _tokenizer(bpe_tokenizer, CHAT_TEMPLATE)
    translation = translate_chat_template(tokenizer)  # type: ignore[arg-type]
    assert translation.template == CHATML_TEMPLATE and translation.system is None
    text = modelfile_text("m.Q8_0.gguf", tokenizer, translation)  # type: ignore[arg-type]
    assert "FROM ./m.Q8_0.gguf\n" in text
    assert 'PARAMETER stop "<|im_end|>"\n' in text and "SYSTEM" not in text


def test_default_system_prompt_becomes_system(bpe_tokenizer: Tokenizer) -> None:
    tokenizer = _tokenizer(bpe_tokenizer, SMOLLM2_TEMPLATE)
    translation = translate_chat_template(tokenizer)  # type: ignore[arg-type]
    assert translation.template == CHATML_TEMPLATE
    system = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
    assert translation.system == system
    text = modelfile_text("m.gguf", tokenizer, translation)  # type: ignore[arg-type]
    assert f'SYSTEM """{system}"""\n' in text


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        (LLAMA2_TEMPLATE, "the chat template does not render as ChatML"),
        (TRIMMING_CHATML, "the chat template does not render as ChatML"),
        (None, "the model has no chat template"),
    ],
)
def test_other_templates_not_translated(
    bpe_tokenizer: Tokenizer, template: str | None, reason: str
) -> None:
    tokenizer = _tokenizer(bpe_tokenizer, template)
    translation = translate_chat_template(tokenizer)  # type: ignore[arg-type]
    assert translation.template is None and translation.reason == reason
    text = modelfile_text("m.gguf", tokenizer, translation)  # type: ignore[arg-type]
    assert "TEMPLATE" not in text.replace("# No TEMPLATE", "")
    assert f"# No TEMPLATE: {reason}, so it was not translated" in text
    assert 'PARAMETER stop "<|im_end|>"\n' in text  # the tokenizer's end of sequence


def test_template_that_raises_is_not_translated(bpe_tokenizer: Tokenizer) -> None:
    raising = "{{ raise_exception('System role not supported') }}"
    translation = translate_chat_template(_tokenizer(bpe_tokenizer, raising))  # type: ignore[arg-type]
    assert translation.template is None
    assert translation.reason is not None and "System role not supported" in translation.reason
