"""One generation as its consumer sees it: text deltas, then how it finished (or why it
failed). The decode thread puts events; a request handler (async) or the CLI (blocking) takes
them. Cancelling (a client gone, Ctrl-C) tells the decode thread to drop the sequence at its
next step."""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Literal

from lathe.errors import LatheError

FinishReason = Literal["stop", "length", "cancelled"]


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class Finished:
    reason: FinishReason
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True)
class Failed:
    error: LatheError


GenerationEvent = TextDelta | Finished | Failed


@dataclass(frozen=True)
class Completion:
    text: str
    finished: Finished


class GenerationStream:
    def __init__(self) -> None:
        self._events: queue.SimpleQueue[GenerationEvent] = queue.SimpleQueue()
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self._waiter: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None

    # --- the decode thread's side ---------------------------------------------------------

    def put(self, event: GenerationEvent) -> None:
        self._events.put(event)
        with self._lock:
            waiter = self._waiter
        if waiter is not None:
            loop, wakeup = waiter
            try:
                loop.call_soon_threadsafe(wakeup.set)
            except RuntimeError:  # the consumer's loop is closed: nobody is listening
                self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    # --- the consumer's side ---------------------------------------------------------------

    def cancel(self) -> None:
        self._cancelled.set()

    def __iter__(self) -> Iterator[GenerationEvent]:
        """Events until the last one (Finished or Failed), blocking between them."""
        while True:
            event = self._events.get()
            yield event
            if not isinstance(event, TextDelta):
                return

    async def events(self) -> AsyncIterator[GenerationEvent]:
        """Events until the last one, waiting without blocking the event loop. Leaving the
        iteration early (a disconnect cancels the task) cancels the generation."""
        wakeup = asyncio.Event()
        with self._lock:
            self._waiter = (asyncio.get_running_loop(), wakeup)
        try:
            while True:
                try:
                    event = self._events.get_nowait()
                except queue.Empty:
                    await wakeup.wait()
                    wakeup.clear()
                    continue
                yield event
                if not isinstance(event, TextDelta):
                    return
        finally:
            self.cancel()
            with self._lock:
                self._waiter = None

    def collect(self) -> Completion:
        """The whole reply, blocking until it is finished; raises the error of a failed one."""
        parts: list[str] = []
        for event in self:
            if isinstance(event, TextDelta):
                parts.append(event.text)
            elif isinstance(event, Failed):
                raise event.error
            else:
                return Completion(text="".join(parts), finished=event)
        raise LatheError("the generation ended without finishing")

    async def collect_async(self) -> Completion:
        parts: list[str] = []
        async for event in self.events():
            if isinstance(event, TextDelta):
                parts.append(event.text)
            elif isinstance(event, Failed):
                raise event.error
            else:
                return Completion(text="".join(parts), finished=event)
        raise LatheError("the generation ended without finishing")
