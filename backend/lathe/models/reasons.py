"""Turning third-party exceptions into what a person needs: one-line reasons, and telling a
local disk problem apart from a bad input or an unreachable service."""

from __future__ import annotations

REASON_MAX_CHARS = 300


def short_reason(error: BaseException, *, with_type: bool = False) -> str:
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    text = lines[0] if lines else ""
    if with_type or not text:
        text = f"{type(error).__name__}: {text}" if text else type(error).__name__
    if len(text) > REASON_MAX_CHARS:
        text = text[: REASON_MAX_CHARS - 3].rstrip() + "..."
    return text


def is_local_io_error(error: BaseException) -> bool:
    """A failure of this machine (disk full, permission denied) rather than of the input or a
    remote service. Libraries raise OSError subclasses for HTTP and format errors too, but only
    the operating system sets errno."""
    return isinstance(error, OSError) and error.errno is not None
