"""Progress reporting for long model operations (download, extract, copy, convert, save,
register)."""

from __future__ import annotations

from collections.abc import Callable

from lathe.schemas.models import ProgressEvent

ProgressCallback = Callable[[ProgressEvent], None]

# Byte counters arrive per chunk; a client needs about one update per percent, not thousands.
_STEPS_PER_STAGE = 100
_UNKNOWN_TOTAL_STEP_BYTES = 8 * 1024 * 1024


class Reporter:
    """Sends events to an optional callback, thinning byte counters."""

    def __init__(self, callback: ProgressCallback | None) -> None:
        self._callback = callback
        self._last_sent: dict[str, int] = {}

    def stage(self, stage: str, message: str) -> None:
        self._emit(ProgressEvent(stage=stage, message=message))

    def bytes(self, stage: str, message: str, completed: int, total: int | None) -> None:
        if self._callback is None:
            return
        last = self._last_sent.get(stage)
        if last == completed:
            return
        if total:
            due = (
                last is None or completed >= total or (completed - last) * _STEPS_PER_STAGE >= total
            )
        else:
            due = last is None or completed - last >= _UNKNOWN_TOTAL_STEP_BYTES
        if due:
            self._last_sent[stage] = completed
            self._emit(
                ProgressEvent(
                    stage=stage, message=message, completed=completed, total=total or None
                )
            )

    def _emit(self, event: ProgressEvent) -> None:
        if self._callback is not None:
            self._callback(event)
