"""What each format's builder hands back to `build_export`, which adds the file list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Built:
    primary: str  # relative path of the file or folder users download
    verification: dict[str, dict[str, Any]]
    seconds: dict[str, float]
    modelfile: str | None = None
