"""linear_cross_entropy's Triton path (interpreted on CPU, fp32) against its PyTorch reference
(itself checked against F.cross_entropy): the loss and every gradient (hidden, weight, bias), for
chunked tokens, odd vocabularies, ignore_index, mean and sum-with-divisor. The `gpu` tests compare
bf16 against fp32 truth and cross the int32 offset limit (vocab x tokens > 2^31)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import torch
from torch.nn.functional import cross_entropy

from lathe_kernels.ops.linear_cross_entropy import (
    default_chunk_size,
    linear_cross_entropy,
    linear_cross_entropy_reference,
)
from lathe_kernels.runtime import use_triton
from tests.kernels.autograd_runs import assert_as_close_as_eager

# fp32 on both sides. The kernel's online softmax rescales its running sum block by block and the
# chunked GEMMs sum in another order than one big one: differences ~1e-7 of values ~1 at a
# vocabulary of 1,000. dHidden = dLogits @ W sums over the whole vocabulary, so its rounding
# grows with V (1.5e-5 observed at V = 49,157 for values ~0.3): the absolute tolerance is 1e-6
# per 1,000 vocabulary entries. A real bug (a row's gradient missing, a wrong divisor, a dropped
# chunk) is off by >= 1e-3.
RTOL = 1e-5


def atol_for(vocab_size: int) -> float:
    return 1e-6 * max(1.0, vocab_size / 1000)


@dataclass
class HeadInputs:
    hidden: torch.Tensor
    weight: torch.Tensor
    targets: torch.Tensor
    bias: torch.Tensor | None = None

    def leaves(self) -> list[torch.Tensor]:
        tensors = [self.hidden, self.weight] + ([self.bias] if self.bias is not None else [])
        return [tensor for tensor in tensors if tensor.requires_grad]


def make_inputs(
    n_tokens: int,
    hidden_size: int,
    vocab_size: int,
    *,
    ignored_every: int = 0,
    bias: bool = False,
    weight_grad: bool = True,
    dtype: torch.dtype = torch.float32,
    device: str = "cpu",
    seed: int = 0,
) -> HeadInputs:
    generator = torch.Generator().manual_seed(seed)
    targets = torch.randint(0, vocab_size, (n_tokens,), generator=generator)
    if ignored_every:
        targets[::ignored_every] = -100
    # Logits of spread ~3: a peaked but not saturated softmax, as in a trained model.
    hidden = torch.randn(n_tokens, hidden_size, generator=generator)
    weight = torch.randn(vocab_size, hidden_size, generator=generator) * 3 * hidden_size**-0.5
    return HeadInputs(
        hidden=hidden.to(device=device, dtype=dtype).requires_grad_(),
        weight=weight.to(device=device, dtype=dtype).requires_grad_(weight_grad),
        targets=targets.to(device),
        bias=torch.randn(vocab_size, generator=generator)
        .to(device=device, dtype=dtype)
        .requires_grad_()
        if bias
        else None,
    )


def loss_and_grads(
    op: object, inputs: HeadInputs, **options: object
) -> tuple[torch.Tensor, list[torch.Tensor]]:
    assert callable(op)
    for tensor in inputs.leaves():
        tensor.grad = None
    loss = op(inputs.hidden, inputs.weight, inputs.targets, bias=inputs.bias, **options)
    if inputs.leaves():
        loss.backward()
    grads = [tensor.grad.clone() for tensor in inputs.leaves() if tensor.grad is not None]
    return loss.detach(), grads


def assert_matches_reference(inputs: HeadInputs, **options: object) -> None:
    atol = atol_for(inputs.weight.shape[0])
    loss, grads = loss_and_grads(linear_cross_entropy, inputs, **options)
    loss_ref, grads_ref = loss_and_grads(linear_cross_entropy_reference, inputs, **options)
    assert loss.dtype == torch.float32
    torch.testing.assert_close(loss, loss_ref, atol=atol, rtol=RTOL)
    assert len(grads) == len(grads_ref) == len(inputs.leaves())
    for grad, grad_ref in zip(grads, grads_ref, strict=True):
        torch.testing.assert_close(grad, grad_ref, atol=atol, rtol=RTOL)


def test_the_kernel_path_runs_under_the_interpreter() -> None:
    # Otherwise every comparison below would compare the reference with itself.
    inputs = make_inputs(6, 8, 10)
    assert use_triton(inputs.hidden)
    loss = linear_cross_entropy(inputs.hidden, inputs.weight, inputs.targets)
    assert type(loss.grad_fn).__name__ == "_LinearCrossEntropyFunctionBackward"


def test_reference_mean_is_pytorch_cross_entropy() -> None:
    inputs = make_inputs(20, 16, 50, ignored_every=4)
    logits = inputs.hidden @ inputs.weight.T
    expected = cross_entropy(logits, inputs.targets, ignore_index=-100)
    reference = linear_cross_entropy_reference(inputs.hidden, inputs.weight, inputs.targets)
    torch.testing.assert_close(
        reference, expected, atol=atol_for(inputs.weight.shape[0]), rtol=RTOL
    )


@pytest.mark.parametrize(
    ("n_tokens", "hidden_size", "vocab_size", "chunk_size"),
    [
        pytest.param(45, 64, 1000, 16, id="chunks-with-a-short-last-one"),
        pytest.param(9, 576, 1000, None, id="hidden-576-one-chunk"),
        pytest.param(3, 32, 49_152, 2, id="vocab-49152-two-blocks-per-row"),
        pytest.param(4, 24, 49_157, 3, id="odd-vocab-over-49152"),
        pytest.param(1, 40, 333, None, id="one-token"),
    ],
)
def test_loss_and_gradients_match_the_reference(
    n_tokens: int, hidden_size: int, vocab_size: int, chunk_size: int | None
) -> None:
    inputs = make_inputs(n_tokens, hidden_size, vocab_size, ignored_every=3 if n_tokens > 1 else 0)
    assert_matches_reference(inputs, chunk_size=chunk_size)


def test_bias_gets_its_gradient() -> None:
    assert_matches_reference(make_inputs(30, 32, 300, ignored_every=5, bias=True), chunk_size=8)


def test_frozen_weight_gets_no_gradient() -> None:
    inputs = make_inputs(30, 32, 300, ignored_every=5, weight_grad=False)
    assert_matches_reference(inputs, chunk_size=8)
    assert inputs.weight.grad is None and inputs.hidden.grad is not None


def test_only_the_weight_trains() -> None:
    inputs = make_inputs(30, 32, 300, ignored_every=5)
    inputs.hidden.requires_grad_(False)
    assert_matches_reference(inputs, chunk_size=8)
    assert inputs.hidden.grad is None


def test_non_contiguous_hidden() -> None:
    inputs = make_inputs(24, 48, 200, ignored_every=4)
    # Every other feature of a wider activation: row stride 96, column stride 2.
    wide = torch.randn(24, 96)
    inputs.hidden = wide[:, ::2].requires_grad_()
    assert not inputs.hidden.is_contiguous()
    assert_matches_reference(inputs, chunk_size=10)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_all_targets_ignored_gives_zero_loss_and_gradients(reduction: str) -> None:
    inputs = make_inputs(12, 16, 100)
    inputs.targets[:] = -100
    loss, grads = loss_and_grads(linear_cross_entropy, inputs, reduction=reduction, chunk_size=5)
    assert loss.item() == 0.0
    assert all(torch.count_nonzero(grad) == 0 for grad in grads)
    assert_matches_reference(inputs, reduction=reduction, chunk_size=5)


def test_custom_ignore_index() -> None:
    inputs = make_inputs(20, 16, 64)
    inputs.targets[::2] = 7  # token 7 stands for padding here
    assert_matches_reference(inputs, ignore_index=7, chunk_size=6)


@pytest.mark.parametrize(
    "divisor",
    [None, 37.0, torch.tensor(37.0), torch.tensor([37])],
    ids=["no-divisor", "float", "tensor", "int-tensor-of-one"],
)
def test_sum_with_divisor(divisor: float | torch.Tensor | None) -> None:
    inputs = make_inputs(25, 16, 120, ignored_every=4)
    assert_matches_reference(inputs, reduction="sum", divisor=divisor, chunk_size=7)


def test_mean_is_sum_divided_by_the_counted_targets() -> None:
    # The gradient-accumulation contract: mean over a micro-batch equals sum / its target count.
    inputs = make_inputs(25, 16, 120, ignored_every=4)
    counted = int((inputs.targets != -100).sum())
    mean, mean_grads = loss_and_grads(linear_cross_entropy, inputs, chunk_size=7)
    summed, sum_grads = loss_and_grads(
        linear_cross_entropy, inputs, reduction="sum", divisor=float(counted), chunk_size=7
    )
    torch.testing.assert_close(mean, summed, atol=atol_for(inputs.weight.shape[0]), rtol=RTOL)
    for grad, grad_sum in zip(mean_grads, sum_grads, strict=True):
        torch.testing.assert_close(grad, grad_sum, atol=atol_for(inputs.weight.shape[0]), rtol=RTOL)


def test_grad_output_scales_the_gradients_and_a_second_backward_repeats_them() -> None:
    inputs = make_inputs(16, 16, 80, ignored_every=3, bias=True)
    grads_per_run = []
    for op in (linear_cross_entropy, linear_cross_entropy_reference):
        for tensor in inputs.leaves():
            tensor.grad = None
        loss = op(inputs.hidden, inputs.weight, inputs.targets, bias=inputs.bias, chunk_size=5)
        scaled = loss * 2.5
        torch.autograd.backward(scaled, retain_graph=True)
        first = [tensor.grad.clone() for tensor in inputs.leaves() if tensor.grad is not None]
        for tensor in inputs.leaves():
            tensor.grad = None
        # The saved gradients are scaled out of place, so a second backward sees them intact.
        torch.autograd.backward(scaled)
        for grad, again in zip(first, [tensor.grad for tensor in inputs.leaves()], strict=True):
            torch.testing.assert_close(again, grad, atol=0.0, rtol=0.0)
        grads_per_run.append(first)
    for grad, grad_ref in zip(*grads_per_run, strict=True):
        torch.testing.assert_close(grad, grad_ref, atol=atol_for(inputs.weight.shape[0]), rtol=RTOL)


def test_no_grad_gives_the_loss_alone() -> None:
    inputs = make_inputs(20, 16, 90, ignored_every=3)
    with torch.no_grad():
        loss = linear_cross_entropy(inputs.hidden, inputs.weight, inputs.targets, chunk_size=6)
        loss_ref = linear_cross_entropy_reference(inputs.hidden, inputs.weight, inputs.targets)
    assert not loss.requires_grad
    torch.testing.assert_close(loss, loss_ref, atol=atol_for(inputs.weight.shape[0]), rtol=RTOL)


def test_default_chunk_keeps_a_chunk_of_logits_near_2_to_the_25_elements() -> None:
    assert default_chunk_size(8192, 49_152) == 512
    assert default_chunk_size(8192, 128_256) == 256
    assert default_chunk_size(100, 1000) == 100  # never more rows than tokens
    assert default_chunk_size(10, 1 << 27) == 1  # never fewer than one


def test_target_outside_the_vocabulary_is_refused() -> None:
    inputs = make_inputs(6, 8, 10)
    inputs.targets[2] = 10
    with pytest.raises(RuntimeError, match="targets must be in"):
        linear_cross_entropy(inputs.hidden, inputs.weight, inputs.targets)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"divisor": 4.0}, "reduction='sum' only"),
        ({"reduction": "sum", "divisor": 0.0}, "divisor must be > 0"),
        ({"reduction": "sum", "divisor": torch.ones(2)}, "divisor must hold one value"),
        ({"reduction": "none"}, "reduction must be"),
        ({"chunk_size": 0}, "chunk_size"),
    ],
)
def test_bad_options_are_refused(options: dict[str, object], message: str) -> None:
    inputs = make_inputs(6, 8, 10)
    with pytest.raises(ValueError, match=message):
        linear_cross_entropy(inputs.hidden, inputs.weight, inputs.targets, **options)  # type: ignore[arg-type]


def test_shape_mismatches_name_the_tensor() -> None:
    inputs = make_inputs(6, 8, 10)
    with pytest.raises(ValueError, match="hidden must be"):
        linear_cross_entropy(inputs.hidden[None], inputs.weight, inputs.targets)
    with pytest.raises(ValueError, match="weight is"):
        linear_cross_entropy(inputs.hidden, inputs.weight[:, :7], inputs.targets)
    with pytest.raises(ValueError, match="targets is"):
        linear_cross_entropy(inputs.hidden, inputs.weight, inputs.targets[:5])
    with pytest.raises(ValueError, match="bias is"):
        linear_cross_entropy(inputs.hidden, inputs.weight, inputs.targets, bias=torch.zeros(9))


@pytest.mark.gpu
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_bf16_is_as_close_to_fp32_truth_as_pytorch_bf16(reduction: str) -> None:
    # SmolLM2-135M's head: hidden 576, vocab 49,152, 2 x 1024 tokens; a weight that trains too.
    truth_inputs = make_inputs(2048, 576, 49_152, ignored_every=5, device="cuda")
    bf16_inputs = make_inputs(
        2048, 576, 49_152, ignored_every=5, device="cuda", dtype=torch.bfloat16
    )
    options = {"reduction": reduction, "divisor": 1000.0 if reduction == "sum" else None}
    truth = loss_and_grads(linear_cross_entropy_reference, truth_inputs, **options)
    eager = loss_and_grads(linear_cross_entropy_reference, bf16_inputs, **options)
    kernel = loss_and_grads(linear_cross_entropy, bf16_inputs, **options)
    assert_as_close_as_eager(
        ("loss", "hidden", "weight"),
        [kernel[0], *kernel[1]],
        [eager[0], *eager[1]],
        [truth[0], *truth[1]],
    )


@pytest.mark.gpu
def test_vocab_times_tokens_beyond_int32_offsets() -> None:
    # 16,400 tokens x 131,075 vocab = 2.15e9 logits > 2^31 in ONE chunk, so the last rows sit
    # past the int32 offset limit; a narrow hidden keeps the GEMMs cheap (bf16 chunk: 4.3 GB).
    n_tokens, vocab_size = 16_400, 131_075
    assert n_tokens * vocab_size > 2**31
    inputs = make_inputs(
        n_tokens, 16, vocab_size, ignored_every=7, device="cuda", dtype=torch.bfloat16
    )
    # The last targets are the last vocabulary ids: their logits are the farthest from the start.
    inputs.targets[-3:] = vocab_size - 1
    # "sum": per-row gradients of size ~1, so a relative bound means something.
    options = {"reduction": "sum", "chunk_size": n_tokens}
    loss, grads = loss_and_grads(linear_cross_entropy, inputs, **options)
    loss_ref, grads_ref = loss_and_grads(linear_cross_entropy_reference, inputs, **options)
    # Both sides round the same cuBLAS logits to bf16 and sum fp32 losses in another order:
    # 1e-4 relative on a sum of ~1.4e4 row losses. An overflowed offset reads garbage (O(1) off).
    torch.testing.assert_close(loss, loss_ref, atol=0.0, rtol=1e-4)
    tail = slice(n_tokens - 64, n_tokens)
    for grad, grad_ref in [
        (grads[0][tail], grads_ref[0][tail]),
        *zip(grads, grads_ref, strict=True),
    ]:
        assert torch.isfinite(grad).all()
        error = (grad.float() - grad_ref.float()).abs().max().item()
        # 2^-6 of the largest value: a few bf16 roundings apart at most (same GEMMs, the logits
        # gradient rounded to bf16 once on each side).
        assert error <= grad_ref.float().abs().max().item() * 2**-6
