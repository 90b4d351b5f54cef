"""apply_rope: the Triton kernel (interpreted, fp32) against the PyTorch reference and against
transformers' own apply_rotary_pos_emb, forward and the gradients of q and k; bf16 and int64
offsets on a CUDA GPU."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from transformers import LlamaConfig
from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding, apply_rotary_pos_emb

from lathe_kernels.ops.rope import apply_rope, apply_rope_reference
from tests.kernels.autograd_runs import (
    Run,
    assert_runs_as_close_as_eager,
    assert_same,
    plain_sum,
    run,
    weighted_sum,
)

KERNEL_NODE = "_RoPEFunctionBackward"
# Each output element is x1 * c +- x2 * s on both sides, in fp32: equal up to fused
# multiply-add rounding, 1 ulp of values of order 1-10.
TOLERANCE: dict[str, Any] = {"atol": 1e-5, "rtol": 1e-5}


def _heads(
    batch: int, heads: int, tokens: int, dim: int, generator: torch.Generator
) -> torch.Tensor:
    """[B, H, T, D] as transformers makes it: a transposed view of a [B, T, H, D] projection."""
    projected = torch.randn(batch, tokens, heads, dim, generator=generator)
    return projected.transpose(1, 2).requires_grad_()


def _case(
    batch: int, q_heads: int, kv_heads: int, tokens: int, dim: int, cos_batch: int
) -> tuple[torch.Tensor, ...]:
    generator = torch.Generator().manual_seed(0)
    q = _heads(batch, q_heads, tokens, dim, generator)
    k = _heads(batch, kv_heads, tokens, dim, generator)
    # Random cos/sin (not a real rotation, halves not repeated) test the exact adjoint.
    cos = torch.randn(cos_batch, tokens, dim, generator=generator)
    sin = torch.randn(cos_batch, tokens, dim, generator=generator)
    return q, k, cos, sin


def _both(
    inputs: tuple[torch.Tensor, ...], *, dense_grad: bool = True, **kwargs: object
) -> tuple[Run, Run]:
    q, k = inputs[0], inputs[1]
    generator = torch.Generator().manual_seed(1)
    weights = [torch.randn(q.shape, generator=generator), torch.randn(k.shape, generator=generator)]
    loss = weighted_sum(weights) if dense_grad else plain_sum
    return run(apply_rope, inputs, loss, **kwargs), run(
        apply_rope_reference, inputs, loss, **kwargs
    )


def _assert_same(kernel: Run, reference: Run) -> None:
    assert_same(kernel, reference, KERNEL_NODE, **TOLERANCE)


@pytest.mark.parametrize(
    ("batch", "q_heads", "kv_heads", "tokens", "dim", "cos_batch"),
    [
        (2, 4, 2, 5, 16, 1),  # GQA, one cos/sin for the batch
        (2, 4, 2, 5, 16, 2),  # cos/sin per sequence (packed or left-padded batches)
        (1, 3, 3, 1, 8, 1),  # one token, three heads (masked head lanes)
        (2, 6, 1, 7, 12, 2),  # MQA, half head_dim 6 (masked dim lanes)
        (2, 4, 1, 9, 128, 2),  # head_dim 128: 64 rows a block, q in two blocks, k in one
    ],
)
def test_forward_and_gradients_match_the_reference(
    batch: int, q_heads: int, kv_heads: int, tokens: int, dim: int, cos_batch: int
) -> None:
    _assert_same(*_both(_case(batch, q_heads, kv_heads, tokens, dim, cos_batch)))


def test_contiguous_heads_and_a_zero_stride_grad_output() -> None:
    q, k, cos, sin = _case(2, 4, 2, 6, 16, 1)
    contiguous = (
        q.detach().contiguous().requires_grad_(),
        k.detach().contiguous().requires_grad_(),
    )
    _assert_same(*_both((*contiguous, cos, sin), dense_grad=False))


def test_non_contiguous_cos_and_sin() -> None:
    q, k, _, _ = _case(2, 2, 2, 5, 8, 2)
    wide = torch.randn(2, 5, 24)
    _assert_same(*_both((q, k, wide[..., 3:11], wide[..., 13:21])))


@pytest.mark.parametrize("table_batch_dim", [False, True])
def test_position_ids_index_a_cos_sin_table(table_batch_dim: bool) -> None:
    q, k, _, _ = _case(2, 4, 2, 5, 16, 1)
    generator = torch.Generator().manual_seed(3)
    cos, sin = torch.randn(11, 16, generator=generator), torch.randn(11, 16, generator=generator)
    if table_batch_dim:
        cos, sin = cos[None], sin[None]
    position_ids = torch.tensor([[0, 1, 2, 3, 4], [7, 3, 10, 0, 0]])
    _assert_same(*_both((q, k, cos, sin), position_ids=position_ids))
    _assert_same(*_both((q, k, cos, sin), position_ids=position_ids[1:]))  # shared by the batch


def test_the_rotation_matches_transformers() -> None:
    config = LlamaConfig(hidden_size=64, num_attention_heads=4, num_key_value_heads=2)
    rotary = LlamaRotaryEmbedding(config)
    q, k, _, _ = _case(2, 4, 2, 9, 16, 1)
    position_ids = torch.tensor([list(range(9)), [5, 6, 7, 8, 0, 1, 2, 3, 4]])
    cos, sin = rotary(q, position_ids)
    ours = apply_rope(q, k, cos, sin)
    theirs = apply_rotary_pos_emb(q, k, cos, sin)
    torch.testing.assert_close(ours, theirs, **TOLERANCE)
    # The same memory order as transformers' result ([B, T, H, D] under the [B, H, T, D] view).
    assert ours[0].stride() == theirs[0].stride() and ours[1].stride() == theirs[1].stride()
    # Where the rotation is a true rotation, its gradient is the same rotation with -sin.
    grad_q = torch.randn(q.shape)
    (q_grad,) = torch.autograd.grad(ours[0], q, grad_q)
    torch.testing.assert_close(
        q_grad, apply_rotary_pos_emb(grad_q, grad_q, cos, -sin)[0], **TOLERANCE
    )


def test_cos_and_sin_that_require_grad_take_the_reference_path() -> None:
    q, k, cos, sin = _case(1, 2, 2, 3, 8, 1)
    cos.requires_grad_()
    q_out, _ = apply_rope(q, k, cos, sin)
    assert type(q_out.grad_fn).__name__ != KERNEL_NODE
    (cos_grad,) = torch.autograd.grad(q_out.sum(), cos)
    assert cos_grad.abs().sum() > 0


@pytest.mark.parametrize(
    ("q_shape", "cos_shape", "message"),
    [
        ((2, 4, 5, 15), (1, 5, 15), "even head_dim"),
        ((2, 4, 5, 16), (1, 6, 16), "does not fit"),
        ((2, 4, 5, 16), (3, 5, 16), "does not fit"),
        ((2, 4, 5, 16), (1, 5, 8), "must both be"),
    ],
)
def test_shapes_that_do_not_fit_are_refused(
    q_shape: tuple[int, ...], cos_shape: tuple[int, ...], message: str
) -> None:
    q = torch.randn(q_shape)
    with pytest.raises(ValueError, match=message):
        apply_rope(q, q[:, :2], torch.randn(cos_shape), torch.randn(cos_shape))


@pytest.mark.gpu
def test_bf16_is_as_close_to_fp32_truth_as_pytorch_in_bf16() -> None:
    config = LlamaConfig(hidden_size=576, num_attention_heads=9, num_key_value_heads=3)
    rotary = LlamaRotaryEmbedding(config).cuda()
    generator = torch.Generator(device="cuda").manual_seed(0)
    q = torch.randn(2, 300, 9, 64, device="cuda", generator=generator).bfloat16().transpose(1, 2)
    k = torch.randn(2, 300, 3, 64, device="cuda", generator=generator).bfloat16().transpose(1, 2)
    positions = torch.arange(300, device="cuda")[None].expand(2, -1)
    cos, sin = rotary(q, positions)  # bf16, as transformers hands them to attention
    grads = [
        torch.randn(q.shape, device="cuda").bfloat16(),
        torch.randn(k.shape, device="cuda").bfloat16(),
    ]
    loss = weighted_sum(grads)
    q, k = q.requires_grad_(), k.requires_grad_()
    truth = run(
        apply_rope_reference,
        (q.float().requires_grad_(), k.float().requires_grad_(), cos.float(), sin.float()),
        loss,
    )
    kernel = run(apply_rope, (q, k, cos, sin), loss)
    pytorch = run(apply_rotary_pos_emb, (q, k, cos, sin), loss)
    names = ("q", "k", "dq", "dk", "dcos", "dsin")  # cos and sin are constants: no gradients
    assert_runs_as_close_as_eager(names, kernel, pytorch, truth, KERNEL_NODE)


@pytest.mark.gpu
def test_elements_beyond_int32() -> None:
    batch, heads, tokens, dim = 2, 32, 2**31 // (2 * 32 * 128) + 16, 128
    q = torch.randn(batch, tokens, heads, dim, device="cuda", dtype=torch.bfloat16).transpose(1, 2)
    k = q[:, :8]
    cos = torch.randn(1, tokens, dim, device="cuda", dtype=torch.bfloat16)
    sin = torch.randn(1, tokens, dim, device="cuda", dtype=torch.bfloat16)
    q_out, k_out = apply_rope(q, k, cos, sin)
    tail = slice(tokens - 4, tokens)
    want_q, want_k = apply_rope_reference(q[:, :, tail], k[:, :, tail], cos[:, tail], sin[:, tail])
    # Both compute in fp32 and round once to bf16: equal up to one bf16 step of values < 20.
    torch.testing.assert_close(q_out[:, :, tail], want_q, atol=0.1, rtol=1e-2)
    torch.testing.assert_close(k_out[:, :, tail], want_k, atol=0.1, rtol=1e-2)
