"""ExportConfig: what a person asks to export. The same model is the body of POST /api/exports,
the options of `lathe export` and the params of an `export` job."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from lathe.export.spec import ExportFormat, GgufQuant, MergedDtype

MAX_EXPORT_NAME = 128
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def check_export_name(name: str) -> str:
    """`name` if it is safe as a file and folder stem inside an export, else ValueError saying
    why (pydantic reports it under the field `name`)."""
    if not name.strip():
        raise ValueError("must not be empty")
    if "/" in name or "\\" in name:
        raise ValueError(
            f"{name!r} contains a path separator; a name is a file or folder stem, not a path"
        )
    if ".." in name:
        raise ValueError(f"{name!r} contains '..'")
    if name.startswith("."):
        raise ValueError(f"{name!r} would be a hidden file; start it with a letter or digit")
    if len(name) > MAX_EXPORT_NAME:
        raise ValueError(f"is {len(name)} characters long; at most {MAX_EXPORT_NAME}")
    if _NAME_RE.fullmatch(name) is None:
        raise ValueError(
            f"{name!r} is not a valid name: use letters, digits, '.', '_' and '-', starting "
            "with a letter or digit"
        )
    return name


class ExportConfig(BaseModel):
    """One export of a trained adapter."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(
        min_length=1,
        description="The adapter to export: its model name or id (a registered adapter, not a "
        "base model).",
    )
    format: ExportFormat = Field(
        default="gguf",
        description="adapter: the PEFT adapter folder (adapter_config.json + "
        "adapter_model.safetensors + README); merged: the adapter merged into the base weights, "
        "a transformers model folder; gguf: one GGUF file for llama.cpp, Ollama and LM Studio, "
        "plus an Ollama Modelfile.",
    )
    dtype: MergedDtype = Field(
        default="fp16",
        description="Weights' dtype of a merged export (fp32, fp16 or bf16). Only the merged "
        "format uses it.",
    )
    quant: GgufQuant = Field(
        default="Q8_0",
        description="Quantisation of a GGUF export, as llama.cpp names it (F32, F16, BF16, "
        "Q8_0, Q4_0, Q4_1, Q5_0, Q5_1; any case). Only the gguf format uses it.",
    )
    name: str | None = Field(
        default=None,
        description="Stem of the exported file or folder names: letters, digits, '.', '_' and "
        "'-', no path separators. Default: the adapter's name, plus -adapter or -merged-<dtype> "
        "for those formats (a GGUF file is named <name>.<quant>.gguf).",
    )

    @field_validator("quant", mode="before")
    @classmethod
    def _quant_upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("dtype", "format", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str | None) -> str | None:
        return None if value is None else check_export_name(value)

    @property
    def used_dtype(self) -> MergedDtype | None:
        """The dtype this export uses: set for merged exports only."""
        return self.dtype if self.format == "merged" else None

    @property
    def used_quant(self) -> GgufQuant | None:
        """The quantisation this export uses: set for gguf exports only."""
        return self.quant if self.format == "gguf" else None

    def variant(self) -> str:
        """What tells exports of one adapter apart: adapter, merged-fp16, Q8_0."""
        if self.format == "merged":
            return f"merged-{self.dtype}"
        if self.format == "gguf":
            return self.quant
        return "adapter"
