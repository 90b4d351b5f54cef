"""What each format's builder hands back to `build_export`, which adds the file list, and the
clock the builders time their phases with."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Built:
    primary: str  # relative path of the file or folder users download
    verification: dict[str, dict[str, Any]]
    seconds: dict[str, float]
    modelfile: str | None = None


class PhaseClock:
    """Seconds per phase of a build, in the order the phases ran; a phase lasts from the end
    of the one before (or the clock's start) to its own end."""

    def __init__(self, now: Callable[[], float] = time.perf_counter) -> None:
        self.seconds: dict[str, float] = {}
        self._now = now
        self._since = now()

    def lap(self, phase: str) -> None:
        """End `phase` now."""
        now = self._now()
        self.seconds[phase] = now - self._since
        self._since = now

    def split(self, parts: dict[str, float]) -> None:
        """End the current phase now, reported as the parts the work timed itself (the GGUF
        writer's quantise and write seconds) rather than as one number."""
        self.seconds.update(parts)
        self._since = self._now()
