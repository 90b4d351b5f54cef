"""Which folders make up a registered model: a base model is one folder; an adapter is its PEFT
folder on top of its base model's folder. Tokenizer and model loaders key their caches on
`folder_identity`, so a model deleted and imported again under the same name is never served
from a stale cache entry."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lathe.errors import LatheError, NotFound
from lathe.models.registry import get_model, model_dir, resolve_model
from lathe.settings import Settings

# Files whose presence means a folder carries its own tokenizer.
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model")

FolderIdentity = tuple[str, int, int]


@dataclass(frozen=True)
class ModelFiles:
    name: str
    base: Path
    adapter: Path | None

    @property
    def tokenizer_folder(self) -> Path:
        """The adapter's own tokenizer when it was saved with one (training may add tokens or
        a chat template), else the base model's."""
        if self.adapter is not None and any(
            (self.adapter / name).is_file() for name in TOKENIZER_FILES
        ):
            return self.adapter
        return self.base


def _existing(folder: Path, name: str) -> Path:
    if not folder.is_dir():
        raise NotFound(f"the folder of model {name} is missing: {folder}", field="model")
    return folder


def model_files(settings: Settings, ref: str) -> ModelFiles:
    """The folders of the registered model named (or numbered) `ref`."""
    row = resolve_model(settings, ref)
    folder = _existing(model_dir(settings, row), row.name)
    if row.kind != "adapter":
        return ModelFiles(name=row.name, base=folder, adapter=None)
    if row.parent_id is None:
        raise LatheError(f"adapter {row.name} has no base model recorded")
    base = get_model(settings, row.parent_id)
    return ModelFiles(
        name=row.name, base=_existing(model_dir(settings, base), base.name), adapter=folder
    )


def folder_identity(folder: Path) -> FolderIdentity:
    """Path, inode and modification time: a re-imported folder gets a new inode."""
    stat = folder.stat()
    return str(folder), stat.st_ino, stat.st_mtime_ns
