"""Playground threads and messages. Every function opens its own short session."""

from __future__ import annotations

from sqlalchemy import select

from lathe.db.engine import read_scope, session_scope
from lathe.db.tables import ChatMessageRow, ChatThreadRow, utcnow
from lathe.errors import NotFound
from lathe.pagination import decode_cursor, split_page
from lathe.schemas.chat import ChatMessageCreate, ChatThreadCreate, ChatThreadUpdate
from lathe.settings import Settings

THREADS_LISTING = "threads"
MESSAGES_LISTING = "messages"


def _not_found(thread_id: int) -> NotFound:
    return NotFound(f"chat thread {thread_id} not found")


def create_thread(settings: Settings, body: ChatThreadCreate) -> ChatThreadRow:
    row = ChatThreadRow(
        title=body.title,
        model=body.model,
        adapter=body.adapter,
        system_prompt=body.system_prompt,
        params=body.params.model_dump(mode="json"),
    )
    with session_scope(settings.resolved_database_url) as session:
        session.add(row)
    return row


def get_thread(settings: Settings, thread_id: int) -> ChatThreadRow:
    with read_scope(settings.resolved_database_url) as session:
        row = session.get(ChatThreadRow, thread_id)
    if row is None:
        raise _not_found(thread_id)
    return row


def list_threads(
    settings: Settings, *, limit: int, cursor: str | None
) -> tuple[list[ChatThreadRow], str | None]:
    """Newest first."""
    before = decode_cursor(cursor, THREADS_LISTING) if cursor else None
    query = select(ChatThreadRow).order_by(ChatThreadRow.id.desc()).limit(limit + 1)
    if before is not None:
        query = query.where(ChatThreadRow.id < before)
    with read_scope(settings.resolved_database_url) as session:
        rows = list(session.scalars(query))
    return split_page(rows, limit, THREADS_LISTING)


def update_thread(settings: Settings, thread_id: int, body: ChatThreadUpdate) -> ChatThreadRow:
    changes = body.model_dump(exclude_unset=True, mode="json")
    with session_scope(settings.resolved_database_url) as session:
        row = session.get(ChatThreadRow, thread_id)
        if row is None:
            raise _not_found(thread_id)
        for name, value in changes.items():
            setattr(row, name, value)
        row.updated_at = utcnow()
    return row


def delete_thread(settings: Settings, thread_id: int) -> None:
    with session_scope(settings.resolved_database_url) as session:
        row = session.get(ChatThreadRow, thread_id)
        if row is None:
            raise _not_found(thread_id)
        session.delete(row)


def add_message(settings: Settings, thread_id: int, body: ChatMessageCreate) -> ChatMessageRow:
    values = body.model_dump(mode="json", exclude={"params"})
    params = body.params.sampling_fields() if body.params is not None else None
    message = ChatMessageRow(thread_id=thread_id, params=params, **values)
    with session_scope(settings.resolved_database_url) as session:
        thread = session.get(ChatThreadRow, thread_id)
        if thread is None:
            raise _not_found(thread_id)
        thread.updated_at = utcnow()
        session.add(message)
    return message


def delete_message(settings: Settings, thread_id: int, message_id: int) -> None:
    """Removes one message: the reply a regenerated one replaces."""
    with session_scope(settings.resolved_database_url) as session:
        message = session.get(ChatMessageRow, message_id)
        if message is None or message.thread_id != thread_id:
            raise NotFound(f"message {message_id} of chat thread {thread_id} not found")
        thread = session.get(ChatThreadRow, thread_id)
        if thread is not None:
            thread.updated_at = utcnow()
        session.delete(message)


def list_messages(
    settings: Settings, thread_id: int, *, limit: int, cursor: str | None
) -> tuple[list[ChatMessageRow], str | None]:
    """Oldest first, as the conversation reads."""
    after = decode_cursor(cursor, MESSAGES_LISTING) if cursor else 0
    get_thread(settings, thread_id)
    query = (
        select(ChatMessageRow)
        .where(ChatMessageRow.thread_id == thread_id, ChatMessageRow.id > after)
        .order_by(ChatMessageRow.id)
        .limit(limit + 1)
    )
    with read_scope(settings.resolved_database_url) as session:
        rows = list(session.scalars(query))
    return split_page(rows, limit, MESSAGES_LISTING)
