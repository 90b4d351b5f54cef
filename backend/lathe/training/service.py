"""The training service: validate a TrainingConfig against the registry, the datasets and this
machine, then queue it as a `train` job; and publish a finished adapter as a registered model.
API routers, the CLI and the job handler call these functions."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from lathe.db.tables import JobRow, ModelRow
from lathe.errors import InvalidInput, NotFound
from lathe.jobs import service as jobs
from lathe.models import records as model_records
from lathe.models.metadata import ModelMetadata
from lathe.models.names import check_name, sanitize_name
from lathe.models.registry import resolve_model
from lathe.models.storage import model_dir, publish, remove_tree, tree_size
from lathe.settings import Settings
from lathe.training.config import TrainingConfig
from lathe.training.data import DatasetRef, read_table, resolve_version
from lathe.training.kernels import check_kernels_request
from lathe.training.tokens import load_tokenizer, tokenize_conversation

__all__ = [
    "TRAINING_FILE",
    "TRAIN_KIND",
    "ValidatedRun",
    "adapter_name",
    "linear_module_names",
    "queue_run",
    "read_training_file",
    "register_adapter",
    "registered_adapter",
    "validate_config",
    "write_training_file",
]

TRAIN_KIND = "train"
TRAINING_FILE = "lathe_training.json"
# Rows tokenised at queue time to surface chat-template errors before a job exists.
PROBE_ROWS = 8


@dataclass(frozen=True)
class ValidatedRun:
    """A config checked against the registry and this machine, with its dataset versions
    pinned (dataset_version 0 replaced by the newest version's number)."""

    config: TrainingConfig
    model: ModelRow
    dataset: DatasetRef
    eval_dataset: DatasetRef | None


def _cuda_devices() -> int:
    import torch

    return int(torch.cuda.device_count()) if torch.cuda.is_available() else 0


def _has_bitsandbytes() -> bool:
    return importlib.util.find_spec("bitsandbytes") is not None


def validate_config(
    settings: Settings, config: TrainingConfig, *, check_name_free: bool = True
) -> ValidatedRun:
    """Every check that needs the registry, the data or the hardware; InvalidInput naming the
    field of the first problem (Conflict for an adapter name already taken, unless
    `check_name_free` is off)."""
    _check_hardware(config)
    model = _base_model(settings, config)
    check_kernels_request(config, model.architecture, _cuda_devices())
    if model.context_length and config.max_length > model.context_length:
        raise InvalidInput(
            f"max_length {config.max_length} is beyond the context of {model.name} "
            f"({model.context_length} tokens)",
            field="max_length",
        )
    _check_target_modules(settings, model, config)
    if config.name:
        check_name(config.name)  # the registry's rules (no "..")
    if check_name_free and config.name and model_records.find_by_name(settings, config.name):
        raise model_records.name_conflict(config.name)
    dataset, dataset_version = resolve_version(settings, config.dataset, config.dataset_version)
    _check_rows(settings, config, dataset, dataset_version, "dataset")
    eval_ref: DatasetRef | None = None
    if config.eval_dataset:
        eval_ref, eval_version = resolve_version(
            settings, config.eval_dataset, config.eval_dataset_version, field_name="eval_dataset"
        )
        _check_rows(settings, config, eval_ref, eval_version, "eval_dataset")
    elif config.eval_fraction > 0 and dataset.rows < 2:
        raise InvalidInput(
            f"eval_fraction needs at least 2 rows; {dataset.name} v{dataset.version} has "
            f"{dataset.rows}",
            field="eval_fraction",
        )
    pinned = config.model_copy(
        update={
            "dataset_version": dataset.version,
            "eval_dataset_version": eval_ref.version if eval_ref else config.eval_dataset_version,
        }
    )
    return ValidatedRun(config=pinned, model=model, dataset=dataset, eval_dataset=eval_ref)


def _check_hardware(config: TrainingConfig) -> None:
    devices = _cuda_devices()
    if config.gpus > devices:
        raise InvalidInput(
            f"gpus {config.gpus} is more than the {devices} CUDA GPU(s) available here",
            field="gpus",
        )
    if config.qlora and not (devices and config.gpus and _has_bitsandbytes()):
        raise InvalidInput(
            "QLoRA (4-bit) needs a CUDA GPU (gpus >= 1) and the bitsandbytes package",
            field="qlora",
        )
    if config.optimizer == "adamw_8bit" and not (devices and config.gpus and _has_bitsandbytes()):
        raise InvalidInput(
            "adamw_8bit needs a CUDA GPU (gpus >= 1) and the bitsandbytes package",
            field="optimizer",
        )
    if config.precision == "fp16" and not (devices and config.gpus):
        raise InvalidInput("fp16 training needs a CUDA GPU; use fp32 or bf16", field="precision")


def _base_model(settings: Settings, config: TrainingConfig) -> ModelRow:
    try:
        model = resolve_model(settings, config.model)
    except NotFound as error:
        raise InvalidInput(error.message, field="model") from error
    if model.kind != "base":
        raise InvalidInput(
            f"model {model.name} is an adapter, not a base model: train on its base model",
            field="model",
        )
    return model


def linear_module_names(settings: Settings, model: ModelRow) -> set[str]:
    """Short names (q_proj, ...) of the model's linear layers, from its config alone (built on
    the meta device: no weights are read)."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    folder = model_dir(settings, model)
    try:
        model_config = AutoConfig.from_pretrained(str(folder), local_files_only=True)
        with torch.device("meta"):
            skeleton = AutoModelForCausalLM.from_config(model_config)  # type: ignore[no-untyped-call]
    except (OSError, ValueError, KeyError) as error:
        raise InvalidInput(f"cannot read model {model.name}: {error}", field="model") from error
    return {
        name.rsplit(".", 1)[-1]
        for name, module in skeleton.named_modules()
        if isinstance(module, torch.nn.Linear)
    }


def _check_target_modules(settings: Settings, model: ModelRow, config: TrainingConfig) -> None:
    wanted = config.lora.target_modules
    if wanted == "all-linear":
        return
    known = linear_module_names(settings, model)
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise InvalidInput(
            f"{model.name} has no linear module named {', '.join(unknown)} "
            f"(it has {', '.join(sorted(known))})",
            field="lora.target_modules",
        )


def _has_assistant_turn(table: pa.Table) -> bool:
    messages = table.column("messages")
    flat = pc.list_flatten(messages)
    if len(flat) == 0:
        return False
    roles = pc.struct_field(flat, "role")
    contents = pc.struct_field(flat, "content")
    mask = pc.and_(pc.equal(roles, "assistant"), pc.greater(pc.utf8_length(contents), 0))
    return bool(pc.any(pc.fill_null(mask, False)).as_py())


def _check_rows(
    settings: Settings, config: TrainingConfig, ref: DatasetRef, version: Any, field: str
) -> None:
    table = read_table(settings, version)
    label = f"{ref.name} v{ref.version}"
    if ref.format == "messages":
        if config.completion_only_loss and not _has_assistant_turn(table):
            raise InvalidInput(
                f"dataset {label} has no assistant turns to learn (completion_only_loss)",
                field=field,
            )
        tokenizer = load_tokenizer(settings, config.model)
        for messages in table.column("messages").slice(0, PROBE_ROWS).to_pylist():
            if messages:
                try:
                    tokenize_conversation(tokenizer, messages, config.max_length)
                except InvalidInput as error:
                    raise InvalidInput(f"dataset {label}: {error.message}", field=field) from None
    elif not pc.any(pc.greater(pc.utf8_length(table.column("text")), 0)).as_py():
        raise InvalidInput(f"dataset {label} has no text", field=field)


def queue_run(settings: Settings, config: TrainingConfig) -> JobRow:
    """Validate `config` (InvalidInput with its field; no job is created) and queue it."""
    return queue_validated(settings, validate_config(settings, config))


def queue_validated(settings: Settings, run: ValidatedRun) -> JobRow:
    """Queue a run that validate_config has already checked."""
    return jobs.enqueue(settings, TRAIN_KIND, run.config.model_dump(mode="json"))


def adapter_name(settings: Settings, config: TrainingConfig, job_id: int) -> str:
    """config.name, or <model>-<dataset>-lora-<job id> (made safe and unique)."""
    if config.name:
        return config.name
    base = sanitize_name(f"{config.model}-{config.dataset}")[:100].rstrip("._-")
    stem = f"{base or 'adapter'}-lora-{job_id}"
    name, number = stem, 1
    while model_records.find_by_name(settings, name) or (settings.models_dir / name).exists():
        number += 1
        name = f"{stem}-{number}"
    return name


def registered_adapter(settings: Settings, job_id: int) -> ModelRow | None:
    """The adapter a run already registered (a retried job that got that far)."""
    return model_records.find_by_source(settings, f"run:{job_id}")


def write_training_file(folder: Path, training: dict[str, Any]) -> None:
    """Write (or replace, atomically) the run's record in the adapter folder."""
    staged = folder / f".{TRAINING_FILE}.tmp"
    staged.write_text(json.dumps(training, indent=2, default=str))
    staged.replace(folder / TRAINING_FILE)


def read_training_file(settings: Settings, adapter: ModelRow) -> dict[str, Any]:
    path = model_dir(settings, adapter) / TRAINING_FILE
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def register_adapter(
    settings: Settings,
    built: Path,
    *,
    name: str,
    base: ModelRow,
    job_id: int,
    training: dict[str, Any],
) -> ModelRow:
    """Move a saved adapter folder (PEFT files + tokenizer) to LATHE_HOME/models/<name> and
    register it as an adapter of `base`. A retried job that already registered its adapter
    gets that row back."""
    source = f"run:{job_id}"
    existing = model_records.find_by_source(settings, source)
    if existing is not None:
        return existing
    write_training_file(built, training)
    size = tree_size(built)
    final = publish(built, settings, name)
    fields = {
        f.name: getattr(base, f.name)
        for f in dataclasses.fields(ModelMetadata)
        if f.name not in ("parameter_count", "size_bytes")
    }
    row = ModelRow(
        name=name,
        kind="adapter",
        source=source,
        path=name,
        parent_id=base.id,
        parameter_count=training.get("trainable_parameters"),
        size_bytes=size,
        **fields,
    )
    try:
        return model_records.insert(settings, row)
    except BaseException:
        remove_tree(final)
        raise
