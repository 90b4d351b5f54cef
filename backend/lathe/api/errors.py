"""The one error shape, {"error": {"code", "message", "details"}}, for every failure; under
/v1 the same errors in OpenAI's shape, {"error": {"message", "type", "param", "code"}}, which
OpenAI clients parse."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from lathe.errors import LatheError
from lathe.schemas.common import ErrorBody, ErrorResponse
from lathe.schemas.openai import openai_error

logger = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "invalid_input",
}

# Documented on every route so the generated client knows the error type.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": HTTP_CODES[status].replace("_", " ")}
    for status in (404, 409, 422)
}
UNAUTHORIZED_RESPONSE: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "missing or wrong API token"}
}


def error_response(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    body = ErrorResponse(error=ErrorBody(code=code, message=message, details=details))
    return JSONResponse(status_code=status, content=body.model_dump(mode="json"))


OPENAI_PREFIX = "/v1/"


def _respond(
    request: Request, status: int, code: str, message: str, details: Any = None
) -> JSONResponse:
    if request.url.path.startswith(OPENAI_PREFIX):
        body = openai_error(status, code, message, details)
        return JSONResponse(status_code=status, content=body.model_dump(mode="json"))
    return error_response(status, code, message, details)


def _field_path(loc: tuple[Any, ...]) -> str:
    # ("body", "name") -> "name"; ("query", "limit") -> "limit"; keep list indices readable.
    parts = (
        [str(p) for p in loc[1:]]
        if loc and loc[0] in ("body", "query", "path")
        else list(map(str, loc))
    )
    return ".".join(parts) or "body"


def _validation_message(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """A one-line summary naming the first bad field, and every problem in the details."""
    details: list[dict[str, Any]] = []
    for err in errors:
        field = _field_path(tuple(err.get("loc", ())))
        message = str(err.get("msg", "invalid value"))
        if err.get("type") == "json_invalid":
            ctx = err.get("ctx") or {}
            message = f"malformed JSON body: {ctx.get('error', message)}"
            field = "body"
        details.append({"field": field, "message": message, "type": err.get("type")})
    if not details:
        return "invalid request", details
    field, message = details[0]["field"], details[0]["message"]
    summary = message if field == "body" else f"{field}: {message}"
    if len(details) > 1:
        summary += f" (and {len(details) - 1} more)"
    return summary, details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LatheError)
    async def _lathe_error(request: Request, exc: LatheError) -> JSONResponse:
        return _respond(request, exc.status_code, exc.code, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, details = _validation_message(list(exc.errors()))
        return _respond(request, 422, "invalid_input", message, details)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "error")
        response = _respond(request, exc.status_code, code, str(exc.detail))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        message = f"internal error: {type(exc).__name__}: {exc}"
        return _respond(request, 500, "internal_error", message)
