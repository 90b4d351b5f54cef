"""What the OpenAI-compatible routes share: their documented error responses, the SSE framing
OpenAI clients read (`data: {json}` lines, then `data: [DONE]`), and waiting for a whole reply
while watching for the client leaving, so no generation runs on for nobody."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from lathe.inference.chat import Generation
from lathe.inference.streams import Completion, Failed, Finished
from lathe.schemas.openai import OpenAIErrorResponse, Usage, openai_error

OPENAI_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": OpenAIErrorResponse, "description": description}
    for status, description in (
        (401, "missing or wrong API token"),
        (404, "unknown model or adapter"),
        (409, "the chat engine's memory budget is used by models in use"),
        (422, "invalid request (the field at fault is `param`)"),
    )
}
# A stream's media type in the OpenAPI document, beside the JSON reply.
SSE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
        "description": "JSON, or with stream: true Server-Sent Events (data: chunk ... "
        "data: [DONE]).",
    }
}
DISCONNECT_POLL_S = 0.25
# nginx's status for a request whose client closed the connection; nobody reads it.
CLIENT_CLOSED_REQUEST = 499


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


def created_now() -> int:
    return int(time.time())


def usage_of(finished: Finished) -> Usage:
    return Usage(
        prompt_tokens=finished.prompt_tokens,
        completion_tokens=finished.completion_tokens,
        total_tokens=finished.prompt_tokens + finished.completion_tokens,
    )


def sse_data(payload: BaseModel) -> str:
    return f"data: {payload.model_dump_json()}\n\n"


def sse_failure(failed: Failed) -> str:
    error = failed.error
    return sse_data(openai_error(error.status_code, error.code, error.message, error.details))


def event_stream(chunks: AsyncIterator[str]) -> StreamingResponse:
    async def framed() -> AsyncIterator[str]:
        async for chunk in chunks:
            yield chunk
        yield "data: [DONE]\n\n"

    return StreamingResponse(
        framed(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def whole_reply(request: Request, generation: Generation) -> Completion | None:
    """The finished reply, or None when the client disconnected first (the generation is
    cancelled then). Raises the error of a failed generation."""
    stream = generation.stream
    task = asyncio.ensure_future(stream.collect_async())
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=DISCONNECT_POLL_S)
            if done:
                return task.result()
            if await request.is_disconnected():
                stream.cancel()
                return None
    finally:
        task.cancel()
