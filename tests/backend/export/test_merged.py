"""`merged` export: adapter merged into the base, saved as a transformers folder (sharded when
large), loads with AutoModelForCausalLM and reproduces base + adapter."""

from __future__ import annotations

import json
import warnings

import pytest
import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

from lathe.export.artifacts import build_export, merged
from lathe.export.artifacts.merge import adapter_effect, merge_check
from lathe.export.artifacts.prompts import PromptSet
from tests.backend.export.conftest import MakeSpec, Recorder


def _peft_logits(spec_base: str, adapter: str, ids: torch.Tensor) -> torch.Tensor:
    base = AutoModelForCausalLM.from_pretrained(spec_base)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        model = PeftModel.from_pretrained(base, adapter)
    model.train(False)
    with torch.no_grad():
        logits: torch.Tensor = model(input_ids=ids).logits
    return logits


@pytest.mark.parametrize("sources", ["untied", "tied"])
def test_merged_fp32_matches_base_plus_adapter(
    make_spec: MakeSpec, recorder: Recorder, sources: str
) -> None:
    spec = make_spec("merged", sources=sources, dtype="fp32")
    report = build_export(spec, recorder.progress, recorder.log)

    assert report.passed is True and report.primary == "tiny-export"
    check = report.verification["merged_vs_adapter"]
    assert check["limit"] == pytest.approx(1e-4 * check["logit_scale"])
    assert check["max_abs_diff"] <= 1e-5 and check["below_half_adapter_effect"] is True
    assert check["top1_agreement"] == 1.0 and check["positions"] > 300
    assert report.verification["adapter_effect"]["max_abs_diff"] > 0.05
    assert set(report.seconds) == {"merge", "write", "verify", "total"}

    folder = spec.out_dir / "tiny-export"
    names = {path.name for path in folder.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "chat_template.jinja"} <= names
    assert "README.md" in names and not any(name.startswith("adapter_") for name in names)
    config = json.loads((folder / "config.json").read_text())
    assert config["tie_word_embeddings"] is (sources == "tied")

    # What a user does with the download, against what they would do with the adapter.
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    text = tokenizer.apply_chat_template(
        [{"role": "user", "content": "hello"}], add_generation_prompt=True, tokenize=False
    )
    ids = tokenizer(str(text), return_tensors="pt")["input_ids"]
    loaded = AutoModelForCausalLM.from_pretrained(str(folder))
    with torch.no_grad():
        logits = loaded(input_ids=ids).logits
    expected = _peft_logits(str(spec.base_dir), str(spec.adapter_dir), ids)
    assert (logits - expected).abs().max() <= 1e-4


@pytest.mark.parametrize(
    ("dtype", "torch_dtype"), [("fp16", torch.float16), ("bf16", torch.bfloat16)]
)
def test_merged_half_precision(
    make_spec: MakeSpec, recorder: Recorder, dtype: str, torch_dtype: torch.dtype
) -> None:
    spec = make_spec("merged", dtype=dtype)
    report = build_export(spec, recorder.progress, recorder.log)

    check = report.verification["merged_vs_adapter"]
    assert report.passed is True
    assert check["dtype"] == dtype and check["loaded_as"] == "float32"
    assert 0.0 < check["max_abs_diff"] <= check["limit"]
    assert check["below_half_adapter_effect"] is True
    loaded = AutoModelForCausalLM.from_pretrained(str(spec.out_dir / "tiny-export"))
    assert loaded.dtype == torch_dtype


def test_merged_shards_large_models(
    make_spec: MakeSpec, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(merged, "SHARD_SIZE", "20KB")
    spec = make_spec("merged", dtype="fp32")
    report = build_export(spec, recorder.progress, recorder.log)

    folder = spec.out_dir / "tiny-export"
    shards = sorted(path.name for path in folder.glob("model-*.safetensors"))
    assert len(shards) > 1 and (folder / "model.safetensors.index.json").is_file()
    assert report.passed is True
    assert {f"tiny-export/{name}" for name in shards} <= {file.path for file in report.files}


def test_merged_readme(make_spec: MakeSpec, recorder: Recorder) -> None:
    spec = make_spec("merged", dtype="bf16")
    build_export(spec, recorder.progress, recorder.log)
    readme = (spec.out_dir / "tiny-export" / "README.md").read_text()
    assert "library_name: transformers" in readme
    assert "**tiny-base** with a LoRA adapter merged into its weights (bf16)" in readme
    assert 'AutoModelForCausalLM.from_pretrained("tiny-export")' in readme


def test_merge_check_fails_an_export_that_lost_the_adapter() -> None:
    prompts = PromptSet(texts=["a"], ids=[[1, 2, 3]])
    base = [torch.zeros(3, 5)]
    adapted = [torch.full((3, 5), 0.01)]
    effect = adapter_effect(base, adapted, prompts)
    # A limit loose enough for the base itself (as bf16 rounding can be on a weak adapter)
    lost = merge_check(adapted, base, prompts, limit=1.0, effect=effect)
    kept = merge_check(adapted, [adapted[0] + 1e-4], prompts, limit=1.0, effect=effect)
    assert lost["passed"] is False and lost["below_half_adapter_effect"] is False
    assert kept["passed"] is True
