"""Rotary position embedding in transformers' rotate_half convention:
q' = q * cos + rotate_half(q) * sin, and the same for k, with rotate_half(x) = cat(-x2, x1).

One launch rotates Q and K together (the grid's second axis picks which); a program rotates a
block of (batch, token, head) rows, whatever the head counts (GQA: Hq != Hkv). Inputs are read
through their strides (transformers hands over transposed views), and the results go to new
buffers in transformers' own [B, T, H, D] memory order, returned as [B, H, T, D] views, so
nothing the caller holds is overwritten. The backward is the transposed rotation (the same
rotation with -sin when cos and sin repeat across the two halves, as transformers builds them)
and reads the incoming gradients through their strides too, zero strides included.

cos and sin are constants here (transformers computes them under no_grad): when either requires
grad the PyTorch reference runs instead, so its gradient is still right."""

from __future__ import annotations

from typing import Any

import torch
import triton
import triton.language as tl

from lathe_kernels.runtime import use_triton

__all__ = ["apply_rope", "apply_rope_reference"]


# A program rotates a block of (token, head) rows of about this many elements per half.
_BLOCK_ELEMENTS = 4096


@triton.jit
def _rotate_rows(
    src_ptr,
    src_stride_b,
    src_stride_h,
    src_stride_t,
    src_stride_d,
    dst_ptr,
    dst_stride_b,
    dst_stride_h,
    dst_stride_t,
    cos_ptr,
    sin_ptr,
    cos_stride_b,
    cos_stride_t,
    pos_ptr,
    pos_stride_b,
    pos_stride_t,
    block,
    seq_len,
    n_heads,
    n_rows,
    half,
    HAS_POSITIONS: tl.constexpr,
    TRANSPOSE: tl.constexpr,
    BLOCK_ROWS: tl.constexpr,
    BLOCK_D: tl.constexpr,
):
    """Rotate rows block*BLOCK_ROWS.. of one tensor; row r is (batch, token, head) in that order,
    the order of transformers' [B, T, H, D] projections."""
    rows = block.to(tl.int64) * BLOCK_ROWS + tl.arange(0, BLOCK_ROWS)
    row_ok = rows < n_rows
    head = rows % n_heads
    token = rows // n_heads
    t = token % seq_len
    b = token // seq_len
    if HAS_POSITIONS:
        position = tl.load(pos_ptr + b * pos_stride_b + t * pos_stride_t, mask=row_ok, other=0)
        table = position.to(tl.int64) * cos_stride_t
    else:
        table = b * cos_stride_b + t * cos_stride_t
    dims = tl.arange(0, BLOCK_D)[None, :]
    mask = row_ok[:, None] & (dims < half)
    table = table[:, None]
    c1 = tl.load(cos_ptr + table + dims, mask=mask, other=0.0).to(tl.float32)
    c2 = tl.load(cos_ptr + table + half + dims, mask=mask, other=0.0).to(tl.float32)
    s1 = tl.load(sin_ptr + table + dims, mask=mask, other=0.0).to(tl.float32)
    s2 = tl.load(sin_ptr + table + half + dims, mask=mask, other=0.0).to(tl.float32)
    src = (src_ptr + b * src_stride_b + t * src_stride_t + head * src_stride_h)[:, None]
    x1 = tl.load(src + dims * src_stride_d, mask=mask, other=0.0).to(tl.float32)
    x2 = tl.load(src + (dims + half) * src_stride_d, mask=mask, other=0.0).to(tl.float32)
    if TRANSPOSE:
        # The adjoint of x -> x * cos + rotate_half(x) * sin.
        y1 = x1 * c1 + x2 * s2
        y2 = x2 * c2 - x1 * s1
    else:
        y1 = x1 * c1 - x2 * s1
        y2 = x2 * c2 + x1 * s2
    dst = (dst_ptr + b * dst_stride_b + t * dst_stride_t + head * dst_stride_h)[:, None]
    tl.store(dst + dims, y1.to(dst_ptr.dtype.element_ty), mask=mask)
    tl.store(dst + half + dims, y2.to(dst_ptr.dtype.element_ty), mask=mask)


@triton.jit
def _rope_kernel(
    q_ptr,
    q_stride_b,
    q_stride_h,
    q_stride_t,
    q_stride_d,
    k_ptr,
    k_stride_b,
    k_stride_h,
    k_stride_t,
    k_stride_d,
    q_out_ptr,
    q_out_stride_b,
    q_out_stride_h,
    q_out_stride_t,
    k_out_ptr,
    k_out_stride_b,
    k_out_stride_h,
    k_out_stride_t,
    cos_ptr,
    sin_ptr,
    cos_stride_b,
    cos_stride_t,
    pos_ptr,
    pos_stride_b,
    pos_stride_t,
    seq_len,
    n_q_heads,
    n_kv_heads,
    n_q_rows,
    n_kv_rows,
    half,
    HAS_POSITIONS: tl.constexpr,
    TRANSPOSE: tl.constexpr,
    BLOCK_ROWS: tl.constexpr,
    BLOCK_D: tl.constexpr,
):
    """Grid (row blocks, 2): the second axis picks q (0) or k (1), so one launch does both."""
    block = tl.program_id(0)
    if tl.program_id(1) == 0:
        _rotate_rows(
            q_ptr,
            q_stride_b,
            q_stride_h,
            q_stride_t,
            q_stride_d,
            q_out_ptr,
            q_out_stride_b,
            q_out_stride_h,
            q_out_stride_t,
            cos_ptr,
            sin_ptr,
            cos_stride_b,
            cos_stride_t,
            pos_ptr,
            pos_stride_b,
            pos_stride_t,
            block,
            seq_len,
            n_q_heads,
            n_q_rows,
            half,
            HAS_POSITIONS,
            TRANSPOSE,
            BLOCK_ROWS,
            BLOCK_D,
        )
    elif block * BLOCK_ROWS < n_kv_rows:
        _rotate_rows(
            k_ptr,
            k_stride_b,
            k_stride_h,
            k_stride_t,
            k_stride_d,
            k_out_ptr,
            k_out_stride_b,
            k_out_stride_h,
            k_out_stride_t,
            cos_ptr,
            sin_ptr,
            cos_stride_b,
            cos_stride_t,
            pos_ptr,
            pos_stride_b,
            pos_stride_t,
            block,
            seq_len,
            n_kv_heads,
            n_kv_rows,
            half,
            HAS_POSITIONS,
            TRANSPOSE,
            BLOCK_ROWS,
            BLOCK_D,
        )


def _table_strides(
    table: torch.Tensor, batch: int, seq_len: int, position_ids: torch.Tensor | None
) -> tuple[int, int]:
    """(batch stride, token stride) of a cos/sin tensor with unit last stride; a batch of one
    is broadcast with stride 0. With position ids the rows are positions, not tokens."""
    if position_ids is not None:
        return 0, table.stride(-2)
    rows = table.shape[0] if table.dim() == 3 else 1
    if rows not in (1, batch) or table.shape[-2] != seq_len:
        raise ValueError(
            f"apply_rope: cos/sin shape {tuple(table.shape)} does not fit batch {batch} and "
            f"{seq_len} tokens"
        )
    return (table.stride(0) if rows > 1 else 0), table.stride(-2)


def _rotate(
    q: torch.Tensor,
    k: torch.Tensor,
    cos: torch.Tensor,
    sin: torch.Tensor,
    position_ids: torch.Tensor | None,
    transpose: bool,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One launch: rotate q and k (transpose=True: the adjoint rotation, for gradients)."""
    batch, n_q_heads, seq_len, head_dim = q.shape
    n_kv_heads = k.shape[1]
    half = head_dim // 2
    # [B, T, H, D] buffers, as transformers lays out projected heads, seen as [B, H, T, D].
    q_out = torch.empty((batch, seq_len, n_q_heads, head_dim), dtype=q.dtype, device=q.device)
    k_out = torch.empty((batch, seq_len, n_kv_heads, head_dim), dtype=k.dtype, device=k.device)
    q_out, k_out = q_out.transpose(1, 2), k_out.transpose(1, 2)
    n_q_rows, n_kv_rows = batch * seq_len * n_q_heads, batch * seq_len * n_kv_heads
    if n_q_rows == 0:
        return q_out, k_out
    cos_stride_b, cos_stride_t = _table_strides(cos, batch, seq_len, position_ids)
    positions = position_ids if position_ids is not None else cos  # unread without positions
    pos_strides = (
        (position_ids.stride(0) if position_ids.shape[0] > 1 else 0, position_ids.stride(1))
        if position_ids is not None
        else (0, 0)
    )
    block_d = int(triton.next_power_of_2(half))
    block_rows = max(1, min(int(triton.next_power_of_2(n_q_rows)), _BLOCK_ELEMENTS // block_d))
    _rope_kernel[(triton.cdiv(n_q_rows, block_rows), 2)](
        q,
        *q.stride(),
        k,
        *k.stride(),
        q_out,
        *q_out.stride()[:3],
        k_out,
        *k_out.stride()[:3],
        cos,
        sin,
        cos_stride_b,
        cos_stride_t,
        positions,
        *pos_strides,
        seq_len,
        n_q_heads,
        n_kv_heads,
        n_q_rows,
        n_kv_rows,
        half,
        HAS_POSITIONS=position_ids is not None,
        TRANSPOSE=transpose,
        BLOCK_ROWS=block_rows,
        BLOCK_D=block_d,
        num_warps=max(4, min(16, block_rows * block_d // 512)),
    )
    return q_out, k_out


class _RoPEFunction(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any,
        q: torch.Tensor,
        k: torch.Tensor,
        cos: torch.Tensor,
        sin: torch.Tensor,
        position_ids: torch.Tensor | None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        ctx.save_for_backward(cos, sin, position_ids)
        return _rotate(q, k, cos, sin, position_ids, transpose=False)

    @staticmethod
    def backward(ctx: Any, dq: torch.Tensor, dk: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        cos, sin, position_ids = ctx.saved_tensors
        dq_in, dk_in = _rotate(dq, dk, cos, sin, position_ids, transpose=True)
        return dq_in, dk_in, None, None, None


def _check_shapes(
    q: torch.Tensor,
    k: torch.Tensor,
    cos: torch.Tensor,
    sin: torch.Tensor,
    position_ids: torch.Tensor | None,
) -> None:
    if q.dim() != 4 or k.dim() != 4:
        raise ValueError(
            f"apply_rope: q and k must be [batch, heads, tokens, head_dim]; got "
            f"{tuple(q.shape)} and {tuple(k.shape)}"
        )
    if q.shape[0] != k.shape[0] or q.shape[2:] != k.shape[2:] or q.shape[-1] % 2:
        raise ValueError(
            f"apply_rope: q {tuple(q.shape)} and k {tuple(k.shape)} need the same batch, tokens "
            "and an even head_dim"
        )
    if cos.shape != sin.shape or cos.shape[-1] != q.shape[-1] or cos.dim() not in (2, 3):
        raise ValueError(
            f"apply_rope: cos {tuple(cos.shape)} and sin {tuple(sin.shape)} must both be "
            f"[batch or 1, tokens, {q.shape[-1]}] (or a [positions, {q.shape[-1]}] table with "
            "position_ids)"
        )
    if position_ids is not None and (
        position_ids.dim() != 2
        or position_ids.shape[1] != q.shape[2]
        or position_ids.shape[0] not in (1, q.shape[0])
        or (cos.dim() == 3 and cos.shape[0] != 1)
    ):
        raise ValueError(
            f"apply_rope: position_ids {tuple(position_ids.shape)} must be [batch or 1, "
            f"{q.shape[2]}] and index a [positions, head_dim] cos/sin table"
        )


def apply_rope(
    q: torch.Tensor,
    k: torch.Tensor,
    cos: torch.Tensor,
    sin: torch.Tensor,
    *,
    position_ids: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Rotate q [B, Hq, T, D] and k [B, Hkv, T, D] by cos/sin [B or 1, T, D] (as transformers'
    rotary embedding returns them). With position_ids [B or 1, T], cos/sin are a table
    [positions, D] (or [1, positions, D]) and token t of row b uses row position_ids[b, t]."""
    _check_shapes(q, k, cos, sin, position_ids)
    if not use_triton(q) or cos.requires_grad or sin.requires_grad:
        return apply_rope_reference(q, k, cos, sin, position_ids=position_ids)
    cos, sin = cos.contiguous(), sin.contiguous()
    q_out, k_out = _RoPEFunction.apply(q, k, cos, sin, position_ids)
    return q_out, k_out


def _rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def apply_rope_reference(
    q: torch.Tensor,
    k: torch.Tensor,
    cos: torch.Tensor,
    sin: torch.Tensor,
    *,
    position_ids: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The same rotation in PyTorch, computed in fp32 and cast back to q's and k's dtypes."""
    _check_shapes(q, k, cos, sin, position_ids)
    if position_ids is not None:
        table_cos, table_sin = cos.reshape(-1, cos.shape[-1]), sin.reshape(-1, sin.shape[-1])
        cos, sin = table_cos[position_ids], table_sin[position_ids]
    cos32, sin32 = cos.float().unsqueeze(1), sin.float().unsqueeze(1)
    q32, k32 = q.float(), k.float()
    q_out = q32 * cos32 + _rotate_half(q32) * sin32
    k_out = k32 * cos32 + _rotate_half(k32) * sin32
    return q_out.to(q.dtype), k_out.to(k.dtype)
