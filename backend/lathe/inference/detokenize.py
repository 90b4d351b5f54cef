"""Token-by-token decoding to text. Decoding each token alone breaks words (byte-level BPE
splits a multi-byte character across tokens, and SentencePiece drops the leading space of a
lone token), so each step decodes a short window of recent tokens and releases only the text
that window added, holding back an incomplete character."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

# A character cut between tokens decodes to U+FFFD until its last byte arrives.
INCOMPLETE = "\ufffd"


class IncrementalDetokenizer:
    def __init__(self, tokenizer: PreTrainedTokenizerBase) -> None:
        self._tokenizer = tokenizer
        self._ids: list[int] = []
        # _ids[_prefix:_read] is context already shown; _ids[_read:] is not shown yet.
        self._prefix = 0
        self._read = 0

    def add(self, token: int) -> str:
        """The text `token` adds (may be empty while a character is incomplete)."""
        self._ids.append(token)
        shown = self._decode(self._ids[self._prefix : self._read])
        text = self._decode(self._ids[self._prefix :])
        if len(text) <= len(shown) or text.endswith(INCOMPLETE):
            return ""
        self._prefix, self._read = self._read, len(self._ids)
        return text[len(shown) :]

    def flush(self) -> str:
        """What is still held back (an incomplete character) when generation ends."""
        shown = self._decode(self._ids[self._prefix : self._read])
        text = self._decode(self._ids[self._prefix :])
        self._prefix = self._read = len(self._ids)
        return text[len(shown) :]

    def _decode(self, ids: list[int]) -> str:
        if not ids:
            return ""
        text = self._tokenizer.decode(ids, skip_special_tokens=True)
        if not isinstance(text, str):
            raise TypeError(f"decode returned {type(text).__name__}, not text")
        return text
