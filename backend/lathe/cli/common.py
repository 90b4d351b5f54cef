"""What every command shares: consoles, settings, and turning domain errors into one line on
stderr with exit code 2."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console

from lathe.db import migrate
from lathe.errors import LatheError
from lathe.settings import Settings, get_settings

P = ParamSpec("P")
R = TypeVar("R")

console = Console()
err_console = Console(stderr=True)

EXIT_BAD_INPUT = 2


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def invalid_config(error: ValidationError) -> typer.Exit:
    """A config that does not validate: its first problem as `<dotted.field>: <message>`."""
    problem = error.errors()[0]
    field = ".".join(str(part) for part in problem["loc"]) or "config"
    return fail(f"{field}: {problem['msg']}")


def cli_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Report a LatheError as `error: <message>` and exit 2, without a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except LatheError as exc:
            raise fail(exc.message) from None

    return wrapper


def settings() -> Settings:
    return get_settings()


def database_settings() -> Settings:
    """Settings for a command that uses the database: LATHE_HOME exists and the schema is
    current, as `lathe serve` would leave them, so the first command on a new machine works."""
    current = get_settings()
    current.ensure_home()
    if current.migrate_on_start:
        migrate.upgrade(current.resolved_database_url)
    return current
