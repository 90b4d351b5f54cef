"""Bad input to `build_export`: refused before any work with InvalidInput naming the field (and
the architecture, quantisation or path at fault), nothing written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

from lathe.errors import InvalidInput
from lathe.export.artifacts import build_export
from tests.backend.export.conftest import MakeSpec, Recorder, Sources
from tests.backend.models.factories import wrap_tokenizer


def _refused(make_spec: MakeSpec, recorder: Recorder, *args: Any, **fields: Any) -> InvalidInput:
    spec = make_spec(*args, **fields)
    with pytest.raises(InvalidInput) as raised:
        build_export(spec, recorder.progress, recorder.log)
    assert list(spec.out_dir.iterdir()) == []
    return raised.value


def _field(error: InvalidInput) -> str:
    return str(error.details[0]["field"])


def _copy_base(source: Path, dest: Path, **config_changes: Any) -> Path:
    shutil.copytree(source, dest)
    config = json.loads((dest / "config.json").read_text())
    config.update(config_changes)
    (dest / "config.json").write_text(json.dumps(config))
    return dest


def test_unknown_quant(make_spec: MakeSpec, recorder: Recorder) -> None:
    error = _refused(make_spec, recorder, "gguf", quant="Q3_K")
    assert _field(error) == "quant"
    assert "'Q3_K'" in error.message and "Q8_0" in error.message


def test_unknown_dtype_and_format(make_spec: MakeSpec, recorder: Recorder) -> None:
    assert _field(_refused(make_spec, recorder, "merged", dtype="fp8")) == "dtype"
    assert _field(_refused(make_spec, recorder, "onnx")) == "format"


def test_gpt2_refused_for_gguf_naming_it(
    make_spec: MakeSpec, recorder: Recorder, tmp_path: Path, bpe_tokenizer: Tokenizer
) -> None:
    base = tmp_path / "gpt2"
    config = GPT2Config(vocab_size=300, n_positions=64, n_embd=32, n_layer=1, n_head=2)
    GPT2LMHeadModel(config).save_pretrained(str(base))
    wrap_tokenizer(bpe_tokenizer).save_pretrained(str(base))

    error = _refused(make_spec, recorder, "gguf", base_dir=base)
    assert _field(error) == "format"
    assert error.message.startswith("GPT2LMHeadModel cannot be exported to GGUF")
    assert "LlamaForCausalLM and MistralForCausalLM" in error.message


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2"}, "Qwen2ForCausalLM"),
        ({"model_type": "mistral"}, "LlamaForCausalLM (model_type mistral)"),
        ({"attention_bias": True}, "its attention or MLP layers have biases"),
        (
            {"rope_parameters": {"rope_type": "linear", "factor": 2.0, "rope_theta": 10000.0}},
            "its rotary embedding uses 'linear' scaling",
        ),
        (
            {
                "architectures": ["MistralForCausalLM"],
                "model_type": "mistral",
                "sliding_window": 16,
            },
            "its sliding attention window (16 tokens) is shorter than its context (128 tokens)",
        ),
    ],
)
def test_llama_variants_gguf_cannot_carry(
    make_spec: MakeSpec,
    recorder: Recorder,
    tmp_path: Path,
    export_sources: dict[str, Sources],
    changes: dict[str, Any],
    named: str,
) -> None:
    base = _copy_base(export_sources["untied"].base_dir, tmp_path / "variant", **changes)
    error = _refused(make_spec, recorder, "gguf", base_dir=base)
    assert _field(error) == "format" and named in error.message


def test_sentencepiece_tokenizer_refused(
    make_spec: MakeSpec, recorder: Recorder, tmp_path: Path, export_sources: dict[str, Sources]
) -> None:
    tokenizer = Tokenizer(models.BPE(byte_fallback=True, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.decoder = decoders.Metaspace()
    trainer = trainers.BpeTrainer(vocab_size=120, special_tokens=["<unk>", "<s>", "</s>"])
    tokenizer.train_from_iterator(["hello world, a tiny sentencepiece vocabulary"] * 5, trainer)
    adapter = tmp_path / "adapter"
    shutil.copytree(export_sources["untied"].adapter_dir, adapter)
    for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        (adapter / name).unlink(missing_ok=True)
    wrapped = PreTrainedTokenizerFast(tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>")  # type: ignore[no-untyped-call]
    wrapped.save_pretrained(str(adapter))

    error = _refused(make_spec, recorder, "gguf", adapter_dir=adapter)
    assert _field(error) == "format"
    assert "SentencePiece" in error.message and "byte-level BPE" in error.message


def test_base_folder_gone(make_spec: MakeSpec, recorder: Recorder, tmp_path: Path) -> None:
    gone = tmp_path / "deleted-base"
    error = _refused(make_spec, recorder, "merged", base_dir=gone)
    assert _field(error) == "source"
    assert error.message == f"the base model folder {gone} is not on disk any more"


def test_base_config_unreadable(
    make_spec: MakeSpec, recorder: Recorder, tmp_path: Path, export_sources: dict[str, Sources]
) -> None:
    base = tmp_path / "broken"
    shutil.copytree(export_sources["untied"].base_dir, base)
    (base / "config.json").write_text("{not json")
    error = _refused(make_spec, recorder, "gguf", base_dir=base)
    assert _field(error) == "source" and str(base / "config.json") in error.message


def test_adapter_weights_missing(
    make_spec: MakeSpec, recorder: Recorder, tmp_path: Path, export_sources: dict[str, Sources]
) -> None:
    adapter = tmp_path / "adapter"
    shutil.copytree(export_sources["untied"].adapter_dir, adapter)
    (adapter / "adapter_model.safetensors").unlink()
    error = _refused(make_spec, recorder, "adapter", adapter_dir=adapter)
    assert _field(error) == "source"
    assert str(adapter / "adapter_model.safetensors") in error.message
