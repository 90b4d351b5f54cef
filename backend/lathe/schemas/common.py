"""Shapes used by every resource: the one error body and cursor pages."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine-readable error code, e.g. not_found.")
    message: str = Field(description="What went wrong and where, for a person to read.")
    details: Any = Field(
        default=None,
        description="For problems with the request: a list of {field, message, type}, one per "
        "field, parameter or header at fault (file errors add line numbers). Otherwise extra "
        "context, or null.",
    )


class ErrorResponse(BaseModel):
    error: ErrorBody


DEFAULT_PAGE_LIMIT = 50
MAX_PAGE_LIMIT = 200
