"""Annotated dependencies shared by the routers."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from lathe.inference.engine import ChatEngine
from lathe.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="LATHE_API_TOKEN, when the server has one.")


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def get_engine(request: Request) -> ChatEngine:
    engine: ChatEngine = request.app.state.engine
    return engine


EngineDep = Annotated[ChatEngine, Depends(get_engine)]


def require_token(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Open when no token is configured (loopback only); otherwise a matching bearer token."""
    if settings.api_token is None:
        return
    expected = settings.api_token.get_secret_value()
    given = credentials.credentials if credentials is not None else ""
    if not secrets.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            status_code=401,
            detail="missing or wrong API token: send 'Authorization: Bearer <LATHE_API_TOKEN>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
