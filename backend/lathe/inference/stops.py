"""When a generation ends: on an end-of-sequence token (the model's or its end-of-turn ones), or
at a stop string, which may span several tokens and so is matched on the decoded text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transformers import GenerationConfig, PreTrainedTokenizerBase


def stop_token_ids(
    generation_config: GenerationConfig, tokenizer: PreTrainedTokenizerBase
) -> list[int]:
    """Every end-of-sequence id: the model's generation config may list end-of-turn tokens
    (Llama 3's <|eot_id|>) besides the tokenizer's EOS."""
    configured = generation_config.eos_token_id
    ids = set(configured if isinstance(configured, list) else [configured])
    ids.add(tokenizer.eos_token_id)
    return sorted(i for i in ids if isinstance(i, int))


class StopStrings:
    """Feeds on text as it is decoded and releases what is safe to show: text that cannot be
    the start of a stop string. Once a stop string appears, `stopped` is set and the text
    before it is the last released."""

    def __init__(self, stops: Sequence[str]) -> None:
        self._stops = list(stops)
        self._held = ""
        self.stopped = False

    def feed(self, text: str) -> str:
        if not self._stops:
            return text
        self._held += text
        cut = min((i for i in (self._held.find(s) for s in self._stops) if i >= 0), default=-1)
        if cut >= 0:
            self.stopped = True
            released, self._held = self._held[:cut], ""
            return released
        keep = self._longest_partial_stop()
        released = self._held[: len(self._held) - keep]
        self._held = self._held[len(self._held) - keep :]
        return released

    def flush(self) -> str:
        """What is still held back when generation ends without a stop string."""
        released, self._held = self._held, ""
        return released

    def _longest_partial_stop(self) -> int:
        """The length of the longest tail of the held text that begins some stop string."""
        longest = 0
        for stop in self._stops:
            for size in range(min(len(stop) - 1, len(self._held)), longest, -1):
                if self._held.endswith(stop[:size]):
                    longest = size
                    break
        return longest
