"""swiglu: the Triton kernels (interpreted, fp32) against the PyTorch reference, forward and both
gradients; bf16 and int64 offsets on a CUDA GPU."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from lathe_kernels.ops.swiglu import swiglu, swiglu_reference
from tests.kernels.autograd_runs import (
    Run,
    assert_runs_as_close_as_eager,
    assert_same,
    plain_sum,
    run,
    weighted_sum,
)

KERNEL_NODE = "_SwiGLUFunctionBackward"
# Elementwise fp32 on both sides; the sigmoid (exp) of NumPy and of PyTorch may differ by an
# ulp or two, and silu'(g) compounds a few such steps: 1e-5 absolute and relative.
TOLERANCE: dict[str, Any] = {"atol": 1e-5, "rtol": 1e-5}


def _inputs(shape: tuple[int, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    gate = torch.randn(shape, generator=generator) * 4
    up = torch.randn(shape, generator=generator)
    return gate.requires_grad_(), up.requires_grad_()


def _both(inputs: tuple[torch.Tensor, torch.Tensor], *, dense_grad: bool = True) -> tuple[Run, Run]:
    generator = torch.Generator().manual_seed(1)
    loss = (
        weighted_sum([torch.randn(inputs[0].shape, generator=generator)])
        if dense_grad
        else plain_sum
    )
    return run(swiglu, inputs, loss), run(swiglu_reference, inputs, loss)


def _assert_same(kernel: Run, reference: Run) -> None:
    assert_same(kernel, reference, KERNEL_NODE, **TOLERANCE)


@pytest.mark.parametrize(
    "shape",
    [
        (2, 3, 64),
        (1, 1, 1536),  # SmolLM2's intermediate size, one token: two column blocks
        (3, 5, 1100),  # odd, the second column block masked
        (7,),  # one row
    ],
)
def test_forward_and_gradients_match_the_reference(shape: tuple[int, ...]) -> None:
    _assert_same(*_both(_inputs(shape)))


def test_gate_and_up_sliced_from_one_fused_projection() -> None:
    generator = torch.Generator().manual_seed(2)
    fused = torch.randn(2, 5, 2 * 72, generator=generator)
    gate = fused[..., :72].requires_grad_()  # row stride 144: read in place, no copy
    up = fused[..., 72:].requires_grad_()
    _assert_same(*_both((gate, up)))


def test_transposed_inputs_and_a_zero_stride_grad_output() -> None:
    gate, up = _inputs((6, 10))
    transposed = (gate.detach().t().requires_grad_(), up.detach().t().requires_grad_())
    _assert_same(*_both(transposed, dense_grad=False))


def test_the_inputs_are_left_as_they_were() -> None:
    gate, up = _inputs((3, 40))
    before = (gate.detach().clone(), up.detach().clone())
    swiglu(gate, up).sum().backward()
    torch.testing.assert_close((gate.detach(), up.detach()), before, atol=0, rtol=0)


def test_shapes_that_differ_are_refused() -> None:
    gate, up = _inputs((3, 8))
    with pytest.raises(ValueError, match=r"gate \(3, 8\) and up \(3, 7\)"):
        swiglu(gate, up[:, :7])


@pytest.mark.gpu
def test_bf16_is_as_close_to_fp32_truth_as_pytorch_in_bf16() -> None:
    generator = torch.Generator(device="cuda").manual_seed(0)
    gate = (4 * torch.randn(4, 257, 1536, device="cuda", generator=generator)).bfloat16()
    up = torch.randn(gate.shape, device="cuda", generator=generator).bfloat16()
    loss = weighted_sum([torch.randn(gate.shape, device="cuda", generator=generator).bfloat16()])

    def eager(gate: torch.Tensor, up: torch.Tensor) -> torch.Tensor:  # LlamaMLP's activation
        return torch.nn.functional.silu(gate) * up

    inputs = (gate.requires_grad_(), up.requires_grad_())
    truth = run(
        swiglu_reference, (gate.float().requires_grad_(), up.float().requires_grad_()), loss
    )
    kernel = run(swiglu, inputs, loss)
    pytorch = run(eager, inputs, loss)
    assert_runs_as_close_as_eager(("out", "dgate", "dup"), kernel, pytorch, truth, KERNEL_NODE)


@pytest.mark.gpu
def test_elements_beyond_int32() -> None:
    cols = 8192
    rows = 2**31 // cols + 16
    gate = torch.randn(rows, cols, device="cuda", dtype=torch.bfloat16, requires_grad=True)
    up = torch.randn(rows, cols, device="cuda", dtype=torch.bfloat16, requires_grad=True)
    out = swiglu(gate, up)
    out.backward(torch.ones_like(out))
    tail_gate = gate.detach()[-4:].clone().requires_grad_()
    tail_up = up.detach()[-4:].clone().requires_grad_()
    want = swiglu_reference(tail_gate, tail_up)
    want.backward(torch.ones_like(want))
    assert gate.grad is not None and up.grad is not None
    # Both compute in fp32 and round once to bf16: equal up to one bf16 step of values < 20.
    for got, expected in (
        (out[-4:], want),
        (gate.grad[-4:], tail_gate.grad),
        (up.grad[-4:], tail_up.grad),
    ):
        torch.testing.assert_close(got, expected, atol=0.1, rtol=1e-2)
