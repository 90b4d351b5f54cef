"""Top-1 agreement: the same token, or a tie in the reference's scores when a tie is allowed."""

from __future__ import annotations

import torch

from lathe.export.artifacts.prompts import top1_matches

REFERENCE = [torch.tensor([[2.0, 1.95, 0.0], [0.0, 3.0, 1.0]])]


def test_only_the_same_token_agrees_without_a_tie() -> None:
    other = [torch.tensor([[1.0, 1.2, 0.0], [0.0, 3.0, 1.0]])]  # row 0 picks token 1
    assert top1_matches(REFERENCE, other) == 1


def test_a_pick_within_the_tie_of_the_reference_best_agrees() -> None:
    near = [torch.tensor([[1.0, 1.2, 0.0], [0.0, 3.0, 1.0]])]  # 1.95 vs 2.0: a tie at 0.1
    far = [torch.tensor([[1.0, 1.2, 0.0], [0.0, 1.0, 3.0]])]  # row 1 picks token 2: 2 below
    assert top1_matches(REFERENCE, near, tie=0.1) == 2
    assert top1_matches(REFERENCE, near, tie=0.01) == 1
    assert top1_matches(REFERENCE, far, tie=0.1) == 1
