"""What an export builds and what it reports: the contract between the artifact builders
(`lathe.export.artifacts`) and the job, database, REST and CLI around them.

The builders know nothing of the database or of jobs: they get folders on disk, write into a
staging folder the caller owns, and report progress through a callback. The caller moves the
staging folder into LATHE_HOME/exports/<id>/ in one rename and records the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

ExportFormat = Literal["adapter", "merged", "gguf"]
MergedDtype = Literal["fp32", "fp16", "bf16"]
# GGUF quantisations the writer supports (names as llama.cpp spells them, upper case).
GgufQuant = Literal["F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1"]

# progress(fraction_done in [0, 1], what is happening now)
Progress = Callable[[float, str], None]
# log(one line for the job's log)
Log = Callable[[str], None]


@dataclass(frozen=True)
class ExportSpec:
    """One export, resolved to folders on disk."""

    format: ExportFormat
    # The registered adapter's folder (PEFT files + tokenizer + lathe_training.json).
    adapter_dir: Path
    base_dir: Path  # the base model's folder (safetensors + tokenizer + config)
    out_dir: Path  # an empty staging folder; every artifact is written inside it
    name: str  # file/folder stem for the artifacts (already checked: no path separators)
    dtype: MergedDtype = "fp16"  # merged weights' dtype (format merged; gguf merges in fp32)
    quant: GgufQuant = "Q8_0"  # format gguf only
    facts: dict[str, Any] | None = None  # base model name, training config, metrics: for READMEs


class ExportFile(BaseModel):
    path: str = Field(description="Path relative to the export's folder, '/'-separated.")
    size_bytes: int
    sha256: str


class ExportReport(BaseModel):
    """What the builders return; stored on the export row and shown by the UI."""

    format: ExportFormat
    files: list[ExportFile] = Field(description="Every artifact file, with size and sha256.")
    # Verification checks, by name, e.g. {"merged_vs_adapter": {"max_abs_diff": 3e-6,
    # "limit": 1e-4, "passed": true, "prompts": 4}, "gguf_top1": {"agreement": 1.0,
    # "limit": 0.99, "passed": true, "positions": 512}}.
    verification: dict[str, dict[str, Any]] = Field(default_factory=dict)
    passed: bool = Field(description="Every verification check passed.")
    seconds: dict[str, float] = Field(
        default_factory=dict, description="Wall time per phase: merge, write, quantise, verify."
    )
    modelfile: str | None = Field(default=None, description="The Ollama Modelfile text (gguf).")
    primary: str = Field(
        description="The file or folder a user downloads or registers back: the .gguf file, the "
        "merged model folder, or the adapter folder (relative path)."
    )
