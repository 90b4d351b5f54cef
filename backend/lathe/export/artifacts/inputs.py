"""The checks an export makes before any heavy work: the format, dtype and quantisation named
are ones the builders know, the adapter and base folders are there and readable, and for GGUF
the architecture and tokenizer are ones a llama GGUF file can carry. Each failure is an
InvalidInput naming the field (format, dtype, quant, source) and, for folders, the path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from lathe.errors import InvalidInput
from lathe.export.artifacts.gguf_arch import (
    architecture_name,
    check_architecture,
    check_supported,
)
from lathe.export.artifacts.gguf_tokenizer import check_tokenizer
from lathe.export.artifacts.loading import ADAPTER_CONFIG, ADAPTER_WEIGHTS, SOURCE_FIELD
from lathe.export.spec import ExportFormat, ExportSpec, GgufQuant, MergedDtype
from lathe.models.reasons import short_reason

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase


def _one_of(value: str, allowed: tuple[str, ...], field: str, what: str) -> None:
    if value not in allowed:
        raise InvalidInput(
            f"unknown {what} {value!r}; choose one of {', '.join(allowed)}", field=field
        )


def check_choices(spec: ExportSpec) -> None:
    _one_of(spec.format, get_args(ExportFormat), "format", "export format")
    if spec.format == "merged":
        _one_of(spec.dtype, get_args(MergedDtype), "dtype", "dtype")
    if spec.format == "gguf":
        _one_of(spec.quant, get_args(GgufQuant), "quant", "GGUF quantisation")


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text())
    except FileNotFoundError as error:
        raise InvalidInput(f"{what} {path} is missing", field=SOURCE_FIELD) from error
    except (OSError, ValueError) as error:
        raise InvalidInput(
            f"{what} {path} cannot be read: {short_reason(error)}", field=SOURCE_FIELD
        ) from error
    if not isinstance(value, dict):
        raise InvalidInput(f"{what} {path} is not a JSON object", field=SOURCE_FIELD)
    return value


def _folder(path: Path, what: str) -> None:
    if not path.is_dir():
        raise InvalidInput(f"the {what} folder {path} is not on disk any more", field=SOURCE_FIELD)


def check_folders(spec: ExportSpec) -> dict[str, Any]:
    """The base model's config.json, once the adapter and base folders are known usable."""
    _folder(spec.adapter_dir, "adapter")
    _read_json(spec.adapter_dir / ADAPTER_CONFIG, "the adapter's config")
    weights = spec.adapter_dir / ADAPTER_WEIGHTS
    if not weights.is_file():
        raise InvalidInput(f"the adapter's weights {weights} are missing", field=SOURCE_FIELD)
    _folder(spec.base_dir, "base model")
    return _read_json(spec.base_dir / "config.json", "the base model's config")


def check_gguf_inputs(
    spec: ExportSpec, base_config: dict[str, Any], tokenizer: PreTrainedTokenizerBase
) -> None:
    from transformers import AutoConfig

    # From the raw file first: a model_type transformers does not know still gets named.
    check_supported(architecture_name(base_config), base_config.get("model_type"))

    try:
        config = AutoConfig.from_pretrained(str(spec.base_dir), local_files_only=True)
    except (OSError, ValueError, KeyError) as error:
        raise InvalidInput(
            f"the base model's config in {spec.base_dir} cannot be read: {short_reason(error)}",
            field=SOURCE_FIELD,
        ) from error
    check_architecture(config, architecture_name(config))
    check_tokenizer(tokenizer)
