"""POST /v1/completions: OpenAI's (legacy) text completions, whole or streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from lathe.api.deps import EngineDep
from lathe.api.openai_streaming import (
    CLIENT_CLOSED_REQUEST,
    OPENAI_ERROR_RESPONSES,
    SSE_RESPONSE,
    created_now,
    event_stream,
    new_id,
    sse_data,
    sse_failure,
    usage_of,
    whole_reply,
)
from lathe.inference.chat import start_completion
from lathe.inference.streams import Failed, Finished, FinishReason, GenerationStream, TextDelta
from lathe.schemas.openai import Completion, CompletionChoice, CompletionRequest

router = APIRouter(prefix="/v1", tags=["openai"], responses=OPENAI_ERROR_RESPONSES)


@dataclass(frozen=True)
class _Reply:
    """One completion's identity; builds its whole body or its streamed chunks."""

    id: str
    created: int
    model: str

    def body(self, text: str, finished: Finished) -> Completion:
        return self._completion(text, finished.reason, finished)

    def _completion(
        self, text: str | None, reason: FinishReason | None, usage: Finished | None = None
    ) -> Completion:
        return Completion(
            id=self.id,
            created=self.created,
            model=self.model,
            choices=[] if text is None else [CompletionChoice(text=text, finish_reason=reason)],
            usage=usage_of(usage) if usage is not None else None,
        )

    async def chunks(self, stream: GenerationStream, *, include_usage: bool) -> AsyncIterator[str]:
        async for event in stream.events():
            if isinstance(event, TextDelta):
                yield sse_data(self._completion(event.text, None))
            elif isinstance(event, Failed):
                yield sse_failure(event)
            else:
                yield sse_data(self._completion("", event.reason))
                if include_usage:
                    yield sse_data(self._completion(None, None, event))


@router.post("/completions", response_model=Completion, responses=SSE_RESPONSE)
async def create_completion(
    request: Request, body: CompletionRequest, engine: EngineDep
) -> Response:
    generation = await run_in_threadpool(
        start_completion,
        engine,
        body.model,
        body.prompt_text,
        body,
        adapter=body.adapter,
        truncate=body.truncate,
    )
    reply = _Reply(new_id("cmpl"), created_now(), generation.target.name)
    if body.stream:
        return event_stream(reply.chunks(generation.stream, include_usage=body.include_usage))
    completion = await whole_reply(request, generation)
    if completion is None:
        return Response(status_code=CLIENT_CLOSED_REQUEST)
    whole = reply.body(completion.text, completion.finished)
    return Response(whole.model_dump_json(), media_type="application/json")
