"""rms_norm: the Triton kernels (interpreted, fp32) against the PyTorch reference, forward and
every gradient; bf16 and int64 offsets on a CUDA GPU."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from transformers.models.llama.modeling_llama import LlamaRMSNorm

from lathe_kernels.ops.rms_norm import rms_norm, rms_norm_reference
from tests.kernels.autograd_runs import (
    Run,
    assert_runs_as_close_as_eager,
    assert_same,
    plain_sum,
    run,
    weighted_sum,
)

KERNEL_NODE = "_RMSNormFunctionBackward"
# fp32 on both sides; they differ only in the order of the row sums (sum of squares, and the
# dW sum over rows), a few ulps of values of order 1-10: 1e-5 absolute and relative.
TOLERANCE: dict[str, Any] = {"atol": 1e-5, "rtol": 1e-5}


def _inputs(shape: tuple[int, ...], *, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=generator) * 3
    weight = 1 + 0.5 * torch.randn(shape[-1], generator=generator)
    return x.requires_grad_(), weight.requires_grad_()


def _both(
    inputs: tuple[torch.Tensor, torch.Tensor], *, dense_grad: bool = True, **kwargs: object
) -> tuple[Run, Run]:
    x = inputs[0]
    generator = torch.Generator().manual_seed(1)
    loss = weighted_sum([torch.randn(x.shape, generator=generator)]) if dense_grad else plain_sum
    kernel = run(rms_norm, inputs, loss, **kwargs)
    reference = run(rms_norm_reference, inputs, loss, **kwargs)
    return kernel, reference


def _assert_same(kernel: Run, reference: Run) -> None:
    assert_same(kernel, reference, KERNEL_NODE, **TOLERANCE)


@pytest.mark.parametrize(
    "shape",
    [
        (2, 3, 64),  # a power of two
        (1, 1, 576),  # SmolLM2's hidden size, one token
        (5, 33),  # odd, masked lanes
        (3, 13, 100),  # 39 rows: two blocks of 32 rows, one per backward program
        (13, 576),  # blocks of 4 rows: two per backward program, the last one partial
    ],
)
def test_forward_and_gradients_match_the_reference(shape: tuple[int, ...]) -> None:
    _assert_same(*_both(_inputs(shape), eps=1e-6))


def test_offset_and_a_large_eps() -> None:
    _assert_same(*_both(_inputs((4, 48)), eps=0.5, offset=1.0))


def test_a_frozen_weight_gets_no_gradient() -> None:
    x, weight = _inputs((3, 5, 40))
    kernel, reference = _both((x, weight.detach()), eps=1e-5)
    assert kernel.grads[1] is None
    _assert_same(kernel, reference)


def test_non_contiguous_inputs() -> None:
    x, weight = _inputs((6, 4, 2, 24))
    rows_strided = x.detach().transpose(0, 1).requires_grad_()  # rows out of order
    _assert_same(*_both((rows_strided, weight), eps=1e-6))
    column_strided = x.detach()[..., ::2].requires_grad_()  # column stride 2: copied
    _assert_same(*_both((column_strided, weight.detach()[::2].requires_grad_()), eps=1e-6))


def test_a_zero_stride_grad_output() -> None:
    _assert_same(*_both(_inputs((2, 7, 36)), dense_grad=False, eps=1e-6))


def test_the_forward_matches_transformers_llama_rms_norm() -> None:
    x, weight = _inputs((2, 5, 64))
    norm = LlamaRMSNorm(64, eps=1e-5)
    norm.weight.data.copy_(weight.detach())
    torch.testing.assert_close(rms_norm(x, weight, 1e-5), norm(x), **TOLERANCE)


def test_a_weight_of_the_wrong_size_is_refused() -> None:
    x, weight = _inputs((2, 8))
    with pytest.raises(ValueError, match=r"weight shape \(7,\)"):
        rms_norm(x, weight[:7], 1e-6)


@pytest.mark.gpu
def test_bf16_is_as_close_to_fp32_truth_as_pytorch_in_bf16() -> None:
    hidden = 576
    generator = torch.Generator(device="cuda").manual_seed(0)
    x = torch.randn(4, 257, hidden, device="cuda", generator=generator).bfloat16()
    weight = (1 + 0.1 * torch.randn(hidden, device="cuda", generator=generator)).bfloat16()
    grad = torch.randn(x.shape, device="cuda", generator=generator).bfloat16()
    loss = weighted_sum([grad])
    norm = LlamaRMSNorm(hidden, eps=1e-6).cuda().bfloat16()

    def eager(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        output: torch.Tensor = torch.func.functional_call(norm, {"weight": weight}, (x,))
        return output

    inputs = (x.requires_grad_(), weight.requires_grad_())
    truth = run(
        rms_norm_reference,
        (x.float().requires_grad_(), weight.float().requires_grad_()),
        loss,
        eps=1e-6,
    )
    kernel = run(rms_norm, inputs, loss, eps=1e-6)
    pytorch = run(eager, inputs, loss)
    assert_runs_as_close_as_eager(("y", "dx", "dw"), kernel, pytorch, truth, KERNEL_NODE)


@pytest.mark.gpu
def test_rows_times_columns_beyond_int32() -> None:
    hidden = 4096
    rows = 2**31 // hidden + 64  # the last rows start past 2^31 elements
    x = torch.randn(rows, hidden, device="cuda", dtype=torch.bfloat16, requires_grad=True)
    weight = torch.ones(hidden, device="cuda", dtype=torch.bfloat16)
    y = rms_norm(x, weight, 1e-6)
    tail = x.detach()[-8:]
    # fp32 inside both; the bf16 result rounds once: one bf16 step (2^-8) of values near 1-4.
    torch.testing.assert_close(y[-8:], rms_norm_reference(tail, weight, 1e-6), atol=2e-2, rtol=1e-2)
    y.backward(torch.ones_like(y))
    assert x.grad is not None
    tail_leaf = tail.clone().requires_grad_()
    rms_norm_reference(tail_leaf, weight, 1e-6).backward(torch.ones_like(tail))
    assert tail_leaf.grad is not None
    torch.testing.assert_close(x.grad[-8:], tail_leaf.grad, atol=2e-2, rtol=1e-2)
