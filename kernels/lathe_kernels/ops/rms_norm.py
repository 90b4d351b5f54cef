"""RMSNorm: y = x / rms(x) * (offset + weight), in fp32, cast back to x's dtype.

Llama-family models use offset 0 (Gemma-style norms use 1). The forward keeps one fp32
reciprocal rms per row for the backward, which recomputes the normalised row from x instead of
saving it. dX is always computed; dW only when the weight requires grad (frozen under LoRA),
as per-program fp32 partial sums reduced on the host."""

from __future__ import annotations

from typing import Any

import torch
import triton
import triton.language as tl

from lathe_kernels.runtime import use_triton

__all__ = ["rms_norm", "rms_norm_reference"]

# A program works on a [rows, columns] block of about this many elements: one long row, or
# several short ones (small hidden sizes would leave most lanes idle otherwise, and the Triton
# interpreter pays per program, not per element).
_BLOCK_ELEMENTS = 4096
# Backward programs on the CPU (interpreter); on a GPU, two per SM. Each loops over its share of
# the row blocks and sums its own part of dW.
_CPU_BACKWARD_PROGRAMS = 2


@triton.jit
def _rms_norm_forward_kernel(
    x_ptr,
    x_row_stride,
    w_ptr,
    y_ptr,
    y_row_stride,
    rstd_ptr,
    n_rows,
    n_cols,
    eps,
    offset,
    BLOCK_ROWS: tl.constexpr,
    BLOCK_COLS: tl.constexpr,
):
    rows = tl.program_id(0) * BLOCK_ROWS + tl.arange(0, BLOCK_ROWS)
    cols = tl.arange(0, BLOCK_COLS)
    row_ok = rows < n_rows
    col_ok = cols < n_cols
    mask = row_ok[:, None] & col_ok[None, :]
    rows64 = rows.to(tl.int64)[:, None]
    x = tl.load(x_ptr + rows64 * x_row_stride + cols[None, :], mask=mask, other=0.0)
    x = x.to(tl.float32)
    w = tl.load(w_ptr + cols, mask=col_ok, other=0.0).to(tl.float32)
    rstd = 1.0 / tl.sqrt(tl.sum(x * x, axis=1) / n_cols + eps)
    y = x * rstd[:, None] * (offset + w)[None, :]
    tl.store(y_ptr + rows64 * y_row_stride + cols[None, :], y.to(y_ptr.dtype.element_ty), mask=mask)
    tl.store(rstd_ptr + rows, rstd, mask=row_ok)


@triton.jit
def _rms_norm_backward_kernel(
    dy_ptr,
    dy_row_stride,
    x_ptr,
    x_row_stride,
    w_ptr,
    rstd_ptr,
    dx_ptr,
    dx_row_stride,
    dw_partial_ptr,
    n_rows,
    n_cols,
    offset,
    blocks_per_program,
    COMPUTE_DW: tl.constexpr,
    BLOCK_ROWS: tl.constexpr,
    BLOCK_COLS: tl.constexpr,
):
    program = tl.program_id(0)
    cols = tl.arange(0, BLOCK_COLS)
    col_ok = cols < n_cols
    w = tl.load(w_ptr + cols, mask=col_ok, other=0.0).to(tl.float32)[None, :] + offset
    dw = tl.zeros((BLOCK_ROWS, BLOCK_COLS), dtype=tl.float32)
    for i in range(0, blocks_per_program):
        rows = (program * blocks_per_program + i) * BLOCK_ROWS + tl.arange(0, BLOCK_ROWS)
        row_ok = rows < n_rows
        mask = row_ok[:, None] & col_ok[None, :]
        rows64 = rows.to(tl.int64)[:, None]
        x = tl.load(x_ptr + rows64 * x_row_stride + cols[None, :], mask=mask, other=0.0)
        dy = tl.load(dy_ptr + rows64 * dy_row_stride + cols[None, :], mask=mask, other=0.0)
        rstd = tl.load(rstd_ptr + rows, mask=row_ok, other=0.0)[:, None]
        x_hat = x.to(tl.float32) * rstd
        dy = dy.to(tl.float32)
        w_dy = dy * w
        # d/dx of x * rstd(x): rstd * (g - x_hat * mean(g * x_hat)) with g = dy * w.
        dx = rstd * (w_dy - x_hat * (tl.sum(w_dy * x_hat, axis=1) / n_cols)[:, None])
        tl.store(
            dx_ptr + rows64 * dx_row_stride + cols[None, :],
            dx.to(dx_ptr.dtype.element_ty),
            mask=mask,
        )
        if COMPUTE_DW:
            dw += dy * x_hat  # rows past the end load as zeros and add nothing
    if COMPUTE_DW:
        partial = tl.sum(dw, axis=0)
        tl.store(dw_partial_ptr + program.to(tl.int64) * n_cols + cols, partial, mask=col_ok)


def _rows(x: torch.Tensor) -> torch.Tensor:
    """x as [rows, cols] with unit column stride (a copy only when that needs one)."""
    flat = x.reshape(-1, x.shape[-1])
    return flat if flat.stride(-1) == 1 else flat.contiguous()


def _blocks(n_rows: int, n_cols: int) -> tuple[int, int, int]:
    """(rows per block, columns per block, warps): a whole row per block, several if short."""
    block_cols = int(triton.next_power_of_2(n_cols))
    block_rows = max(1, min(int(triton.next_power_of_2(n_rows)), _BLOCK_ELEMENTS // block_cols))
    warps = max(4, min(16, block_rows * block_cols // 512))
    return block_rows, block_cols, warps


def _forward(
    x: torch.Tensor, weight: torch.Tensor, eps: float, offset: float
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Launch the forward: (y with x's shape, the 2-D view of x it read, fp32 rstd per row)."""
    rows = _rows(x)
    n_rows, n_cols = rows.shape
    y = torch.empty((n_rows, n_cols), dtype=x.dtype, device=x.device)
    rstd = torch.empty(n_rows, dtype=torch.float32, device=x.device)
    block_rows, block_cols, warps = _blocks(n_rows, n_cols)
    if n_rows:
        _rms_norm_forward_kernel[(triton.cdiv(n_rows, block_rows),)](
            rows,
            rows.stride(0),
            weight.contiguous(),
            y,
            y.stride(0),
            rstd,
            n_rows,
            n_cols,
            eps,
            offset,
            BLOCK_ROWS=block_rows,
            BLOCK_COLS=block_cols,
            num_warps=warps,
        )
    return y.view(x.shape), rows, rstd


def _backward_programs(rows: torch.Tensor) -> int:
    if rows.is_cuda:
        return int(torch.cuda.get_device_properties(rows.device).multi_processor_count) * 2
    return _CPU_BACKWARD_PROGRAMS


def _backward(
    dy: torch.Tensor,
    rows: torch.Tensor,
    weight: torch.Tensor,
    rstd: torch.Tensor,
    offset: float,
    compute_dw: bool,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Launch the backward: (dX as [rows, cols], dW in the weight's dtype or None)."""
    n_rows, n_cols = rows.shape
    # A zero-stride gradient (from .sum() or .expand) has no row to step through: copy it.
    dy_rows = dy.reshape(-1, n_cols)
    if dy_rows.stride(-1) != 1 or (n_rows > 1 and dy_rows.stride(0) == 0):
        dy_rows = dy_rows.contiguous()
    dx = torch.empty((n_rows, n_cols), dtype=rows.dtype, device=rows.device)
    block_rows, block_cols, warps = _blocks(n_rows, n_cols)
    n_blocks = triton.cdiv(n_rows, block_rows)
    programs = max(1, min(n_blocks, _backward_programs(rows)))
    dw_partial = torch.zeros(
        (programs if compute_dw else 1, n_cols), dtype=torch.float32, device=rows.device
    )
    if n_rows:
        _rms_norm_backward_kernel[(programs,)](
            dy_rows,
            dy_rows.stride(0),
            rows,
            rows.stride(0),
            weight.contiguous(),
            rstd,
            dx,
            dx.stride(0),
            dw_partial,
            n_rows,
            n_cols,
            offset,
            triton.cdiv(n_blocks, programs),
            COMPUTE_DW=compute_dw,
            BLOCK_ROWS=block_rows,
            BLOCK_COLS=block_cols,
            num_warps=warps,
        )
    if not compute_dw:
        return dx, None
    return dx, dw_partial.sum(0).to(weight.dtype)


class _RMSNormFunction(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any, x: torch.Tensor, weight: torch.Tensor, eps: float, offset: float
    ) -> torch.Tensor:
        y, rows, rstd = _forward(x, weight, eps, offset)
        ctx.save_for_backward(rows, weight, rstd)
        ctx.offset = offset
        ctx.x_shape = x.shape
        return y

    @staticmethod
    def backward(ctx: Any, dy: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        rows, weight, rstd = ctx.saved_tensors
        dx, dw = _backward(dy, rows, weight, rstd, ctx.offset, ctx.needs_input_grad[1])
        return dx.view(ctx.x_shape), dw, None, None


def rms_norm(
    x: torch.Tensor, weight: torch.Tensor, eps: float, *, offset: float = 0.0
) -> torch.Tensor:
    """RMS-normalise the last dimension of x and scale by (offset + weight)."""
    if weight.shape != (x.shape[-1],):
        raise ValueError(
            f"rms_norm: weight shape {tuple(weight.shape)} does not match the last dimension "
            f"of x {tuple(x.shape)}"
        )
    if not use_triton(x):
        return rms_norm_reference(x, weight, eps, offset=offset)
    result: torch.Tensor = _RMSNormFunction.apply(x, weight, float(eps), float(offset))
    return result


def rms_norm_reference(
    x: torch.Tensor, weight: torch.Tensor, eps: float, *, offset: float = 0.0
) -> torch.Tensor:
    """The same computation in PyTorch (autograd gives dX, and dW when weight requires grad)."""
    x32 = x.float()
    normed = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + eps)
    return (normed * (offset + weight.float())).to(x.dtype)
