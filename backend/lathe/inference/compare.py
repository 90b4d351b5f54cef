"""Several generations read as one stream of (index, event) pairs, in the order their events
arrive: replies of several models to the same conversation, generated side by side (those on
the same base model share its decode batch). Leaving early cancels every generation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from lathe.inference.streams import GenerationEvent, GenerationStream, TextDelta


async def merged_events(
    streams: Sequence[GenerationStream],
) -> AsyncIterator[tuple[int, GenerationEvent]]:
    arrivals: asyncio.Queue[tuple[int, GenerationEvent]] = asyncio.Queue()

    async def pump(index: int, stream: GenerationStream) -> None:
        async for event in stream.events():
            await arrivals.put((index, event))

    tasks = [asyncio.create_task(pump(i, stream)) for i, stream in enumerate(streams)]
    try:
        open_streams = len(streams)
        while open_streams:
            index, event = await arrivals.get()
            if not isinstance(event, TextDelta):
                open_streams -= 1
            yield index, event
    finally:
        for task in tasks:
            task.cancel()
        for stream in streams:
            stream.cancel()
