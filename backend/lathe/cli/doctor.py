"""`lathe doctor`: checks the install and says what to do about each failure."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

import typer
from rich.table import Table

from lathe.cli.common import console, settings
from lathe.db import migrate
from lathe.schemas.models import DEFAULT_MODEL_KEY
from lathe.settings import Settings
from lathe.system_info import package_version, training_kernels_active, triton_mode


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def _python(_: Settings) -> Check:
    ok = sys.version_info >= (3, 11)
    return Check("python", ok, sys.version.split()[0], "install Python 3.11 or newer")


def _torch(_: Settings) -> Check:
    try:
        import torch
    except ImportError as exc:
        return Check("torch", False, str(exc), "run `make install` to set up .venv")
    cuda = (
        f"CUDA {torch.version.cuda}, {torch.cuda.device_count()} GPU(s)"
        if torch.cuda.is_available()
        else "CPU only"
    )
    return Check("torch", True, f"{torch.__version__} ({cuda})")


def _triton(_: Settings) -> Check:
    import torch

    version = package_version("triton")
    if version is None:
        return Check("triton", False, "not installed", "run `make install`")
    mode = triton_mode(torch.cuda.is_available())
    notes = {
        "cuda": "kernels compile for the GPU",
        "interpreter": "TRITON_INTERPRET=1: kernels run interpreted on the CPU (fp32, slow; "
        "training uses them only with kernels: on)",
        "reference": "no CUDA GPU: training uses the PyTorch reference ops",
    }
    training = "active" if training_kernels_active(mode) else "not active"
    return Check("triton", True, f"{version}: {notes.get(mode, mode)}; training kernels {training}")


def _frontend(s: Settings) -> Check:
    index = s.frontend_dist / "index.html"
    return Check(
        "web UI build",
        index.is_file(),
        str(index),
        "run `make build` (or `npm ci && npm run build` in frontend/)",
    )


def _home(s: Settings) -> Check:
    try:
        s.ensure_home()
        with tempfile.NamedTemporaryFile(dir=s.home):
            pass
    except OSError as exc:
        return Check("LATHE_HOME", False, f"{s.home}: {exc}", "set LATHE_HOME to a writable folder")
    return Check("LATHE_HOME", True, f"{s.home} (writable)")


def _database(s: Settings) -> Check:
    url = s.resolved_database_url
    try:
        current, head = migrate.current_revision(url), migrate.head_revision()
    except Exception as exc:  # any driver error means the same thing to the user
        return Check("database", False, f"{type(exc).__name__}: {exc}", "check LATHE_DATABASE_URL")
    return Check(
        "database",
        current == head,
        f"revision {current}, newest {head}",
        "run `lathe db upgrade` (the server also migrates on start)",
    )


def _default_model(s: Settings) -> Check:
    from lathe.models.registry import builtin_catalog

    try:
        pulled = any(e.pulled for e in builtin_catalog(s) if e.key == DEFAULT_MODEL_KEY)
    except Exception as exc:  # the database check reports the cause
        return Check(
            "default model", False, f"cannot read the registry: {exc}", "fix the database first"
        )
    return Check(
        "default model",
        pulled,
        DEFAULT_MODEL_KEY if pulled else "not pulled",
        f"run `lathe models pull {DEFAULT_MODEL_KEY}`",
    )


CHECKS: tuple[Callable[[Settings], Check], ...] = (
    _python,
    _torch,
    _triton,
    _frontend,
    _home,
    _database,
    _default_model,
)


def doctor() -> None:
    """Check Python, torch, Triton, the web UI build, LATHE_HOME, the database and the default
    model; exit 1 if anything needs fixing."""
    s = settings()
    results = [check(s) for check in CHECKS]
    table = Table(title="lathe doctor")
    for column in ("check", "status", "detail", "what to do"):
        table.add_column(column)
    for r in results:
        status = "[green]ok[/]" if r.ok else "[red]FAIL[/]"
        table.add_row(r.name, status, r.detail, "" if r.ok else r.fix)
    console.print(table)
    if not all(r.ok for r in results):
        raise typer.Exit(1)
