"""`adapter` export: PEFT files byte for byte, tokenizer, README; loads with PEFT and
reproduces the registered adapter."""

from __future__ import annotations

import hashlib
import warnings

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

from lathe.export.artifacts import build_export
from tests.backend.export.conftest import MakeSpec, Recorder


def test_adapter_export_loads_with_peft(make_spec: MakeSpec, recorder: Recorder) -> None:
    spec = make_spec("adapter")
    report = build_export(spec, recorder.progress, recorder.log)

    folder = spec.out_dir / "tiny-export"
    assert report.primary == "tiny-export"
    assert report.passed is True
    names = {file.path for file in report.files}
    assert {
        "tiny-export/adapter_config.json",
        "tiny-export/adapter_model.safetensors",
        "tiny-export/README.md",
        "tiny-export/tokenizer.json",
        "tiny-export/tokenizer_config.json",
    } <= names
    assert sorted(
        p.relative_to(spec.out_dir).as_posix() for p in spec.out_dir.rglob("*") if p.is_file()
    ) == sorted(names)
    for file in report.files:
        data = (spec.out_dir / file.path).read_bytes()
        assert file.size_bytes == len(data)
        assert file.sha256 == hashlib.sha256(data).hexdigest()
    source = spec.adapter_dir / "adapter_model.safetensors"
    assert (folder / "adapter_model.safetensors").read_bytes() == source.read_bytes()

    check = report.verification["adapter_vs_registered"]
    assert check["passed"] is True and check["identical_files"] is True
    assert check["max_abs_diff"] == 0.0
    effect = report.verification["adapter_effect"]
    assert effect["passed"] is True and effect["max_abs_diff"] > 0.05
    assert set(report.seconds) == {"write", "verify", "total"}
    assert recorder.fractions == sorted(recorder.fractions) and recorder.fractions[-1] == 1.0

    # What a user does with the download.
    base = AutoModelForCausalLM.from_pretrained(str(spec.base_dir))
    ids = AutoTokenizer.from_pretrained(str(folder))("hello world", return_tensors="pt")
    with torch.no_grad():
        plain = base(**ids).logits
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            tuned = PeftModel.from_pretrained(base, str(folder))
        tuned.train(False)
        adapted = tuned(**ids).logits
    assert (adapted - plain).abs().max() > 0.01


def test_adapter_readme(make_spec: MakeSpec, recorder: Recorder) -> None:
    spec = make_spec("adapter", facts={"base_model": "tiny-base-from-facts"})
    build_export(spec, recorder.progress, recorder.log)
    readme = (spec.out_dir / "tiny-export" / "README.md").read_text()

    assert readme.startswith('---\nbase_model: "tiny-base-from-facts"\nlibrary_name: peft\n')
    assert "A LoRA adapter for **tiny-base-from-facts**" in readme
    assert "Trained on dataset **names** v2." in readme
    assert "| r | 8 |" in readme and "| lora_alpha | 16 |" in readme
    assert (
        "| target_modules | down_proj, gate_proj, k_proj, o_proj, q_proj, up_proj, v_proj |"
        in readme
    )
    assert "| learning_rate | 0.0002 |" in readme
    assert "| train_loss | 1.2345 |" in readme
    assert "Trainable parameters: 12,345." in readme
    assert 'PeftModel.from_pretrained(base, "tiny-export")' in readme
