"""The chat engine's loaded models: list them, load one ahead of the first chat (weights load
once; later requests start at once), unload one to free its memory."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from lathe.api.deps import EngineDep
from lathe.api.errors import ERROR_RESPONSES
from lathe.inference.engine import ChatEngine
from lathe.schemas.chat import LoadedModelOut, LoadedModels, ModelLoadRequest, ModelUnloadRequest

router = APIRouter(prefix="/api/inference", tags=["inference"], responses=ERROR_RESPONSES)


def _loaded(engine: ChatEngine) -> LoadedModels:
    return LoadedModels(
        budget_bytes=engine.budget_bytes,
        items=[
            LoadedModelOut(label=i.label, adapters=i.adapters, bytes=i.bytes, busy=i.busy)
            for i in engine.loaded()
        ],
    )


@router.get("/models")
def list_loaded_models(engine: EngineDep) -> LoadedModels:
    return _loaded(engine)


@router.post("/load")
async def load_model(engine: EngineDep, body: ModelLoadRequest) -> LoadedModels:
    await run_in_threadpool(engine.target, body.model, body.adapter)
    return _loaded(engine)


@router.post("/unload")
async def unload_model(engine: EngineDep, body: ModelUnloadRequest) -> LoadedModels:
    await run_in_threadpool(engine.unload, body.model)
    return _loaded(engine)
