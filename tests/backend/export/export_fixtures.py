"""Fixtures for the export job, API and CLI tests: a registered tiny random Llama ("tiny") with
a random LoRA adapter ("tiny-lora"), a GPT-2 base model the GGUF writer does not take, and
finished exports written by hand (for the download, listing and deletion plumbing, which does
not need the builders)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from transformers import GPT2Config, GPT2LMHeadModel

from lathe.db.engine import session_scope
from lathe.db.tables import ExportRow, ModelRow
from lathe.export import records
from lathe.export.files import primary_sha256
from lathe.export.spec import ExportFile, ExportReport
from lathe.models.registry import import_model
from lathe.models.storage import tree_size
from lathe.settings import Settings
from tests.backend.conftest import MakeModelFolder
from tests.backend.inference.adapters import register_adapter
from tests.backend.models.factories import wrap_tokenizer

AddExport = Callable[..., ExportRow]


@pytest.fixture
def tiny(settings: Settings, make_model_folder: MakeModelFolder) -> ModelRow:
    return import_model(settings, str(make_model_folder("tiny-src")), name="tiny")


@pytest.fixture
def tiny_lora(settings: Settings, tiny: ModelRow) -> ModelRow:
    return register_adapter(settings, tiny, "tiny-lora")


@pytest.fixture
def gpt2_lora(settings: Settings, sources: Path, bpe_tokenizer: object) -> ModelRow:
    """An adapter row on a tiny GPT-2 base (an architecture the GGUF writer refuses)."""
    folder = sources / "tiny-gpt2"
    config = GPT2Config(vocab_size=300, n_positions=64, n_embd=16, n_layer=1, n_head=2)
    GPT2LMHeadModel(config).save_pretrained(str(folder))
    wrap_tokenizer(bpe_tokenizer).save_pretrained(str(folder))  # type: ignore[arg-type]
    base = import_model(settings, str(folder), name="tiny-gpt2")
    adapter_dir = settings.models_dir / "gpt2-lora"
    adapter_dir.mkdir()
    (adapter_dir / "adapter_config.json").write_text('{"peft_type": "LORA"}')
    row = ModelRow(
        name="gpt2-lora", kind="adapter", source="test", path="gpt2-lora", parent_id=base.id
    )
    with session_scope(settings.resolved_database_url) as session:
        session.add(row)
    return row


def _file(root: Path, relative: str) -> ExportFile:
    data = (root / relative).read_bytes()
    return ExportFile(path=relative, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest())


@pytest.fixture
def add_export(settings: Settings) -> AddExport:
    """Publish a hand-written export of `adapter`: a GGUF-like file plus a Modelfile, or a
    folder (format adapter or merged) of a few files."""

    def add(adapter: ModelRow, *, fmt: str = "gguf", name: str = "tiny-lora-Q8_0") -> ExportRow:
        built = settings.tmp_dir / f"hand-{name}"
        built.mkdir()
        if fmt == "gguf":
            primary = f"{name}.gguf"
            (built / primary).write_bytes(bytes(range(256)) * 40)
            (built / "Modelfile").write_text(f"FROM ./{primary}\n")
        else:
            primary = name
            (built / name / "sub").mkdir(parents=True)
            (built / name / "config.json").write_text('{"model_type": "llama"}')
            (built / name / "model.safetensors").write_bytes(b"\1" * 3000)
            (built / name / "sub" / "notes.txt").write_text("x")
        files = sorted(
            str(path.relative_to(built).as_posix()) for path in built.rglob("*") if path.is_file()
        )
        report = ExportReport(
            format=fmt,
            files=[_file(built, relative) for relative in files],
            verification={"check": {"value": 0.5, "limit": 1.0, "passed": True}},
            passed=True,
            primary=primary,
            modelfile=f"FROM ./{primary}\n" if fmt == "gguf" else None,
        )
        row = ExportRow(
            source_model_id=adapter.id,
            format=fmt,
            dtype="fp16" if fmt == "merged" else None,
            quant="Q8_0" if fmt == "gguf" else None,
            name=name,
            path="",
            size_bytes=tree_size(built),
            sha256=primary_sha256(built, report),
            report=report.model_dump(mode="json"),
        )
        return records.publish(settings, built, row)

    return add
