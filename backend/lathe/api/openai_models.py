"""GET /v1/models: every registered base model and adapter, as OpenAI clients list models."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from lathe.api.deps import SettingsDep
from lathe.api.openai_streaming import OPENAI_ERROR_RESPONSES
from lathe.models.registry import all_models
from lathe.schemas.openai import OpenAIModel, OpenAIModelList

router = APIRouter(prefix="/v1", tags=["openai"], responses=OPENAI_ERROR_RESPONSES)


@router.get("/models")
async def list_openai_models(settings: SettingsDep) -> OpenAIModelList:
    rows = await run_in_threadpool(all_models, settings)
    names = {row.id: row.name for row in rows}
    return OpenAIModelList(
        data=[
            OpenAIModel(
                id=row.name,
                created=int(row.created_at.timestamp()),
                parent=names.get(row.parent_id) if row.parent_id is not None else None,
            )
            for row in rows
        ]
    )
