"""The line between a DDP run's ranks and its job: rank 0 sends progress, log lines and metrics
over a pipe to the job's process, which writes them through the job's own hooks (its lease-
guarded JobContext), and asks the job at every step whether to stop.

Only the job's process talks to the database and knows the stop reason (cancel, worker
shutdown, lost lease), exactly as in a single-process run; the ranks only see a yes or no. Rank
0's answer is broadcast to every rank, so all of them stop after the same step and save one
checkpoint together. The other ranks' progress, logs and metrics would repeat rank 0's (the
Trainer reduces losses across ranks before it logs), so they are dropped."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from lathe.training.trainer import RunHooks

if TYPE_CHECKING:
    import torch

logger = logging.getLogger(__name__)

__all__ = ["JobRelay", "RankHooks"]

# How long the job's relay waits for a message before it looks whether the ranks are done.
RELAY_POLL_S = 0.2


@dataclass(frozen=True)
class ProgressMessage:
    completed: float
    total: float | None
    message: str
    details: dict[str, object] | None


@dataclass(frozen=True)
class LogMessage:
    line: str


@dataclass(frozen=True)
class MetricsMessage:
    step: int
    values: dict[str, float]


@dataclass(frozen=True)
class StopQuery:
    """Rank 0 waits for a bool in reply."""


Message = ProgressMessage | LogMessage | MetricsMessage | StopQuery


class RankHooks:
    """The RunHooks of one rank. `channel` is rank 0's end of the pipe to the job; None on the
    other ranks.

    should_stop() is a collective call: every rank must make it at the same point, as the
    Trainer callback does once per optimizer step on each rank, or the broadcast waits forever."""

    def __init__(self, channel: Connection | None, device: torch.device) -> None:
        self._channel = channel
        self._device = device

    def should_stop(self) -> bool:
        import torch
        import torch.distributed as dist

        wanted = False
        if self._channel is not None:
            self._channel.send(StopQuery())
            wanted = bool(self._channel.recv())
        flag = torch.tensor([int(wanted)], dtype=torch.int32, device=self._device)
        dist.broadcast(flag, src=0)
        return bool(flag.item())

    def progress(
        self,
        completed: float,
        total: float | None = None,
        message: str = "",
        details: Mapping[str, object] | None = None,
    ) -> None:
        self._send(ProgressMessage(completed, total, message, dict(details) if details else None))

    def log(self, line: str) -> None:
        self._send(LogMessage(line))

    def metrics(self, step: int, values: Mapping[str, float]) -> None:
        self._send(MetricsMessage(step, dict(values)))

    def _send(self, message: Message) -> None:
        if self._channel is not None:
            self._channel.send(message)


class JobRelay:
    """In the job's process: a thread that hands rank 0's messages to the job's hooks and
    answers its stop queries, while the main thread waits for the ranks.

    A failing hook (a database error writing metrics) must not leave rank 0 waiting for an
    answer or the run going on unrecorded: the first error is kept, every later stop query is
    answered yes (the ranks stop with a checkpoint), and `close` raises it."""

    def __init__(self, channel: Connection, hooks: RunHooks) -> None:
        self._channel = channel
        self._hooks = hooks
        self._done = threading.Event()
        self._error: Exception | None = None
        self._thread = threading.Thread(target=self._pump, name="lathe-rank-relay", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        """Once the ranks have exited: forward what is still in the pipe, stop the thread, and
        raise the first error a hook raised."""
        self._done.set()
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _pump(self) -> None:
        while True:
            if self._channel.poll(RELAY_POLL_S):
                self._handle(self._channel.recv())
            elif self._done.is_set():
                return

    def _handle(self, message: Message) -> None:
        if isinstance(message, StopQuery):
            self._channel.send(self._error is not None or self._ask_stop())
            return
        if self._error is not None:
            return
        try:
            if isinstance(message, ProgressMessage):
                self._hooks.progress(
                    message.completed, message.total, message.message, message.details
                )
            elif isinstance(message, LogMessage):
                self._hooks.log(message.line)
            else:
                self._hooks.metrics(message.step, message.values)
        except Exception as error:
            logger.exception("could not record what rank 0 reported; stopping the run")
            self._error = error

    def _ask_stop(self) -> bool:
        try:
            return self._hooks.should_stop()
        except Exception as error:
            logger.exception("could not ask the job whether to stop; stopping the run")
            self._error = error
            return True
