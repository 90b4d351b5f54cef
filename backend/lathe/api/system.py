"""Versions, hardware and Triton status of the machine the server runs on."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from lathe import system_info
from lathe.api.deps import SettingsDep
from lathe.schemas.system import SystemInfo

router = APIRouter(prefix="/api/system", tags=["system"])


@router.get("")
async def get_system(settings: SettingsDep) -> SystemInfo:
    return await run_in_threadpool(system_info.collect, settings)
