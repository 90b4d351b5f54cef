"""The `lathe` command line. Commands call the same services as the API routers."""

from __future__ import annotations

import os
from pathlib import Path

import typer
import uvicorn

from lathe import __version__
from lathe.cli import datasets, db, exports, jobs, models, recipes, train
from lathe.cli.chat import chat
from lathe.cli.common import cli_errors, console, fail
from lathe.cli.doctor import doctor
from lathe.cli.export import export
from lathe.cli.worker import worker
from lathe.db.engine import reset_engines
from lathe.settings import get_settings, is_loopback

app = typer.Typer(
    name="lathe",
    help="Lathe: a LoRA training studio. Serve the web UI, manage models, run jobs.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(db.app, name="db")
app.add_typer(models.app, name="models")
app.add_typer(datasets.app, name="datasets")
app.add_typer(recipes.app, name="recipes", no_args_is_help=True)
app.add_typer(jobs.app, name="jobs")
app.add_typer(exports.app, name="exports")
app.command("doctor")(doctor)
app.command("worker")(worker)
app.command("train")(train.train)
app.command("export")(export)
app.command("chat")(chat)


@app.callback()
def main(
    home: Path | None = typer.Option(
        None, "--home", envvar="LATHE_HOME", help="Lathe's data folder (default ~/.lathe)."
    ),
) -> None:
    if home is not None:
        os.environ["LATHE_HOME"] = str(home)
    get_settings.cache_clear()
    reset_engines()


@app.command()
def version() -> None:
    """Print Lathe's version."""
    console.print(__version__)


@app.command()
@cli_errors
def serve(
    host: str | None = typer.Option(
        None, help="Interface to bind (default LATHE_HOST or 127.0.0.1)."
    ),
    port: int | None = typer.Option(None, help="Port (default LATHE_PORT or 8000)."),
    migrate: bool = typer.Option(True, help="Apply database migrations on start."),
    worker: bool = typer.Option(
        True, help="Run an embedded worker (turn off when separate `lathe worker`s run jobs)."
    ),
) -> None:
    """Start the API and the web UI."""
    from lathe.app import create_app

    settings = get_settings().model_copy(
        update={
            key: value
            for key, value in {
                "host": host,
                "port": port,
                "migrate_on_start": migrate,
                "worker_embedded": worker and get_settings().worker_embedded,
            }.items()
            if value is not None
        }
    )
    if not is_loopback(settings.host) and settings.api_token is None:
        raise fail(
            f"refusing to bind {settings.host}: set LATHE_API_TOKEN first, so the studio is not "
            "open to the network without a token"
        )
    url = f"http://{settings.host}:{settings.port}"
    console.print(f"Lathe {__version__} at {url}  (LATHE_HOME={settings.home})")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
