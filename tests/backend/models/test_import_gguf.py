"""Importing GGUF files: validation, conversion to safetensors + tokenizer, cleanup."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from gguf import GGUFWriter
from transformers import AutoModelForCausalLM, AutoTokenizer

from lathe.errors import Conflict, InvalidInput
from lathe.models.registry import import_model, model_dir
from lathe.schemas.models import ProgressEvent
from lathe.settings import Settings
from tests.backend.conftest import HomeCheck
from tests.backend.models.factories import (
    CONTEXT_LENGTH,
    HIDDEN_SIZE,
    NUM_LAYERS,
    VOCAB_SIZE,
    build_tiny_llama,
    wrap_tokenizer,
)

MakeGguf = Callable[..., Path]


def test_import_gguf_converts_to_safetensors(
    settings: Settings,
    make_gguf: MakeGguf,
    bpe_tokenizer: object,
    progress_events: list[ProgressEvent],
    assert_home_clean: HomeCheck,
) -> None:
    source = make_gguf("tiny-llama.F32.gguf")
    row = import_model(settings, str(source), progress=progress_events.append)

    assert row.name == row.path == "tiny-llama.F32"
    assert row.source == f"gguf:{source.resolve()}"
    assert row.architecture == "LlamaForCausalLM"
    assert row.model_type == "llama"
    expected = build_tiny_llama(seed=0)
    assert row.parameter_count == expected.num_parameters()
    assert (row.num_layers, row.hidden_size, row.vocab_size, row.context_length) == (
        NUM_LAYERS,
        HIDDEN_SIZE,
        VOCAB_SIZE,
        CONTEXT_LENGTH,
    )
    assert row.dtype == "float32"
    assert row.has_chat_template is True
    assert [event.stage for event in progress_events] == ["convert", "save", "register"]
    assert_home_clean(models=frozenset({"tiny-llama.F32"}))

    folder = model_dir(settings, row)
    names = {path.name for path in folder.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "chat_template.jinja"} <= names
    assert not any(name.endswith(".gguf") for name in names)
    assert row.size_bytes == sum(path.stat().st_size for path in folder.iterdir())
    assert "quantization_config" not in (folder / "config.json").read_text()

    loaded = AutoModelForCausalLM.from_pretrained(str(folder))
    assert loaded.dtype == torch.float32
    state = loaded.state_dict()
    for name, tensor in expected.state_dict().items():
        assert torch.equal(state[name], tensor), name

    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    original = wrap_tokenizer(bpe_tokenizer)  # type: ignore[arg-type]
    sample = "hello world, the quick brown fox"
    assert tokenizer(sample)["input_ids"] == original(sample)["input_ids"]
    messages = [{"role": "user", "content": "hi"}]
    assert tokenizer.apply_chat_template(
        messages, tokenize=False, add_generation_prompt=True
    ) == original.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def test_converted_model_reloads_fast(settings: Settings, make_gguf: MakeGguf) -> None:
    row = import_model(settings, str(make_gguf()))
    started = time.perf_counter()
    AutoModelForCausalLM.from_pretrained(str(model_dir(settings, row)))
    assert time.perf_counter() - started < 5  # a safetensors load, not a GGUF dequantisation


def test_explicit_name(settings: Settings, make_gguf: MakeGguf) -> None:
    assert import_model(settings, str(make_gguf()), name="chat-small").path == "chat-small"


def test_corrupt_gguf(settings: Settings, sources: Path, assert_home_clean: HomeCheck) -> None:
    bad = sources / "corrupt.gguf"
    bad.write_bytes(b"this is not a gguf file" * 100)
    with pytest.raises(InvalidInput, match=r"is not a valid GGUF file: .*magic") as caught:
        import_model(settings, str(bad))
    assert str(bad) in caught.value.message
    assert caught.value.details[0]["field"] == "source"
    assert_home_clean()


def test_gguf_magic_but_garbage(
    settings: Settings, sources: Path, assert_home_clean: HomeCheck
) -> None:
    bad = sources / "garbage.gguf"
    bad.write_bytes(b"GGUF" + bytes(range(256)) * 8)
    with pytest.raises(InvalidInput, match="is not a valid GGUF file"):
        import_model(settings, str(bad))
    assert_home_clean()


def test_empty_gguf(settings: Settings, sources: Path, assert_home_clean: HomeCheck) -> None:
    empty = sources / "empty.gguf"
    empty.touch()
    with pytest.raises(InvalidInput, match="is not a valid GGUF file: the file is empty"):
        import_model(settings, str(empty))
    assert_home_clean()


@pytest.mark.parametrize("keep", [0.001, 0.1, 0.5, 0.9, 0.9999])
def test_truncated_gguf(
    settings: Settings, make_gguf: MakeGguf, assert_home_clean: HomeCheck, keep: float
) -> None:
    source = make_gguf("cut.gguf")
    data = source.read_bytes()
    source.write_bytes(data[: max(5, int(len(data) * keep))])
    with pytest.raises(InvalidInput, match=r"is not a valid GGUF file: it is truncated"):
        import_model(settings, str(source))
    assert_home_clean()


def test_unsupported_architecture(
    settings: Settings, sources: Path, assert_home_clean: HomeCheck
) -> None:
    path = sources / "alien.gguf"
    writer = GGUFWriter(str(path), "no-such-arch")
    writer.add_tensor("token_embd.weight", np.zeros((4, 4), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    with pytest.raises(InvalidInput, match=re.escape(f"{path} cannot be converted")):
        import_model(settings, str(path))
    assert_home_clean()


def test_duplicate_name_is_refused_before_converting(
    settings: Settings,
    make_gguf: MakeGguf,
    assert_home_clean: HomeCheck,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import_model(settings, str(make_gguf("a.gguf")), name="taken")

    def no_convert(*_args: object) -> None:
        raise AssertionError("converted before checking the name")

    monkeypatch.setattr("lathe.models.registry.convert_gguf", no_convert)
    with pytest.raises(Conflict, match="a model named taken already exists"):
        import_model(settings, str(make_gguf("b.gguf")), name="taken")
    assert_home_clean(models=frozenset({"taken"}))


def test_conversion_failure_leaves_nothing(
    settings: Settings,
    make_gguf: MakeGguf,
    assert_home_clean: HomeCheck,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail_after_writing(_path: Path, out_dir: Path, *_args: object) -> None:
        out_dir.mkdir()
        (out_dir / "model.safetensors").write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("lathe.models.registry.convert_gguf", fail_after_writing)
    with pytest.raises(OSError, match="No space left"):
        import_model(settings, str(make_gguf()))
    assert_home_clean()
