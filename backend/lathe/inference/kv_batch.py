"""The decode batch of one base model: every running sequence's KV cache side by side in one
cache, left-padded to a common length, with the attention mask that hides the padding and each
row's own position. Sequences join after their prompts were prefilled (together when they
arrived together) and leave by dropping their rows; columns that became padding in every row
are cut, so the cache never grows past the longest running sequence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch
    from transformers import DynamicCache


def _left_pad(tensor: torch.Tensor, columns: int) -> torch.Tensor:
    from torch.nn.functional import pad

    # Cache tensors are [batch, heads, length, head_dim]: pad the length dimension on the left.
    return pad(tensor, (0, 0, columns, 0)) if columns else tensor


class DecodeBatch:
    def __init__(self, device: torch.device) -> None:
        self._device = device
        self.cache: DynamicCache | None = None
        self.mask: torch.Tensor | None = None  # [rows, length], 1 for real tokens
        self.positions: list[int] = []  # the position of each row's next token

    @property
    def rows(self) -> int:
        return len(self.positions)

    @property
    def length(self) -> int:
        return 0 if self.mask is None else int(self.mask.shape[1])

    def add(self, cache: DynamicCache, mask: torch.Tensor) -> None:
        """Append prefilled sequences as the last rows: their own cache and its attention mask
        ([rows, length], left-padded when they were prefilled together)."""
        import torch

        positions = [int(real) for real in mask.sum(dim=1).tolist()]
        if self.cache is None or self.mask is None:
            self.cache, self.mask, self.positions = cache, mask, positions
            return
        tokens = int(mask.shape[1])
        length = max(self.length, tokens)
        grow, pad_new = length - self.length, length - tokens
        for mine, theirs in zip(_layers(self.cache), _layers(cache), strict=True):
            mine.keys = torch.cat([_left_pad(mine.keys, grow), _left_pad(theirs.keys, pad_new)])
            mine.values = torch.cat(
                [_left_pad(mine.values, grow), _left_pad(theirs.values, pad_new)]
            )
        self.mask = torch.cat([_left_pad_mask(self.mask, grow), _left_pad_mask(mask, pad_new)])
        self.positions.extend(positions)

    def remove(self, rows: Sequence[int]) -> None:
        """Drop these rows, then the leading columns no remaining row uses."""
        import torch

        if not rows or self.cache is None or self.mask is None:
            return
        gone = set(rows)
        keep = [row for row in range(self.rows) if row not in gone]
        if not keep:
            self.cache, self.mask, self.positions = None, None, []
            return
        index = torch.tensor(keep, device=self._device)
        mask = self.mask.index_select(0, index)
        first_used = int(mask.any(dim=0).nonzero()[0])
        self.mask = mask[:, first_used:]
        for layer in _layers(self.cache):
            layer.keys = layer.keys.index_select(0, index)[:, :, first_used:]
            layer.values = layer.values.index_select(0, index)[:, :, first_used:]
        self.positions = [self.positions[row] for row in keep]

    def step_inputs(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The attention mask and position ids of the next decode step (one token per row),
        and the batch advanced to include that token."""
        import torch

        if self.mask is None:
            raise RuntimeError("the decode batch is empty")
        ones = torch.ones(self.rows, 1, dtype=torch.long, device=self._device)
        self.mask = torch.cat([self.mask, ones], dim=1)
        positions = torch.tensor(self.positions, device=self._device).unsqueeze(1)
        self.positions = [position + 1 for position in self.positions]
        return self.mask, positions


def _layers(cache: DynamicCache) -> list[Any]:
    """The cache's layers; each holds `keys` and `values` of [batch, heads, length, head_dim]."""
    return list(cache.layers)


def _left_pad_mask(mask: torch.Tensor, columns: int) -> torch.Tensor:
    from torch.nn.functional import pad

    return pad(mask, (columns, 0)) if columns else mask
