"""The chat playground: threads and their messages, and POST /api/chat/compare, which streams
several models' replies to one conversation as one SSE stream tagged by target."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status
from fastapi.sse import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from lathe.api.deps import EngineDep, SettingsDep
from lathe.api.errors import ERROR_RESPONSES
from lathe.chat import threads
from lathe.inference.chat import Generation, start_chat
from lathe.inference.compare import merged_events
from lathe.inference.engine import ChatEngine
from lathe.inference.streams import Failed, TextDelta
from lathe.schemas.chat import (
    ChatMessageCreate,
    ChatMessageOut,
    ChatMessagePage,
    ChatThreadCreate,
    ChatThreadOut,
    ChatThreadPage,
    ChatThreadUpdate,
    CompareDelta,
    CompareDone,
    CompareFailed,
    CompareRequest,
)
from lathe.schemas.common import DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, ErrorBody
from lathe.schemas.openai import Usage

router = APIRouter(prefix="/api/chat", tags=["chat"], responses=ERROR_RESPONSES)

ThreadId = Annotated[int, Path(ge=1)]
MessageId = Annotated[int, Path(ge=1)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]


@router.post("/threads", status_code=status.HTTP_201_CREATED)
def create_thread(settings: SettingsDep, body: ChatThreadCreate) -> ChatThreadOut:
    return ChatThreadOut.model_validate(threads.create_thread(settings, body))


@router.get("/threads")
def list_threads(
    settings: SettingsDep, limit: Limit = DEFAULT_PAGE_LIMIT, cursor: Cursor = None
) -> ChatThreadPage:
    rows, next_cursor = threads.list_threads(settings, limit=limit, cursor=cursor)
    return ChatThreadPage(
        items=[ChatThreadOut.model_validate(r) for r in rows], next_cursor=next_cursor
    )


@router.get("/threads/{thread_id}")
def get_thread(settings: SettingsDep, thread_id: ThreadId) -> ChatThreadOut:
    return ChatThreadOut.model_validate(threads.get_thread(settings, thread_id))


@router.patch("/threads/{thread_id}")
def update_thread(
    settings: SettingsDep, thread_id: ThreadId, body: ChatThreadUpdate
) -> ChatThreadOut:
    return ChatThreadOut.model_validate(threads.update_thread(settings, thread_id, body))


@router.delete("/threads/{thread_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_thread(settings: SettingsDep, thread_id: ThreadId) -> Response:
    threads.delete_thread(settings, thread_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/threads/{thread_id}/messages", status_code=status.HTTP_201_CREATED)
def add_message(
    settings: SettingsDep, thread_id: ThreadId, body: ChatMessageCreate
) -> ChatMessageOut:
    return ChatMessageOut.model_validate(threads.add_message(settings, thread_id, body))


@router.get("/threads/{thread_id}/messages")
def list_messages(
    settings: SettingsDep,
    thread_id: ThreadId,
    limit: Limit = DEFAULT_PAGE_LIMIT,
    cursor: Cursor = None,
) -> ChatMessagePage:
    rows, next_cursor = threads.list_messages(settings, thread_id, limit=limit, cursor=cursor)
    return ChatMessagePage(
        items=[ChatMessageOut.model_validate(r) for r in rows], next_cursor=next_cursor
    )


@router.delete("/threads/{thread_id}/messages/{message_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_message(settings: SettingsDep, thread_id: ThreadId, message_id: MessageId) -> Response:
    """Removes a message, e.g. the reply that a regenerated one replaces."""
    threads.delete_message(settings, thread_id, message_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _start_all(engine: ChatEngine, body: CompareRequest) -> list[Generation]:
    """Every target checked and started, or none: a bad target cancels those started."""
    messages = [message.as_template_message() for message in body.messages]
    started: list[Generation] = []
    try:
        for target in body.targets:
            started.append(
                start_chat(
                    engine,
                    target.model,
                    messages,
                    body,
                    adapter=target.adapter,
                    truncate=body.truncate,
                    chat_template=body.chat_template,
                )
            )
    except BaseException:
        for generation in started:
            generation.stream.cancel()
        raise
    return started


async def _started(engine: EngineDep, body: CompareRequest) -> AsyncIterator[list[Generation]]:
    # A dependency, so bad input is refused before the stream's 200; on teardown (the client
    # gone, the stream done) nothing it started keeps generating.
    generations = await run_in_threadpool(_start_all, engine, body)
    try:
        yield generations
    finally:
        for generation in generations:
            generation.stream.cancel()


@router.post("/compare", response_class=EventSourceResponse)
async def compare_models(
    generations: Annotated[list[Generation], Depends(_started)],
) -> AsyncIterator[ServerSentEvent]:
    """Events `delta` {target, model, text}, then per target `done` {target, model,
    finish_reason, usage} or `error` {target, model, error}; `target` indexes the request's
    targets. Every target is checked before the stream starts (a bad one is a 4xx)."""
    async for event in _compare_events(generations):
        yield event


async def _compare_events(generations: list[Generation]) -> AsyncIterator[ServerSentEvent]:
    event_id = 0
    async for index, event in merged_events([g.stream for g in generations]):
        model = generations[index].target.name
        payload: CompareDelta | CompareDone | CompareFailed
        if isinstance(event, TextDelta):
            kind, payload = "delta", CompareDelta(target=index, model=model, text=event.text)
        elif isinstance(event, Failed):
            error = ErrorBody(code=event.error.code, message=event.error.message)
            kind, payload = "error", CompareFailed(target=index, model=model, error=error)
        else:
            usage = Usage(
                prompt_tokens=event.prompt_tokens,
                completion_tokens=event.completion_tokens,
                total_tokens=event.prompt_tokens + event.completion_tokens,
            )
            kind, payload = (
                "done",
                CompareDone(target=index, model=model, finish_reason=event.reason, usage=usage),
            )
        event_id += 1
        yield ServerSentEvent(data=payload, event=kind, id=str(event_id))
