"""Domain errors raised by services. The API maps them to the one error shape with a 4xx/5xx
status; the CLI prints the message on one line and exits with code 2."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class LatheError(Exception):
    code = "error"
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, details: Any = None) -> None:
        """`field` names the request field, parameter, header or file at fault; it becomes
        details=[{field, message, type, ...}], the shape request validation errors have, with
        any `details` mapping (line, record, ...) merged into that one entry."""
        super().__init__(message)
        self.message = message
        if field is not None:
            extra = dict(details) if isinstance(details, Mapping) else {}
            details = [{"field": field, "message": message, "type": self.code, **extra}]
        self.details = details


class InvalidInput(LatheError):
    code = "invalid_input"
    status_code = 422


class NotFound(LatheError):
    code = "not_found"
    status_code = 404


class Conflict(LatheError):
    code = "conflict"
    status_code = 409


class UpstreamUnavailable(LatheError):
    """A registry or hub we need is unreachable from this machine."""

    code = "upstream_unavailable"
    status_code = 503


class TooLarge(LatheError):
    """A request body (an uploaded file) over a configured limit."""

    code = "too_large"
    status_code = 413
