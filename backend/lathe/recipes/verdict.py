"""Read a score and a reason out of a judge model's answer, however loosely it followed the
requested JSON: a JSON object anywhere in the text (code fences and chatter around it are
fine), else `score: 7` / `rating = 7`, else `7/10` on the judge's scale, else an answer that is
only a number. A score outside the scale, or none at all, gives no score and the raw answer
as the reason, so nothing a model writes can fail a run."""

from __future__ import annotations

import json
import math
import re
from typing import Any

_DECODER = json.JSONDecoder()
_NUMBER = r"(-?\d+(?:\.\d+)?)"
_LABELLED = re.compile(rf"\b(?:score|rating)\b\W{{0,4}}(?:is|of)?\W{{0,4}}{_NUMBER}", re.IGNORECASE)
_OUT_OF = re.compile(rf"{_NUMBER}\s*/\s*{_NUMBER}")
_SCORE_KEYS = ("score", "rating", "grade")
_REASON_KEYS = ("reason", "reasoning", "explanation", "rationale", "justification")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        match = re.fullmatch(rf"\s*{_NUMBER}\s*(?:/\s*\d+(?:\.\d+)?)?\s*", value)
        return float(match.group(1)) if match else None
    return None


def _from_json(text: str) -> tuple[float | None, str | None] | None:
    for start in (index for index, char in enumerate(text) if char == "{"):
        try:
            value, _ = _DECODER.raw_decode(text, start)
        except json.JSONDecodeError:
            continue
        if not isinstance(value, dict):
            continue
        fields = {str(key).lower(): item for key, item in value.items()}
        score_key = next((key for key in _SCORE_KEYS if key in fields), None)
        if score_key is None:
            continue
        reason = next(
            (fields[key] for key in _REASON_KEYS if isinstance(fields.get(key), str)), None
        )
        return _number(fields[score_key]), reason
    return None


def _from_text(text: str, high: float) -> float | None:
    labelled = _LABELLED.search(text)
    if labelled:
        return float(labelled.group(1))
    for match in _OUT_OF.finditer(text):
        if float(match.group(2)) == high:
            return float(match.group(1))
    return _number(text)


def parse_verdict(text: str, low: float, high: float) -> tuple[float | None, str]:
    """(score, reason); the score is None when the answer has none within [low, high]."""
    raw = text.strip()
    found = _from_json(raw)
    score, reason = found if found is not None else (_from_text(raw, high), None)
    if score is None:
        return None, raw
    if not low <= score <= high:
        return None, f"score {score:g} is outside {low:g}..{high:g}: {raw}"
    return score, (reason or raw).strip()
