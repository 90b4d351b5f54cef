"""Model folders on disk. Everything is built in a staging folder under LATHE_HOME/tmp (same
filesystem as LATHE_HOME/models, so the final move is one atomic rename) and only then moved
into place; nothing half-written ever appears under LATHE_HOME/models."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lathe.db.tables import ModelRow
from lathe.errors import Conflict, InvalidInput, LatheError
from lathe.models.progress import Reporter
from lathe.scratch import scratch_prefix
from lathe.settings import Settings

logger = logging.getLogger(__name__)

COPY_CHUNK_BYTES = 16 * 1024 * 1024


def model_dir(settings: Settings, row: ModelRow) -> Path:
    """The folder of a registered model. Refuses a stored path that would leave the models
    folder, so a damaged row can never make a delete remove something else."""
    root = settings.models_dir.resolve()
    folder = (root / row.path).resolve()
    if folder == root or root not in folder.parents:
        raise LatheError(f"model {row.id} has an invalid path {row.path!r}")
    return folder


@contextmanager
def staging(settings: Settings, kind: str) -> Iterator[Path]:
    """A private work folder under LATHE_HOME/tmp (named after `kind`, a lower-case word, and
    this process), removed whatever happens."""
    settings.ensure_home()
    work = Path(tempfile.mkdtemp(prefix=scratch_prefix(kind), dir=settings.tmp_dir))
    try:
        yield work
    finally:
        remove_tree(work)


def remove_tree(path: Path) -> None:
    if not os.path.lexists(path):
        return
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
        return
    shutil.rmtree(path, ignore_errors=True)
    if path.exists():
        logger.warning("could not remove %s completely; delete it by hand", path)


def _files_to_copy(source: Path) -> list[tuple[Path, Path]]:
    """(file, path relative to source) for every file worth copying. Hidden entries (.git with
    its LFS objects, the hub's .cache) are not part of a model. Links to files are followed,
    because a Hugging Face cache snapshot is a folder of links into its blob store."""
    found: list[tuple[Path, Path]] = []
    seen_dirs: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(source, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen_dirs:
            dirnames[:] = []
            continue
        seen_dirs.add(real)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for filename in sorted(filenames):
            if filename.startswith("."):
                continue
            file = Path(dirpath) / filename
            if not file.exists():
                raise InvalidInput(f"{file} is a link to a missing file", field="source")
            if file.is_file():
                found.append((file, file.relative_to(source)))
    return found


def copy_tree(source: Path, dest: Path, reporter: Reporter) -> None:
    files = _files_to_copy(source)
    total = sum(file.stat().st_size for file, _ in files)
    done = 0
    message = f"copying {source.name}"
    reporter.bytes("copy", message, 0, total)
    dest.mkdir(parents=True)
    for file, relative in files:
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with file.open("rb") as src, target.open("wb") as dst:
            while chunk := src.read(COPY_CHUNK_BYTES):
                dst.write(chunk)
                done += len(chunk)
                reporter.bytes("copy", message, done, total)
    reporter.bytes("copy", message, total, total)


def tree_size(folder: Path) -> int:
    return sum(
        (Path(dirpath) / name).stat().st_size
        for dirpath, _dirs, names in os.walk(folder)
        for name in names
    )


def publish(built: Path, settings: Settings, name: str) -> Path:
    """Move a finished model folder from staging to LATHE_HOME/models/<name>."""
    target = settings.models_dir / name
    if os.path.lexists(target):
        raise Conflict(
            f"a folder named {name} already exists in {settings.models_dir} but no model is "
            "registered under that name: remove the folder or choose another name",
            field="name",
        )
    try:
        # On POSIX a rename onto an existing empty folder replaces it; the check above and the
        # unique name in the database keep two imports from sharing a folder.
        built.rename(target)
    except OSError as error:
        if error.errno not in (errno.EEXIST, errno.ENOTEMPTY):
            raise
        raise Conflict(
            f"a folder named {name} appeared in {settings.models_dir} during the import",
            field="name",
        ) from error
    return target


def move_to_trash(folder: Path, settings: Settings) -> Path:
    """Take a model folder out of LATHE_HOME/models in one rename, before a slow delete."""
    settings.ensure_home()
    trash = settings.tmp_dir / f"delete-{folder.name}-{uuid.uuid4().hex[:8]}"
    folder.rename(trash)
    return trash
