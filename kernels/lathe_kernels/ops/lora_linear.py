"""LoRA linear: y = x @ W^T + b + scaling * (dropout(x) @ A^T) @ B^T, with PEFT's layouts
(weight [out, in] frozen, bias [out] or None, lora_a [r, in], lora_b [out, r]).

Where the work goes. The base projection is a compute-bound GEMM: cuBLAS (torch.mm/addmm) is the
fastest GEMM on every shape we meet (576, 1536, fused QKV 960 ...) and a hand-written Triton
GEMM would lose more there than it could save, so the base result is written by cuBLAS straight
into the output buffer. The low-rank term is a rank-r update of that buffer (r is 8..64), bound by
memory, not FLOPs: the Triton kernel below adds `alpha * P @ Q` to a tile of the buffer in place
(one read and one write of the tile, no [tokens, out] temporaries as in PEFT, which allocates the
lora_B output, its scaled copy and the sum). The backward reuses the same kernel for
dX = dY @ W + scaling * ((dY @ B) @ A), where it also applies the dropout mask, so the fallback
path with dropout does not materialise the masked low-rank gradient separately.

The frozen weight's gradient (dY^T @ X, out x in) is never formed; every LoRA product is bracketed
so that the rank-r side is computed first (dY @ B, then its products)."""

from __future__ import annotations

from typing import Any

import torch
import triton
import triton.language as tl
from torch.nn.functional import linear

from lathe_kernels.runtime import compute_dtype, use_triton

__all__ = ["lora_linear", "lora_linear_reference"]

# Tile of the output buffer one program updates; BLOCK_R is the slice of the rank per tl.dot
# (tl.dot needs every dimension >= 16, so a rank below 16 is padded with masked zeros).
_BLOCK_M = 64
_BLOCK_N = 64
_MIN_BLOCK_R = 16
_MAX_BLOCK_R = 64


@triton.jit
def _low_rank_accumulate_kernel(
    out_ptr,
    p_ptr,
    q_ptr,
    keep_ptr,
    n_rows,
    n_cols,
    rank,
    stride_out_row,
    stride_out_col,
    stride_p_row,
    stride_p_rank,
    stride_q_rank,
    stride_q_col,
    stride_keep_row,
    stride_keep_col,
    alpha,
    keep_scale,
    HAS_KEEP_MASK: tl.constexpr,
    INPUT_PRECISION: tl.constexpr,
    BLOCK_M: tl.constexpr,
    BLOCK_N: tl.constexpr,
    BLOCK_R: tl.constexpr,
):
    """out[M, N] += alpha * (P[M, R] @ Q[R, N]) (times keep_mask * keep_scale when given)."""
    rows = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.program_id(1) * BLOCK_N + tl.arange(0, BLOCK_N)
    row_ok = rows < n_rows
    col_ok = cols < n_cols
    # int64 row offsets: tokens x features passes 2^31 on long packed batches.
    rows64 = rows.to(tl.int64)
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for rank_start in range(0, rank, BLOCK_R):
        ranks = rank_start + tl.arange(0, BLOCK_R)
        rank_ok = ranks < rank
        p = tl.load(
            p_ptr + rows64[:, None] * stride_p_row + ranks[None, :] * stride_p_rank,
            mask=row_ok[:, None] & rank_ok[None, :],
            other=0.0,
        ).to(tl.float32)
        q = tl.load(
            q_ptr + ranks[:, None] * stride_q_rank + cols[None, :] * stride_q_col,
            mask=rank_ok[:, None] & col_ok[None, :],
            other=0.0,
        ).to(tl.float32)
        acc += tl.dot(p, q, input_precision=INPUT_PRECISION)
    acc = acc * alpha
    tile_ok = row_ok[:, None] & col_ok[None, :]
    if HAS_KEEP_MASK:
        keep = tl.load(
            keep_ptr + rows64[:, None] * stride_keep_row + cols[None, :] * stride_keep_col,
            mask=tile_ok,
            other=0,
        )
        acc = tl.where(keep != 0, acc * keep_scale, 0.0)
    out_ptrs = out_ptr + rows64[:, None] * stride_out_row + cols[None, :] * stride_out_col
    current = tl.load(out_ptrs, mask=tile_ok, other=0.0).to(tl.float32)
    tl.store(out_ptrs, (current + acc).to(out_ptr.dtype.element_ty), mask=tile_ok)


def _accumulate_low_rank(
    out: torch.Tensor,
    p: torch.Tensor,
    q: torch.Tensor,
    alpha: float,
    keep_mask: torch.Tensor | None = None,
    keep_scale: float = 1.0,
) -> None:
    """out += alpha * (p @ q) [* keep_mask * keep_scale], in place; out [M, N], p [M, R], q [R, N]
    (any strides: q is usually a transposed view of a LoRA weight)."""
    n_rows, n_cols = out.shape
    rank = p.shape[1]
    if n_rows == 0 or n_cols == 0:
        return
    block_r = max(_MIN_BLOCK_R, min(_MAX_BLOCK_R, triton.next_power_of_2(rank)))
    keep = keep_mask if keep_mask is not None else out  # never read when HAS_KEEP_MASK is False
    grid = (triton.cdiv(n_rows, _BLOCK_M), triton.cdiv(n_cols, _BLOCK_N))
    _low_rank_accumulate_kernel[grid](
        out,
        p,
        q,
        keep,
        n_rows,
        n_cols,
        rank,
        out.stride(0),
        out.stride(1),
        p.stride(0),
        p.stride(1),
        q.stride(0),
        q.stride(1),
        keep.stride(0),
        keep.stride(1),
        alpha,
        keep_scale,
        HAS_KEEP_MASK=keep_mask is not None,
        # The kernel upcasts its operands to fp32 before tl.dot (Triton's interpreter multiplies
        # bf16 bit patterns as integers otherwise). bf16/fp16 values are exact in TF32, so TF32
        # tensor cores multiply them exactly; fp32 inputs need "ieee" to stay exact fp32. The dot
        # is rank-deep (K = r), so its cost hides behind the tile's memory traffic either way.
        INPUT_PRECISION="ieee" if p.dtype == torch.float32 else "tf32",
        BLOCK_M=_BLOCK_M,
        BLOCK_N=_BLOCK_N,
        BLOCK_R=block_r,
    )


def _forward(
    x2d: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    lora_a: torch.Tensor,
    lora_b: torch.Tensor,
    scaling: float,
    dropped_x2d: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(y [N, out], xa [N, r]): cuBLAS writes the base projection (+ bias) into y, then the
    low-rank term is added to y in place."""
    y = torch.mm(x2d, weight.t()) if bias is None else torch.addmm(bias, x2d, weight.t())
    xa = torch.mm(dropped_x2d, lora_a.t())
    _accumulate_low_rank(y, xa, lora_b.t(), scaling)
    return y, xa


def _backward_input(
    grad_y: torch.Tensor,
    grad_y_b: torch.Tensor,
    weight: torch.Tensor,
    lora_a: torch.Tensor,
    scaling: float,
    keep_mask: torch.Tensor | None,
    keep_scale: float,
) -> torch.Tensor:
    """dX = dY @ W + scaling * mask * ((dY @ B) @ A): cuBLAS for the frozen part, the low-rank
    part (through the dropout mask, if any) added in place."""
    grad_x = torch.mm(grad_y, weight)
    _accumulate_low_rank(grad_x, grad_y_b, lora_a, scaling, keep_mask, keep_scale)
    return grad_x


def _dropout_keep_mask(x: torch.Tensor, dropout: float) -> torch.Tensor:
    """Which elements of x dropout keeps (bool, x's shape). Shared by the op and its reference so
    that the same seed drops the same elements in both."""
    return torch.empty(x.shape, dtype=torch.bool, device=x.device).bernoulli_(1.0 - dropout)


class _LoraLinearFunction(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any,
        x: torch.Tensor,
        weight: torch.Tensor,
        bias: torch.Tensor | None,
        lora_a: torch.Tensor,
        lora_b: torch.Tensor,
        scaling: float,
        keep_mask: torch.Tensor | None,
        keep_scale: float,
    ) -> torch.Tensor:
        dtype = compute_dtype(x)
        in_features = weight.shape[1]
        x2d = x.reshape(-1, in_features).to(dtype)
        weight_c = weight.to(dtype)
        bias_c = bias.to(dtype) if bias is not None else None
        lora_a_c = lora_a.to(dtype)
        lora_b_c = lora_b.to(dtype)
        keep2d = keep_mask.reshape(-1, in_features) if keep_mask is not None else None
        # The fast path (no dropout, no bias) is a plain mm plus the in-place low-rank add. The
        # fallback adds the bias inside the base GEMM (addmm) and, for dropout, a masked copy of
        # x; backward rebuilds that copy from the bool mask (1 byte/element) instead of saving it.
        dropped = x2d if keep2d is None else x2d * keep2d * keep_scale
        with torch.autocast(x.device.type, enabled=False):
            y, xa = _forward(x2d, weight_c, bias_c, lora_a_c, lora_b_c, scaling, dropped)
        ctx.save_for_backward(x2d, xa, weight_c, lora_a_c, lora_b_c, keep2d)
        ctx.scaling = scaling
        ctx.keep_scale = keep_scale
        ctx.x_shape = x.shape
        ctx.x_dtype = x.dtype
        ctx.has_bias = bias is not None
        ctx.bias_dtype = bias.dtype if bias is not None else None
        ctx.lora_dtypes = (lora_a.dtype, lora_b.dtype)
        return y.view(*x.shape[:-1], weight.shape[0])

    @staticmethod
    def backward(ctx: Any, grad_output: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        x2d, xa, weight, lora_a, lora_b, keep2d = ctx.saved_tensors
        need_x, _, need_bias, need_a, need_b = ctx.needs_input_grad[:5]
        scaling: float = ctx.scaling
        # The grad of `.sum()` is an expanded, zero-stride tensor: materialise its rows once here
        # rather than letting each of the three GEMMs below copy it on its own.
        grad_y = grad_output.reshape(-1, weight.shape[0]).to(weight.dtype).contiguous()
        grad_x = grad_a = grad_b = grad_bias = None
        with torch.autocast(grad_y.device.type, enabled=False):
            if need_x or need_a:
                grad_y_b = torch.mm(grad_y, lora_b)  # [N, r]: the rank-r product first
                if need_x:
                    grad_x = _backward_input(
                        grad_y, grad_y_b, weight, lora_a, scaling, keep2d, ctx.keep_scale
                    )
                    grad_x = grad_x.view(ctx.x_shape).to(ctx.x_dtype)
                if need_a:
                    dropped = x2d if keep2d is None else x2d * keep2d * ctx.keep_scale
                    grad_a = torch.mm(grad_y_b.t(), dropped).mul_(scaling).to(ctx.lora_dtypes[0])
            if need_b:
                grad_b = torch.mm(grad_y.t(), xa).mul_(scaling).to(ctx.lora_dtypes[1])
            if need_bias and ctx.has_bias:
                grad_bias = grad_y.sum(0, dtype=torch.float32).to(ctx.bias_dtype)
        return grad_x, None, grad_bias, grad_a, grad_b, None, None, None


def _validate(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    lora_a: torch.Tensor,
    lora_b: torch.Tensor,
    dropout: float,
) -> None:
    out_features, in_features = weight.shape
    rank = lora_a.shape[0]
    if x.shape[-1] != in_features:
        raise ValueError(
            f"lora_linear: x's last dimension is {x.shape[-1]}, weight's in is {in_features}"
        )
    if lora_a.shape != (rank, in_features):
        raise ValueError(
            f"lora_linear: lora_a is {tuple(lora_a.shape)}, expected [r, {in_features}]"
        )
    if lora_b.shape != (out_features, rank):
        raise ValueError(
            f"lora_linear: lora_b is {tuple(lora_b.shape)}, expected [{out_features}, {rank}]"
        )
    if bias is not None and bias.shape != (out_features,):
        raise ValueError(f"lora_linear: bias is {tuple(bias.shape)}, expected [{out_features}]")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"lora_linear: dropout must be in [0, 1), got {dropout}")
    if weight.requires_grad and torch.is_grad_enabled():
        raise ValueError(
            "lora_linear: weight (the frozen base weight) requires grad; this op never computes "
            "its gradient, so freeze it (requires_grad_(False)) or do not use the op"
        )


def lora_linear(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    lora_a: torch.Tensor,
    lora_b: torch.Tensor,
    scaling: float,
    *,
    dropout: float = 0.0,
    training: bool = False,
) -> torch.Tensor:
    """x [..., in] -> [..., out] = x @ W^T + b + scaling * (dropout(x) @ A^T) @ B^T.

    Gradients: x, lora_a, lora_b, and bias when it requires grad; never the frozen weight's."""
    _validate(x, weight, bias, lora_a, lora_b, dropout)
    if not use_triton(x):
        return lora_linear_reference(
            x, weight, bias, lora_a, lora_b, scaling, dropout=dropout, training=training
        )
    keep_mask = None
    keep_scale = 1.0
    if training and dropout > 0.0:
        keep_mask = _dropout_keep_mask(x, dropout)
        keep_scale = 1.0 / (1.0 - dropout)
    result: torch.Tensor = _LoraLinearFunction.apply(
        x, weight, bias, lora_a, lora_b, scaling, keep_mask, keep_scale
    )
    return result


def lora_linear_reference(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    lora_a: torch.Tensor,
    lora_b: torch.Tensor,
    scaling: float,
    *,
    dropout: float = 0.0,
    training: bool = False,
) -> torch.Tensor:
    """PEFT's LoRA Linear forward, in PyTorch (autograd does the backward): the low-rank branch in
    the adapter's dtype, the sum cast back to the base result's dtype."""
    base = linear(x, weight, bias)
    dropped = x
    if training and dropout > 0.0:
        dropped = x * _dropout_keep_mask(x, dropout) / (1.0 - dropout)
    low_rank = linear(linear(dropped.to(lora_a.dtype), lora_a), lora_b) * scaling
    return (base + low_rank).to(base.dtype)
