"""`lathe db`: database migrations."""

from __future__ import annotations

import typer

from lathe.cli.common import cli_errors, console, settings
from lathe.db import migrate
from lathe.system_info import redact_url

app = typer.Typer(help="Database migrations (Alembic).", no_args_is_help=True)


@app.command()
@cli_errors
def upgrade(
    revision: str = typer.Argument("head", help="Target revision; 'head' is the newest."),
) -> None:
    """Apply migrations up to REVISION (the server also does this on start)."""
    settings().ensure_home()
    url = settings().resolved_database_url
    migrate.upgrade(url, revision)
    console.print(f"database {redact_url(url)} at revision {migrate.current_revision(url)}")


@app.command()
@cli_errors
def downgrade(
    revision: str = typer.Argument(help="Target revision, e.g. 'base' or '-1'."),
) -> None:
    """Revert migrations down to REVISION."""
    url = settings().resolved_database_url
    migrate.downgrade(url, revision)
    console.print(f"database {redact_url(url)} at revision {migrate.current_revision(url)}")


@app.command()
@cli_errors
def current() -> None:
    """Print the database's revision and the newest one available."""
    url = settings().resolved_database_url
    console.print(f"current: {migrate.current_revision(url)}  head: {migrate.head_revision()}")
