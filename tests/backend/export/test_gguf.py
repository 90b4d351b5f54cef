"""`gguf` export: a llama GGUF file read back by transformers' GGUF loader (and gguf's reader)
with the agreement checks, for F16, Q8_0 and Q4_0, tied and untied embeddings."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from gguf import GGMLQuantizationType, GGUFReader
from peft import PeftModel
from tokenizers import Tokenizer
from transformers import AutoModelForCausalLM, AutoTokenizer, MistralConfig, MistralForCausalLM

from lathe.export.artifacts import build_export, gguf_writer
from lathe.export.artifacts.gguf_tensors import permute_for_llama_cpp
from lathe.export.artifacts.loading import load_tokenizer
from lathe.export.artifacts.merge import merge_adapter
from lathe.export.artifacts.prompts import PromptSet, logits_of
from lathe.export.artifacts.verify import check_gguf_top1
from lathe.export.spec import ExportReport, ExportSpec
from tests.backend.export.conftest import MakeSpec, Recorder, write_adapter
from tests.backend.models.factories import CHAT_TEMPLATE, wrap_tokenizer

BARS = {"F16": 0.99, "BF16": 0.97, "Q8_0": 0.97}


def _field(reader: GGUFReader, key: str) -> Any:
    return reader.fields[key].contents()


def _merged_reference(spec: ExportSpec) -> torch.nn.Module:
    base = AutoModelForCausalLM.from_pretrained(str(spec.base_dir))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        model: torch.nn.Module = PeftModel.from_pretrained(
            base, str(spec.adapter_dir)
        ).merge_and_unload()
    model.train(False)
    return model


def _export(
    make_spec: MakeSpec, recorder: Recorder, **fields: Any
) -> tuple[ExportSpec, ExportReport]:
    spec = make_spec("gguf", **fields)
    return spec, build_export(spec, recorder.progress, recorder.log)


@pytest.mark.parametrize("quant", ["F16", "BF16", "Q8_0", "Q5_1", "Q5_0", "Q4_1", "Q4_0"])
def test_gguf_reads_back_with_transformers(
    make_spec: MakeSpec, recorder: Recorder, quant: str
) -> None:
    spec, report = _export(make_spec, recorder, quant=quant)

    name = f"tiny-export.{quant}.gguf"
    assert report.primary == name
    assert sorted(file.path for file in report.files) == ["Modelfile", name]
    assert report.passed is True
    top1 = report.verification["gguf_top1"]
    assert top1["quant"] == quant and top1["positions"] > 450
    if quant in BARS:
        assert top1["limit"] == BARS[quant] and top1["agreement"] >= BARS[quant]
    else:
        assert top1["limit"] is None and top1["report_only"] is True
        assert top1["agreement"] > 0.7  # far above a broken file's ~1/300
    assert report.verification["gguf_tokenizer"] == {
        "prompts": 8,
        "matching": 8,
        "chat_template_matches": True,
        "passed": True,
    }
    assert report.verification["merged_vs_adapter"]["max_abs_diff"] <= 1e-4
    assert set(report.seconds) == {"merge", "quantise", "write", "verify", "total"}
    assert any(line.startswith("check gguf_top1: ") for line in recorder.lines)

    # Read back independently, the way a transformers user does, against base + adapter.
    tokenizer = AutoTokenizer.from_pretrained(str(spec.out_dir), gguf_file=name)
    loaded = AutoModelForCausalLM.from_pretrained(str(spec.out_dir), gguf_file=name)
    reference = _merged_reference(spec)
    ids = tokenizer("the quick brown fox jumps over the lazy dog", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        got, expected = loaded(input_ids=ids).logits, reference(input_ids=ids).logits
    difference = float((got - expected).abs().max())
    # Closer to the fine-tuned model than the adapter is to the base, in every type.
    assert difference < report.verification["adapter_effect"]["max_abs_diff"] / 2
    if quant == "F16":
        assert difference < 1e-3 and torch.equal(got.argmax(-1), expected.argmax(-1))


def test_gguf_metadata_and_tensor_types(make_spec: MakeSpec, recorder: Recorder) -> None:
    spec, report = _export(make_spec, recorder, quant="Q4_0")
    reader = GGUFReader(spec.out_dir / report.primary)

    assert _field(reader, "general.architecture") == "llama"
    assert _field(reader, "general.name") == "tiny-export"
    assert _field(reader, "general.file_type") == 2  # MOSTLY_Q4_0
    expected = {
        "llama.context_length": 128,
        "llama.embedding_length": 32,
        "llama.block_count": 2,
        "llama.feed_forward_length": 64,
        "llama.attention.head_count": 4,
        "llama.attention.head_count_kv": 2,
        "llama.rope.dimension_count": 8,
        "llama.vocab_size": 300,
    }
    assert {key: _field(reader, key) for key in expected} == expected
    assert _field(reader, "llama.rope.freq_base") == pytest.approx(10000.0)
    assert _field(reader, "llama.attention.layer_norm_rms_epsilon") == pytest.approx(1e-6)
    assert _field(reader, "tokenizer.ggml.model") == "gpt2"
    assert _field(reader, "tokenizer.ggml.pre") == "gpt-2"
    tokens = _field(reader, "tokenizer.ggml.tokens")
    assert len(tokens) == 300 and tokens[:3] == ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    assert _field(reader, "tokenizer.ggml.token_type")[:4] == [3, 3, 3, 1]
    assert len(_field(reader, "tokenizer.ggml.merges")) > 0
    ids = {
        key: _field(reader, f"tokenizer.ggml.{key}")
        for key in ("bos_token_id", "eos_token_id", "unknown_token_id", "padding_token_id")
    }
    assert ids == {
        "bos_token_id": 1,
        "eos_token_id": 2,
        "unknown_token_id": 0,
        "padding_token_id": 2,
    }
    assert _field(reader, "tokenizer.ggml.add_bos_token") is False
    assert _field(reader, "tokenizer.chat_template") == CHAT_TEMPLATE

    types = {tensor.name: tensor.tensor_type for tensor in reader.tensors}
    assert types["blk.0.attn_norm.weight"] == GGMLQuantizationType.F32
    assert types["output_norm.weight"] == GGMLQuantizationType.F32
    assert types["blk.1.ffn_down.weight"] == GGMLQuantizationType.Q4_0
    assert types["token_embd.weight"] == GGMLQuantizationType.Q4_0
    assert (
        types["output.weight"] == GGMLQuantizationType.Q8_0
    )  # kept higher, as llama-quantize does
    assert len(types) == 2 * 9 + 3
    assert report.verification["gguf_top1"]["tensor_types"] == {"F32": 5, "Q4_0": 15, "Q8_0": 1}


def test_gguf_tied_embeddings_have_no_output_tensor(
    make_spec: MakeSpec, recorder: Recorder
) -> None:
    spec, report = _export(make_spec, recorder, sources="tied", quant="Q8_0")

    reader = GGUFReader(spec.out_dir / report.primary)
    names = {tensor.name for tensor in reader.tensors}
    assert "token_embd.weight" in names and "output.weight" not in names
    assert report.passed is True
    top1 = report.verification["gguf_top1"]
    assert top1["agreement"] >= 0.97
    # Random tied models mostly predict their input token, adapter or not: the logits show it.
    assert top1["max_abs_diff"] < report.verification["adapter_effect"]["max_abs_diff"] / 10
    loaded = AutoModelForCausalLM.from_pretrained(str(spec.out_dir), gguf_file=report.primary)
    assert loaded.config.tie_word_embeddings is True


def test_gguf_q_and_k_rows_in_llama_cpp_order(make_spec: MakeSpec, recorder: Recorder) -> None:
    spec, report = _export(make_spec, recorder, quant="F32")
    reader = GGUFReader(spec.out_dir / report.primary)
    stored = {tensor.name: np.array(tensor.data) for tensor in reader.tensors}
    merged = _merged_reference(spec).state_dict()

    attention = merged["model.layers.1.self_attn.q_proj.weight"].numpy()
    keys = merged["model.layers.1.self_attn.k_proj.weight"].numpy()
    values = merged["model.layers.1.self_attn.v_proj.weight"].numpy()
    assert np.allclose(
        stored["blk.1.attn_q.weight"], permute_for_llama_cpp(attention, 4), atol=1e-6
    )
    assert np.allclose(stored["blk.1.attn_k.weight"], permute_for_llama_cpp(keys, 2), atol=1e-6)
    assert not np.allclose(stored["blk.1.attn_q.weight"], attention, atol=1e-3)
    assert np.allclose(stored["blk.1.attn_v.weight"], values, atol=1e-6)
    assert report.verification["gguf_top1"]["max_abs_diff"] < 1e-4


def test_gguf_quantised_agreement_is_stable(make_spec: MakeSpec) -> None:
    """The fixture's guard: no position of the merged model has its two best logits within
    float32 noise of each other, so rounding differences between machines cannot flip the
    reference's top-1 tokens."""
    spec = make_spec("gguf")
    merged = merge_adapter(spec.base_dir, spec.adapter_dir, load_tokenizer(spec.adapter_dir))
    margins = [
        top[:, 0] - top[:, 1]
        for top in (
            logits.topk(2, dim=-1).values for logits in logits_of(merged.model, merged.prompts)
        )
    ]
    assert float(torch.cat(margins).min()) > 1e-5


def test_gguf_partial_file_removed_on_failure(
    make_spec: MakeSpec, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_args: object) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(gguf_writer, "tensor_data", fail)
    spec = make_spec("gguf", quant="Q8_0")
    with pytest.raises(OSError, match="No space left"):
        build_export(spec, recorder.progress, recorder.log)
    assert list(spec.out_dir.iterdir()) == []


def test_gguf_modelfile_for_chatml(make_spec: MakeSpec, recorder: Recorder) -> None:
    spec, report = _export(make_spec, recorder, quant="Q8_0")
    text = (spec.out_dir / "Modelfile").read_text()
    assert report.modelfile == text
    assert text == (
        "# Ollama Modelfile written by Lathe. Create the model with:\n"
        "#   ollama create <name> -f Modelfile\n"
        "FROM ./tiny-export.Q8_0.gguf\n"
        'TEMPLATE """{{- range .Messages }}<|im_start|>{{ .Role }}\n'
        "{{ .Content }}<|im_end|>\n"
        "{{ end }}<|im_start|>assistant\n"
        '"""\n'
        'PARAMETER stop "<|im_end|>"\n'
    )
    assert report.verification["ollama_template"]["translated"] is True


def test_a_gguf_that_does_not_load_back_fails_its_check(
    make_spec: MakeSpec, recorder: Recorder
) -> None:
    spec, report = _export(make_spec, recorder, quant="Q8_0")
    path = spec.out_dir / report.primary
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    prompts = PromptSet(texts=["hello"], ids=[[5, 6, 7]])
    check = check_gguf_top1(path, [torch.zeros(3, 300)], prompts, "Q8_0")
    assert check["passed"] is False
    assert check["error"].startswith(f"{path.name} does not load back with transformers: ")


def test_mistral_without_a_sliding_window_exports_as_llama(
    make_spec: MakeSpec, recorder: Recorder, tmp_path: Path, bpe_tokenizer: Tokenizer
) -> None:
    base = tmp_path / "mistral"
    config = MistralConfig(
        vocab_size=300,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=128,
        sliding_window=None,
        bos_token_id=1,
        eos_token_id=2,
    )
    torch.manual_seed(0)
    MistralForCausalLM(config).save_pretrained(str(base))
    wrap_tokenizer(bpe_tokenizer).save_pretrained(str(base))
    adapter = write_adapter(base, tmp_path / "mistral-adapter", bpe_tokenizer, seed=7)

    spec, report = _export(make_spec, recorder, base_dir=base, adapter_dir=adapter, quant="F16")
    reader = GGUFReader(spec.out_dir / report.primary)
    assert _field(reader, "general.architecture") == "llama"
    assert report.passed is True
    assert report.verification["gguf_top1"]["agreement"] >= 0.99
