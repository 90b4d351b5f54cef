"""Liveness: open without a token so load balancers and the UI can probe it."""

from __future__ import annotations

from fastapi import APIRouter

from lathe import __version__
from lathe.schemas.system import Health

router = APIRouter(prefix="/api/health", tags=["health"])


@router.get("")
def get_health() -> Health:
    return Health(version=__version__)
