"""Run an op and its reference on copies of the same inputs and collect outputs and gradients."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

Outputs = torch.Tensor | tuple[torch.Tensor, ...]


@dataclass
class Run:
    outputs: tuple[torch.Tensor, ...]
    grads: tuple[torch.Tensor | None, ...]
    node: str  # the autograd node of the first output: which path (kernel or reference) ran


def as_tuple(outputs: Outputs) -> tuple[torch.Tensor, ...]:
    return outputs if isinstance(outputs, tuple) else (outputs,)


def run(
    fn: Callable[..., Outputs],
    inputs: Sequence[torch.Tensor],
    loss: Callable[[tuple[torch.Tensor, ...]], torch.Tensor],
    **kwargs: object,
) -> Run:
    """fn(*copies of inputs, **kwargs), then loss(outputs).backward(); a copy keeps its
    input's requires_grad and strides (a non-contiguous input stays non-contiguous)."""
    copies = []
    for tensor in inputs:
        copy = torch.empty_strided(
            tensor.shape, tensor.stride(), dtype=tensor.dtype, device=tensor.device
        )
        copy.copy_(tensor.detach())
        copies.append(copy.requires_grad_(tensor.requires_grad))
    outputs = as_tuple(fn(*copies, **kwargs))
    loss(outputs).backward()
    return Run(
        outputs=tuple(output.detach() for output in outputs),
        grads=tuple(copy.grad for copy in copies),
        node=type(outputs[0].grad_fn).__name__,
    )


def weighted_sum(
    weights: Sequence[torch.Tensor],
) -> Callable[[tuple[torch.Tensor, ...]], torch.Tensor]:
    """A loss whose gradient for output i is weights[i]: a dense, contiguous grad_output."""

    def loss(outputs: tuple[torch.Tensor, ...]) -> torch.Tensor:
        return sum(((o * w).sum() for o, w in zip(outputs, weights, strict=True)), torch.zeros(()))

    return loss


def plain_sum(outputs: tuple[torch.Tensor, ...]) -> torch.Tensor:
    """A loss whose grad_output is an expanded (zero-stride) tensor of ones."""
    return sum((o.sum() for o in outputs), torch.zeros(()))
