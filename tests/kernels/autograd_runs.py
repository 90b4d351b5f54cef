"""Run an op and its reference on copies of the same inputs, collect outputs and gradients, and
compare them: kernel against reference (fp32), or against fp32 truth as closely as eager PyTorch
gets in bf16."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

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


def assert_same(kernel: Run, reference: Run, node: str, **tolerance: Any) -> None:
    """The Triton path ran (the first output's autograd node is `node`, not the reference's),
    and every output and gradient matches the reference's within `tolerance`; a gradient the
    reference has not, the kernel has not either."""
    assert kernel.node == node, f"{kernel.node} ran, not {node}"
    for got, want in zip(
        kernel.outputs + kernel.grads, reference.outputs + reference.grads, strict=True
    ):
        if want is None:
            assert got is None
            continue
        assert got is not None
        torch.testing.assert_close(got, want, **tolerance)


def max_error(got: torch.Tensor | None, truth: torch.Tensor | None) -> float:
    assert got is not None and truth is not None
    return float((got.float() - truth.float()).abs().max())


def assert_as_close_as_eager(
    names: Sequence[str],
    kernel: Sequence[torch.Tensor | None],
    eager: Sequence[torch.Tensor | None],
    truth: Sequence[torch.Tensor | None],
) -> None:
    """The bf16 criterion, per named output or gradient: the kernel's largest error against the
    fp32 truth is at most eager PyTorch's (in bf16) plus one bf16 rounding step (2^-8 relative)
    of the largest true value: the kernel rounds once at the end, PyTorch at every step, so the
    two may land on neighbouring bf16 values. A gradient the truth lacks, the kernel lacks too."""
    for name, got, baseline, want in zip(names, kernel, eager, truth, strict=True):
        if want is None:
            assert got is None, f"{name}: a gradient the reference does not have"
            continue
        tol = 2**-8 * float(want.abs().max())
        kernel_error, eager_error = max_error(got, want), max_error(baseline, want)
        assert kernel_error <= eager_error + tol, f"{name}: {kernel_error} > {eager_error} + {tol}"


def assert_runs_as_close_as_eager(
    names: Sequence[str], kernel: Run, eager: Run, truth: Run, node: str
) -> None:
    """The Triton path ran (autograd node `node`), and its outputs and gradients, named in
    that order, meet the bf16 criterion of `assert_as_close_as_eager`."""
    assert kernel.node == node, f"{kernel.node} ran, not {node}"
    assert_as_close_as_eager(
        names,
        kernel.outputs + kernel.grads,
        eager.outputs + eager.grads,
        truth.outputs + truth.grads,
    )
