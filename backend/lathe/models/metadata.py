"""What a model folder is: validation (config + weights) and the facts stored on its row,
read from config.json and the safetensors headers without loading any weights."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lathe.errors import InvalidInput
from lathe.models.reasons import short_reason
from lathe.models.storage import tree_size

SAFETENSORS_INDEX = "model.safetensors.index.json"
BIN_INDEX = "pytorch_model.bin.index.json"
CONFIG_FILE = "config.json"

# safetensors dtype codes, spelled the way torch and config.json spell them.
_SAFETENSORS_DTYPES = {
    "F64": "float64",
    "F32": "float32",
    "F16": "float16",
    "BF16": "bfloat16",
    "F8_E4M3": "float8_e4m3fn",
    "F8_E5M2": "float8_e5m2",
}


@dataclass(frozen=True)
class WeightFiles:
    safetensors: list[Path]
    pytorch_bin: list[Path]


@dataclass(frozen=True)
class ModelMetadata:
    architecture: str | None
    model_type: str | None
    parameter_count: int | None
    num_layers: int | None
    hidden_size: int | None
    vocab_size: int | None
    context_length: int | None
    dtype: str | None
    has_chat_template: bool
    size_bytes: int


def _not_a_model(folder: Path, reason: str) -> InvalidInput:
    return InvalidInput(f"{folder} is not a model folder: {reason}", field="source")


def load_config(folder: Path) -> Any:
    if not (folder / CONFIG_FILE).is_file():
        raise _not_a_model(folder, "no config.json")
    # Imported here: transformers takes seconds to import and most registry calls never need it.
    from transformers import AutoConfig

    try:
        return AutoConfig.from_pretrained(str(folder), local_files_only=True)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise _not_a_model(
            folder, f"config.json cannot be loaded: {short_reason(error)}"
        ) from error


def _index_shards(folder: Path, index: Path) -> list[Path]:
    try:
        weight_map = json.loads(index.read_text(encoding="utf-8"))["weight_map"]
        names = sorted(set(weight_map.values()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise _not_a_model(
            folder, f"{index.name} cannot be read: {short_reason(error, with_type=True)}"
        ) from error
    missing = [name for name in names if not (folder / name).is_file()]
    if missing:
        raise _not_a_model(folder, f"{index.name} lists missing files: {', '.join(missing)}")
    return [folder / name for name in names]


def find_weights(folder: Path) -> WeightFiles:
    if (folder / SAFETENSORS_INDEX).is_file():
        return WeightFiles(_index_shards(folder, folder / SAFETENSORS_INDEX), [])
    safetensors = sorted(path for path in folder.glob("*.safetensors") if path.is_file())
    if safetensors:
        return WeightFiles(safetensors, [])
    if (folder / BIN_INDEX).is_file():
        return WeightFiles([], _index_shards(folder, folder / BIN_INDEX))
    bins = sorted(path for path in folder.glob("pytorch_model*.bin") if path.is_file())
    if bins:
        return WeightFiles([], bins)
    raise _not_a_model(folder, "no weights (*.safetensors or pytorch_model*.bin)")


def _tensor_counts(folder: Path, files: list[Path]) -> Counter[str]:
    """Number of weights per safetensors dtype code, from the file headers only."""
    from safetensors import SafetensorError, safe_open

    counts: Counter[str] = Counter()
    for file in files:
        try:
            with safe_open(str(file), framework="pt") as handle:
                for key in handle.keys():  # noqa: SIM118 (safe_open is not iterable)
                    tensor = handle.get_slice(key)
                    counts[str(tensor.get_dtype())] += math.prod(tensor.get_shape())
        except (OSError, SafetensorError) as error:
            raise _not_a_model(
                folder, f"{file.name} is not a valid safetensors file: {short_reason(error)}"
            ) from error
    return counts


def check_model_folder(folder: Path) -> WeightFiles:
    """Raise InvalidInput unless `folder` holds a loadable config and readable weights."""
    load_config(folder)
    weights = find_weights(folder)
    _tensor_counts(folder, weights.safetensors)
    return weights


def _count_from_config(config: Any) -> int | None:
    """Parameter count without safetensors headers (pytorch .bin weights, which cannot be read
    without unpickling them): build the model on the meta device, which allocates nothing."""
    import torch
    from transformers import AutoModelForCausalLM

    try:
        with torch.device("meta"):
            model = AutoModelForCausalLM.from_config(config)  # type: ignore[no-untyped-call]
        return int(model.num_parameters())
    except Exception:  # an estimate only: any failure leaves the count unknown
        return None


def _first_int(config: Any, names: tuple[str, ...]) -> int | None:
    for name in names:
        value = getattr(config, name, None)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _config_dtype(config: Any) -> str | None:
    value = getattr(config, "dtype", None)
    if value is None or value == "auto":
        return None
    return str(value).removeprefix("torch.")


def has_chat_template(folder: Path) -> bool:
    if (folder / "chat_template.jinja").is_file() or (folder / "chat_template.json").is_file():
        return True
    tokenizer_config = folder / "tokenizer_config.json"
    if not tokenizer_config.is_file():
        return False
    try:
        data = json.loads(tokenizer_config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and bool(data.get("chat_template"))


def read_metadata(folder: Path) -> ModelMetadata:
    config = load_config(folder)
    text_config = config.get_text_config() if hasattr(config, "get_text_config") else config
    weights = find_weights(folder)
    counts = _tensor_counts(folder, weights.safetensors)
    parameter_count = sum(counts.values()) if counts else _count_from_config(config)
    float_counts = Counter({code: n for code, n in counts.items() if code in _SAFETENSORS_DTYPES})
    weights_dtype = _SAFETENSORS_DTYPES[float_counts.most_common(1)[0][0]] if float_counts else None
    architectures = getattr(config, "architectures", None) or [None]
    return ModelMetadata(
        architecture=architectures[0],
        model_type=getattr(config, "model_type", None) or None,
        parameter_count=parameter_count,
        num_layers=_first_int(text_config, ("num_hidden_layers", "n_layer", "num_layers")),
        hidden_size=_first_int(text_config, ("hidden_size", "n_embd", "d_model")),
        vocab_size=_first_int(text_config, ("vocab_size",)),
        context_length=_first_int(
            text_config,
            ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length"),
        ),
        dtype=_config_dtype(config) or weights_dtype,
        has_chat_template=has_chat_template(folder),
        size_bytes=tree_size(folder),
    )
