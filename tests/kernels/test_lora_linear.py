"""lora_linear's Triton path (interpreted on CPU, fp32) against its PyTorch reference and PEFT's
own LoRA layer: the output and every gradient (x, lora_a, lora_b, bias), on the projection shapes
of Llama-family blocks and on the awkward inputs (odd sizes, one token, non-contiguous x,
zero-stride grad_output, dropout, bias). The `gpu` tests compare bf16 against fp32 truth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import torch
from peft import LoraConfig, get_peft_model

from lathe_kernels.ops.lora_linear import lora_linear, lora_linear_reference
from lathe_kernels.runtime import use_triton
from tests.kernels.autograd_runs import assert_as_close_as_eager

# fp32 on both sides; the kernel adds the rank-r term in its own order (tl.dot over a padded rank,
# then one add into the cuBLAS result), so results differ by fp32 rounding of sums of at most a
# few hundred terms of size ~1: ~1e-6 is observed. 1e-5 leaves margin yet catches any real bug (a
# dropped or doubled term, a wrong mask or scale is off by >= 1e-2).
ATOL = 1e-5
RTOL = 1e-5


@dataclass
class LoraInputs:
    x: torch.Tensor
    weight: torch.Tensor
    bias: torch.Tensor | None
    lora_a: torch.Tensor
    lora_b: torch.Tensor

    def trainable(self) -> list[torch.Tensor]:
        tensors = [self.x, self.lora_a, self.lora_b]
        if self.bias is not None:
            tensors.append(self.bias)
        return [tensor for tensor in tensors if tensor.requires_grad]


def make_inputs(
    lead: tuple[int, ...],
    in_features: int,
    out_features: int,
    rank: int,
    *,
    bias: bool = False,
    dtype: torch.dtype = torch.float32,
    device: str = "cpu",
    seed: int = 0,
) -> LoraInputs:
    generator = torch.Generator().manual_seed(seed)

    def randn(*shape: int, scale: float) -> torch.Tensor:
        return (torch.randn(*shape, generator=generator) * scale).to(device=device, dtype=dtype)

    # Scales keep every term of y near 1, so tolerances mean the same thing for every shape.
    return LoraInputs(
        x=randn(*lead, in_features, scale=1.0).requires_grad_(),
        weight=randn(out_features, in_features, scale=in_features**-0.5),
        bias=randn(out_features, scale=1.0).requires_grad_() if bias else None,
        lora_a=randn(rank, in_features, scale=in_features**-0.5).requires_grad_(),
        lora_b=randn(out_features, rank, scale=rank**-0.5).requires_grad_(),
    )


def run_with_grads(
    op: object,
    inputs: LoraInputs,
    scaling: float,
    grad_output: torch.Tensor | None = None,
    *,
    dropout: float = 0.0,
    training: bool = False,
    seed: int = 0,
) -> tuple[torch.Tensor, list[torch.Tensor | None]]:
    """The output and the gradients of x, lora_a, lora_b, bias; `seed` fixes the dropout mask."""
    assert callable(op)
    for tensor in inputs.trainable():
        tensor.grad = None
    torch.manual_seed(seed)
    y = op(
        inputs.x,
        inputs.weight,
        inputs.bias,
        inputs.lora_a,
        inputs.lora_b,
        scaling,
        dropout=dropout,
        training=training,
    )
    y.backward(torch.ones_like(y) if grad_output is None else grad_output)
    grads = [inputs.x.grad, inputs.lora_a.grad, inputs.lora_b.grad]
    grads.append(inputs.bias.grad if inputs.bias is not None else None)
    return y.detach(), [grad.clone() if grad is not None else None for grad in grads]


def assert_matches_reference(
    inputs: LoraInputs,
    scaling: float = 2.0,
    *,
    grad_output: torch.Tensor | None = None,
    dropout: float = 0.0,
    training: bool = False,
) -> None:
    y, grads = run_with_grads(
        lora_linear, inputs, scaling, grad_output, dropout=dropout, training=training
    )
    y_ref, grads_ref = run_with_grads(
        lora_linear_reference, inputs, scaling, grad_output, dropout=dropout, training=training
    )
    torch.testing.assert_close(y, y_ref, atol=ATOL, rtol=RTOL)
    for name, grad, grad_ref in zip(
        ("x", "lora_a", "lora_b", "bias"), grads, grads_ref, strict=True
    ):
        if grad_ref is None:
            assert grad is None, f"{name} got a gradient the reference does not have"
            continue
        assert grad is not None, f"no gradient for {name}"
        torch.testing.assert_close(grad, grad_ref, atol=ATOL, rtol=RTOL, msg=f"grad of {name}")


def test_the_kernel_path_runs_under_the_interpreter() -> None:
    # Otherwise every comparison below would compare the reference with itself.
    inputs = make_inputs((2, 3), 16, 24, 4)
    assert use_triton(inputs.x)
    y = lora_linear(inputs.x, inputs.weight, None, inputs.lora_a, inputs.lora_b, 1.0)
    assert type(y.grad_fn).__name__ == "_LoraLinearFunctionBackward"


@pytest.mark.parametrize(
    ("lead", "in_features", "out_features", "rank"),
    [
        pytest.param((2, 7), 576, 960, 8, id="fused-qkv-576"),
        pytest.param((3, 5), 96, 2 * 160, 16, id="fused-gate-up"),
        pytest.param((2, 5), 160, 96, 3, id="down-odd-rank"),
        pytest.param((1, 9), 64, 64, 16, id="o-proj"),
        pytest.param((1, 1), 48, 40, 80, id="one-token-rank-over-one-block"),
        pytest.param((11,), 33, 17, 5, id="2d-input-odd-sizes"),
    ],
)
def test_output_and_gradients_match_the_reference(
    lead: tuple[int, ...], in_features: int, out_features: int, rank: int
) -> None:
    inputs = make_inputs(lead, in_features, out_features, rank)
    grad_output = torch.randn(*lead, out_features, generator=torch.Generator().manual_seed(1))
    assert_matches_reference(inputs, grad_output=grad_output)


def test_non_contiguous_x() -> None:
    inputs = make_inputs((6, 3), 40, 24, 8)
    # [tokens, batch, in] transposed to [batch, tokens, in]: strides no longer row-major.
    inputs.x = inputs.x.detach().transpose(0, 1).requires_grad_()
    assert not inputs.x.is_contiguous()
    assert_matches_reference(inputs)


def test_zero_stride_grad_output_from_sum() -> None:
    inputs = make_inputs((2, 4), 24, 40, 4)
    grads = []
    for op in (lora_linear, lora_linear_reference):
        for tensor in inputs.trainable():
            tensor.grad = None
        # The grad of .sum() reaches the op as an expanded tensor with stride 0.
        y = op(inputs.x, inputs.weight, None, inputs.lora_a, inputs.lora_b, 0.5)
        torch.autograd.backward(y.sum())
        grads.append(
            [tensor.grad.clone() for tensor in inputs.trainable() if tensor.grad is not None]
        )
    for grad, grad_ref in zip(*grads, strict=True):
        torch.testing.assert_close(grad, grad_ref, atol=ATOL, rtol=RTOL)


def test_bias_gets_its_gradient_and_the_base_weight_none() -> None:
    inputs = make_inputs((2, 5), 48, 72, 8, bias=True)
    assert_matches_reference(inputs, grad_output=torch.randn(2, 5, 72))
    assert inputs.weight.grad is None


def test_frozen_bias_gets_no_gradient() -> None:
    inputs = make_inputs((2, 5), 48, 72, 8, bias=True)
    assert inputs.bias is not None
    inputs.bias.requires_grad_(False)
    assert_matches_reference(inputs)
    assert inputs.bias.grad is None


def test_dropout_uses_one_mask_in_forward_and_backward() -> None:
    # Same seed, same mask in op and reference (they share the mask helper); the reference's
    # autograd backs through its own forward mask, so matching gradients prove the op's backward
    # used the mask of its forward.
    inputs = make_inputs((3, 7), 64, 48, 8, bias=True)
    assert_matches_reference(inputs, grad_output=torch.randn(3, 7, 48), dropout=0.3, training=True)


def test_dropout_changes_the_low_rank_term_only_in_training() -> None:
    inputs = make_inputs((2, 6), 32, 24, 4)
    torch.manual_seed(0)
    evaluated = lora_linear(
        inputs.x, inputs.weight, None, inputs.lora_a, inputs.lora_b, 1.0, dropout=0.5
    )
    plain = lora_linear(inputs.x, inputs.weight, None, inputs.lora_a, inputs.lora_b, 1.0)
    torch.testing.assert_close(evaluated, plain, atol=0.0, rtol=0.0)
    dropped = lora_linear(
        inputs.x, inputs.weight, None, inputs.lora_a, inputs.lora_b, 1.0, dropout=0.5, training=True
    )
    assert (dropped - plain).abs().max() > 1e-2


def assert_bf16_as_close_as_pytorch(
    lead: tuple[int, ...],
    in_features: int,
    out_features: int,
    rank: int,
    device: str,
    *,
    bias: bool,
    dropout: float = 0.0,
) -> None:
    """The `gpu` tests' criterion: |kernel - fp32 truth| <= |PyTorch in bf16 - fp32 truth| + tol,
    by the largest error of the output and of each gradient."""
    shape = (lead, in_features, out_features, rank)
    truth_inputs = make_inputs(*shape, bias=bias, device=device)
    bf16_inputs = make_inputs(*shape, bias=bias, device=device, dtype=torch.bfloat16)
    grad_output = torch.randn(*lead, out_features, device=device)
    # The same seed draws the same dropout mask for all three (the mask is bool whatever the dtype).
    options: dict[str, Any] = {"dropout": dropout, "training": dropout > 0}
    truth = run_with_grads(lora_linear_reference, truth_inputs, 2.0, grad_output, **options)
    bf16_grad = grad_output.bfloat16()
    eager = run_with_grads(lora_linear_reference, bf16_inputs, 2.0, bf16_grad, **options)
    kernel = run_with_grads(lora_linear, bf16_inputs, 2.0, bf16_grad, **options)
    assert_as_close_as_eager(
        ("y", "x", "lora_a", "lora_b", "bias"),
        [kernel[0], *kernel[1]],
        [eager[0], *eager[1]],
        [truth[0], *truth[1]],
    )


def test_bf16_under_the_interpreter() -> None:
    # The kernel upcasts its tl.dot operands: the interpreter would multiply bf16 bit patterns
    # as integers otherwise (errors of ~1e10, not rounding).
    assert_bf16_as_close_as_pytorch((2, 9), 96, 80, 8, "cpu", bias=True, dropout=0.2)


def test_x_without_grad_still_trains_the_adapter() -> None:
    # The first layer's input (frozen embeddings) does not require grad.
    inputs = make_inputs((2, 5), 40, 56, 8)
    inputs.x.requires_grad_(False)
    assert_matches_reference(inputs, grad_output=torch.randn(2, 5, 56))
    assert inputs.x.grad is None


class _OneProjection(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.proj = torch.nn.Linear(72, 56, bias=True)


def test_matches_peft_lora_layer() -> None:
    torch.manual_seed(3)
    # bias="all" trains the base bias, so its gradient is compared too.
    config = LoraConfig(
        r=8, lora_alpha=16, target_modules=["proj"], bias="all", init_lora_weights=False
    )
    layer = get_peft_model(_OneProjection(), config).get_submodule("base_model.model.proj")
    base = layer.get_submodule("base_layer")
    assert isinstance(base, torch.nn.Linear) and base.bias is not None
    lora_a = layer.get_parameter("lora_A.default.weight")
    lora_b = layer.get_parameter("lora_B.default.weight")
    x = torch.randn(2, 5, 72, requires_grad=True)
    grad_output = torch.randn(2, 5, 56)
    expected_y = layer(x)
    torch.autograd.backward(expected_y, grad_output)
    trained = (x, lora_a, lora_b, base.bias)
    expected = [tensor.grad.clone() for tensor in trained if tensor.grad is not None]
    for tensor in trained:
        tensor.grad = None
    y = lora_linear(x, base.weight, base.bias, lora_a, lora_b, config.lora_alpha / config.r)
    torch.autograd.backward(y, grad_output)
    torch.testing.assert_close(y, expected_y, atol=ATOL, rtol=RTOL)
    for tensor, grad_expected in zip(trained, expected, strict=True):
        torch.testing.assert_close(tensor.grad, grad_expected, atol=ATOL, rtol=RTOL)
    assert base.weight.grad is None


def test_refuses_a_base_weight_that_requires_grad() -> None:
    inputs = make_inputs((2, 3), 16, 16, 4)
    inputs.weight.requires_grad_(True)
    with pytest.raises(ValueError, match="frozen base weight"):
        lora_linear(inputs.x, inputs.weight, None, inputs.lora_a, inputs.lora_b, 1.0)


@pytest.mark.parametrize(
    ("field", "message"),
    [("lora_a", "lora_a is"), ("lora_b", "lora_b is"), ("x", "last dimension")],
)
def test_shape_mismatch_names_the_tensor(field: str, message: str) -> None:
    inputs = make_inputs((2, 3), 16, 24, 4)
    wrong = {
        "lora_a": torch.zeros(4, 15),
        "lora_b": torch.zeros(23, 4),
        "x": torch.zeros(2, 3, 15),
    }
    arguments = {
        "x": inputs.x,
        "lora_a": inputs.lora_a,
        "lora_b": inputs.lora_b,
        field: wrong[field],
    }
    with pytest.raises(ValueError, match=message):
        lora_linear(
            arguments["x"], inputs.weight, None, arguments["lora_a"], arguments["lora_b"], 1.0
        )


def test_dropout_out_of_range_is_refused() -> None:
    inputs = make_inputs((2, 3), 16, 16, 4)
    with pytest.raises(ValueError, match="dropout"):
        lora_linear(inputs.x, inputs.weight, None, inputs.lora_a, inputs.lora_b, 1.0, dropout=1.0)


@pytest.mark.gpu
@pytest.mark.parametrize(("bias", "dropout"), [(False, 0.0), (True, 0.0), (True, 0.1)])
def test_bf16_is_as_close_to_fp32_truth_as_pytorch_bf16(bias: bool, dropout: float) -> None:
    # SmolLM2-135M's fused gate-up projection, 2 x 512 tokens, r 16.
    assert_bf16_as_close_as_pytorch((2, 512), 576, 2 * 1536, 16, "cuda", bias=bias, dropout=dropout)
