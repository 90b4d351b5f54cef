"""The export service: check an ExportConfig against the registry and the disk (the adapter,
its base model, their folders, the GGUF writer's architectures), and queue it as an `export`
job. API routers, the CLI and the job handler call these functions."""

from __future__ import annotations

import errno
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lathe.db.tables import JobRow, ModelRow
from lathe.errors import Conflict, InvalidInput, LatheError, NotFound
from lathe.export.config import MAX_EXPORT_NAME, ExportConfig
from lathe.jobs import service as jobs
from lathe.models import records as model_records
from lathe.models.metadata import load_config
from lathe.models.names import sanitize_name
from lathe.models.registry import resolve_model
from lathe.models.storage import model_dir, tree_size
from lathe.settings import Settings
from lathe.training.memory_model import format_bytes
from lathe.training.service import read_training_file

__all__ = [
    "EXPORT_KIND",
    "ExportPlan",
    "NoSpace",
    "check_free_space",
    "default_export_name",
    "estimate_bytes",
    "no_space_error",
    "plan_export",
    "queue_export",
]

EXPORT_KIND = "export"

# Bytes per weight of each output, for the free-space check (GGUF blocks of 32 weights carry
# one fp16 scale, and Q4_1/Q5_1 a minimum too).
MERGED_BYTES_PER_WEIGHT = {"fp32": 4.0, "fp16": 2.0, "bf16": 2.0}
GGUF_BYTES_PER_WEIGHT = {
    "F32": 4.0,
    "F16": 2.0,
    "BF16": 2.0,
    "Q8_0": 34 / 32,
    "Q5_1": 24 / 32,
    "Q5_0": 22 / 32,
    "Q4_1": 20 / 32,
    "Q4_0": 18 / 32,
}
# Tokenizer, READMEs, a Modelfile and the verification's scratch files, beyond the weights.
SPACE_MARGIN_BYTES = 64 * 1024 * 1024
SPACE_MARGIN_FRACTION = 0.1


class NoSpace(LatheError):
    """The disk under LATHE_HOME has no room for an export."""

    code = "no_space"
    status_code = 507


@dataclass(frozen=True)
class ExportPlan:
    """A checked export: the config with its source pinned to the adapter's name and its name
    filled in, and the folders it reads."""

    config: ExportConfig
    name: str
    adapter: ModelRow
    base: ModelRow
    adapter_dir: Path
    base_dir: Path

    def facts(self, settings: Settings) -> dict[str, Any]:
        """What the builders write into READMEs: the models and the training run's record."""
        training = read_training_file(settings, self.adapter)
        return {
            "adapter": self.adapter.name,
            "base_model": self.base.name,
            "base_model_source": self.base.source,
            "training": training or None,
        }


def resolve_adapter(settings: Settings, ref: str) -> ModelRow:
    """The adapter named (or numbered) `ref`; NotFound, or InvalidInput for a base model."""
    try:
        row = resolve_model(settings, ref)
    except NotFound as error:
        raise NotFound(f"source: {error.message}", field="source") from None
    if row.kind != "adapter":
        raise InvalidInput(
            f"source: model {row.name} is a base model, not an adapter: export an adapter "
            "trained on it",
            field="source",
        )
    return row


def _base_of(settings: Settings, adapter: ModelRow) -> ModelRow:
    if adapter.parent_id is None:
        raise Conflict(f"adapter {adapter.name} has no base model registered", field="source")
    try:
        return model_records.get(settings, adapter.parent_id)
    except NotFound:
        raise Conflict(
            f"the base model (id {adapter.parent_id}) of adapter {adapter.name} is not "
            "registered any more",
            field="source",
        ) from None


def _folder_on_disk(settings: Settings, row: ModelRow, what: str) -> Path:
    """The model's folder; Conflict naming `what` and the path when it is gone or empty."""
    folder = model_dir(settings, row)
    if not folder.is_dir() or not any(folder.iterdir()):
        raise Conflict(
            f"{what} is not on disk any more (expected its files in {folder}): put the folder "
            "back, or import the model again",
            field="source",
        )
    return folder


def default_export_name(adapter: str, config: ExportConfig) -> str:
    """The adapter's name, with the format and dtype for folders: my-adapter-adapter,
    my-adapter-merged-fp16. A GGUF export keeps the adapter's name: its file carries the
    quantisation (my-adapter.Q8_0.gguf, as GGUF files on the Hub are named)."""
    suffix = "" if config.format == "gguf" else f"-{config.variant()}"
    stem = sanitize_name(adapter)[: MAX_EXPORT_NAME - len(suffix)].rstrip("._-")
    return f"{stem or 'export'}{suffix}"


def plan_export(settings: Settings, config: ExportConfig) -> ExportPlan:
    """Every check an export can make before it writes anything: NotFound for an unknown
    adapter, InvalidInput naming the field, Conflict when a folder it reads is gone."""
    adapter = resolve_adapter(settings, config.source)
    base = _base_of(settings, adapter)
    adapter_dir = _folder_on_disk(settings, adapter, f"adapter {adapter.name}")
    base_dir = _folder_on_disk(
        settings, base, f"the base model {base.name} of adapter {adapter.name}"
    )
    if config.format == "gguf":
        check_gguf_architecture(base_dir)
    name = config.name or default_export_name(adapter.name, config)
    pinned = config.model_copy(update={"source": adapter.name, "name": name})
    return ExportPlan(
        config=pinned,
        name=name,
        adapter=adapter,
        base=base,
        adapter_dir=adapter_dir,
        base_dir=base_dir,
    )


def check_gguf_architecture(base_dir: Path) -> None:
    """InvalidInput (field format) naming the base model's architecture when the GGUF writer
    cannot express it, before a job is queued."""
    # Imported here: reading a config needs transformers, which takes seconds to import.
    from lathe.export.artifacts.gguf_arch import architecture_name, check_architecture

    config = load_config(base_dir)
    check_architecture(config, architecture_name(config))


def queue_export(settings: Settings, config: ExportConfig) -> JobRow:
    """Check `config` (no job is created when it is refused) and queue an `export` job."""
    plan = plan_export(settings, config)
    return jobs.enqueue(settings, EXPORT_KIND, plan.config.model_dump(mode="json"))


def estimate_bytes(plan: ExportPlan) -> int:
    """Roughly what the export writes: the weights in the output's precision (all of the base
    model's weights for merged and GGUF), plus a margin."""
    config = plan.config
    if config.format == "adapter":
        written = tree_size(plan.adapter_dir)
    else:
        # Without a stored count, assume 2 bytes per weight on disk (an over-estimate for a
        # float32 base model, which is the safe side).
        weights = plan.base.parameter_count or tree_size(plan.base_dir) // 2
        per_weight = (
            MERGED_BYTES_PER_WEIGHT[config.dtype]
            if config.format == "merged"
            else GGUF_BYTES_PER_WEIGHT[config.quant]
        )
        written = int(weights * per_weight)
    return int(written * (1 + SPACE_MARGIN_FRACTION)) + SPACE_MARGIN_BYTES


def check_free_space(settings: Settings, needed: int) -> None:
    """NoSpace when the disk of LATHE_HOME/tmp has less than `needed` bytes free."""
    free = shutil.disk_usage(settings.tmp_dir).free
    if free < needed:
        raise NoSpace(
            f"not enough free space for this export in {settings.home}: it needs about "
            f"{format_bytes(needed)}, {format_bytes(free)} is free; free some space and export "
            "again"
        )


_NO_SPACE_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
# Libraries that write from native code (safetensors) report a full disk as text.
_NO_SPACE_TEXTS = ("no space left on device", "storagefull", "os error 28")


def no_space_error(error: BaseException, out_dir: Path, *, home: Path, what: str) -> NoSpace | None:
    """A clear NoSpace for an error that is (or was caused by) a full disk while writing into
    `out_dir`, naming the file being written (the last one written when the error does not
    say, or `what` when the writer removed it already); None for any other error."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        full = (isinstance(current, OSError) and current.errno in _NO_SPACE_ERRNOS) or any(
            text in str(current).lower() for text in _NO_SPACE_TEXTS
        )
        if full:
            filename = getattr(current, "filename", None)
            file = Path(filename) if filename else _newest_file(out_dir)
            return NoSpace(
                f"no space left on device while writing {file.name if file else what} "
                f"(LATHE_HOME {home}): free some space and export again"
            )
        current = current.__cause__ or current.__context__
    return None


def _newest_file(folder: Path) -> Path | None:
    """The file written last in `folder`: the one a write without a file name failed on."""
    files = [path for path in folder.rglob("*") if path.is_file()]
    return max(files, key=lambda path: path.stat().st_mtime_ns) if files else None
