"""Opaque cursors for keyset pagination: every listing fetches limit + 1 rows after (or
before) the id its cursor names, and hands out the next cursor only when there is more."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Protocol, TypeVar

from lathe.errors import InvalidInput

_CURSOR_RE = re.compile(r"([a-z]+):(\d{1,18})")


class HasId(Protocol):
    @property
    def id(self) -> int: ...


RowT = TypeVar("RowT", bound=HasId)


def encode_cursor(listing: str, last_id: int) -> str:
    return base64.urlsafe_b64encode(f"{listing}:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str, listing: str) -> int:
    """The id a cursor of `listing` points at; InvalidInput for anything else, including a
    cursor of another listing."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    except (ValueError, binascii.Error, UnicodeError):
        text = ""
    match = _CURSOR_RE.fullmatch(text)
    if match is None or match[1] != listing:
        raise InvalidInput("cursor: not a cursor returned by this listing", field="cursor")
    return int(match[2])


def split_page(rows: list[RowT], limit: int, listing: str) -> tuple[list[RowT], str | None]:
    """Trim the extra row fetched to learn whether another page exists."""
    if len(rows) > limit:
        return rows[:limit], encode_cursor(listing, rows[limit - 1].id)
    return rows, None
