"""POST /v1/chat/completions: OpenAI's chat completions, whole or streamed, on any registered
model or adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator

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
from lathe.inference.chat import Generation, start_chat
from lathe.inference.streams import Failed, FinishReason, TextDelta
from lathe.schemas.openai import (
    AssistantMessage,
    ChatChoice,
    ChatChunkChoice,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    ChatDelta,
)

router = APIRouter(prefix="/v1", tags=["openai"], responses=OPENAI_ERROR_RESPONSES)


@router.post("/chat/completions", response_model=ChatCompletion, responses=SSE_RESPONSE)
async def create_chat_completion(
    request: Request, body: ChatCompletionRequest, engine: EngineDep
) -> Response:
    generation = await run_in_threadpool(
        start_chat,
        engine,
        body.model,
        [message.as_template_message() for message in body.messages],
        body,
        adapter=body.adapter,
        truncate=body.truncate,
        chat_template=body.chat_template,
    )
    completion_id, created = new_id("chatcmpl"), created_now()
    if body.stream:
        chunks = _chunks(generation, completion_id, created, include_usage=body.include_usage)
        return event_stream(chunks)
    completion = await whole_reply(request, generation)
    if completion is None:
        return Response(status_code=CLIENT_CLOSED_REQUEST)
    reply = ChatCompletion(
        id=completion_id,
        created=created,
        model=generation.target.name,
        choices=[
            ChatChoice(
                message=AssistantMessage(content=completion.text),
                finish_reason=completion.finished.reason,
            )
        ],
        usage=usage_of(completion.finished),
    )
    return Response(reply.model_dump_json(), media_type="application/json")


async def _chunks(
    generation: Generation, completion_id: str, created: int, *, include_usage: bool
) -> AsyncIterator[str]:
    def chunk(delta: ChatDelta, finish_reason: FinishReason | None = None) -> str:
        choice = ChatChunkChoice(delta=delta, finish_reason=finish_reason)
        return sse_data(
            ChatCompletionChunk(
                id=completion_id, created=created, model=generation.target.name, choices=[choice]
            )
        )

    yield chunk(ChatDelta(role="assistant", content=""))
    async for event in generation.stream.events():
        if isinstance(event, TextDelta):
            yield chunk(ChatDelta(content=event.text))
        elif isinstance(event, Failed):
            yield sse_failure(event)
        else:
            yield chunk(ChatDelta(), event.reason)
            if include_usage:
                yield sse_data(
                    ChatCompletionChunk(
                        id=completion_id,
                        created=created,
                        model=generation.target.name,
                        choices=[],
                        usage=usage_of(event),
                    )
                )
