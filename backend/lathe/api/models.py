"""Model registry: list, inspect, delete; pulls and imports are queued as jobs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from lathe.api.deps import SettingsDep
from lathe.api.errors import ERROR_RESPONSES
from lathe.models import jobs as model_jobs
from lathe.models import registry
from lathe.schemas.common import DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, ErrorResponse
from lathe.schemas.jobs import JobOut
from lathe.schemas.models import (
    BuiltinModelOut,
    ModelImportRequest,
    ModelOut,
    ModelPage,
    ModelPullRequest,
)

router = APIRouter(prefix="/api/models", tags=["models"], responses=ERROR_RESPONSES)


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
    status_code=status.HTTP_202_ACCEPTED,
    responses={503: {"model": ErrorResponse, "description": "Hugging Face Hub unreachable"}},
)
def import_model(settings: SettingsDep, body: ModelImportRequest) -> JobOut:
    """Check the source and name now, then queue a `model.import` job; its result is
    {"model_id": ...}."""
    return JobOut.model_validate(model_jobs.queue_import(settings, body.source, body.name))


@router.post("/pull", status_code=status.HTTP_202_ACCEPTED)
def pull_model(settings: SettingsDep, body: ModelPullRequest) -> JobOut:
    """Queue a `model.pull` job for a built-in model, or return the one already under way;
    its result is {"model_id": ...}."""
    return JobOut.model_validate(model_jobs.queue_pull(settings, body.key))


@router.delete("/{model_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_model(settings: SettingsDep, model_id: int) -> Response:
    registry.delete_model(settings, model_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
