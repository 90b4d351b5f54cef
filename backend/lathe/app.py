"""FastAPI app factory: routers, the one error shape, migrations on start, the built frontend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from lathe import __version__
from lathe.api import (
    chat,
    datasets,
    exports,
    health,
    inference,
    jobs,
    models,
    openai_chat,
    openai_completions,
    openai_models,
    recipes,
    system,
    training,
)
from lathe.api.deps import require_token
from lathe.api.errors import UNAUTHORIZED_RESPONSE, error_response, install_error_handlers
from lathe.db import migrate
from lathe.inference.engine import ChatEngine
from lathe.jobs.worker import Worker
from lathe.settings import Settings, get_settings

API_PREFIXES = ("api/", "v1/")


def operation_id(route: APIRoute) -> str:
    """Stable `<tag>-<function>` ids keep the generated TypeScript client's names stable."""
    return f"{route.tags[0]}-{route.name}"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # Models load on the first chat with them (or POST /api/inference/load), not at start.
    engine = ChatEngine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.ensure_home()
        if settings.migrate_on_start:
            await run_in_threadpool(migrate.upgrade, settings.resolved_database_url)
        worker = Worker(settings) if settings.worker_embedded else None
        thread = worker.start_background() if worker is not None else None
        try:
            yield
        finally:
            await run_in_threadpool(engine.close)
            if worker is not None and thread is not None:
                # Running jobs are asked to stop and requeued, so a restart loses nothing.
                worker.request_stop()
                await run_in_threadpool(thread.join, settings.job_cancel_grace_s * 2 + 5)

    app = FastAPI(
        title="Lathe",
        version=__version__,
        description="LoRA training studio: models, datasets, recipes, training jobs, chat, export.",
        generate_unique_id_function=operation_id,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    install_error_handlers(app)
    app.include_router(health.router)
    protected = [Depends(require_token)]
    for router in (
        system.router,
        models.router,
        datasets.router,
        recipes.router,
        jobs.router,
        training.router,
        exports.router,
        inference.router,
        chat.router,
        openai_chat.router,
        openai_completions.router,
        openai_models.router,
    ):
        app.include_router(router, dependencies=protected, responses=UNAUTHORIZED_RESPONSE)
    _mount_frontend(app, settings.frontend_dist)
    return app


def _mount_frontend(app: FastAPI, dist: Path) -> None:
    """Serve the built single-page app; any non-API path falls back to index.html so client
    routes survive a reload."""

    @app.get("/{path:path}", include_in_schema=False, tags=["frontend"])
    def spa(path: str) -> Response:
        if path.startswith(API_PREFIXES) or path in ("api", "v1"):
            return error_response(404, "not_found", f"no such endpoint: /{path}")
        index = dist / "index.html"
        if not index.is_file():
            return HTMLResponse(
                "<h1>Lathe</h1><p>The web UI is not built. Run <code>make build</code> "
                f"(or <code>npm run build</code> in frontend/); expected {index}.</p>"
                "<p>The API is up: <a href='/docs'>/docs</a>.</p>",
                status_code=503,
            )
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(dist):
            return FileResponse(candidate)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
