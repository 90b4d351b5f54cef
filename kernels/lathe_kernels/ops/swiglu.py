"""SwiGLU: silu(gate) * up, the activation of Llama-family MLPs, in fp32, cast to gate's dtype.

Rows are read through their row strides (gate and up may be column slices of one fused gate-up
projection) with unit column stride. The backward saves only gate and up and recomputes the
sigmoid; the gradients go to new buffers, never over the saved inputs, which the caller may
still hold."""

from __future__ import annotations

from typing import Any

import torch
import triton
import triton.language as tl

from lathe_kernels.runtime import use_triton

__all__ = ["swiglu", "swiglu_reference"]

# A program works on a [rows, columns] block of about this many elements (several rows when
# they are short: the Triton interpreter pays per program, a GPU wants full blocks).
_BLOCK_ELEMENTS = 4096
_MAX_BLOCK_COLS = 1024


@triton.jit
def _swiglu_forward_kernel(
    gate_ptr,
    gate_row_stride,
    up_ptr,
    up_row_stride,
    out_ptr,
    n_rows,
    n_cols,
    BLOCK_ROWS: tl.constexpr,
    BLOCK_COLS: tl.constexpr,
):
    rows = (tl.program_id(0) * BLOCK_ROWS + tl.arange(0, BLOCK_ROWS)).to(tl.int64)[:, None]
    cols = (tl.program_id(1) * BLOCK_COLS + tl.arange(0, BLOCK_COLS))[None, :]
    mask = (rows < n_rows) & (cols < n_cols)
    gate = tl.load(gate_ptr + rows * gate_row_stride + cols, mask=mask, other=0.0).to(tl.float32)
    up = tl.load(up_ptr + rows * up_row_stride + cols, mask=mask, other=0.0).to(tl.float32)
    out = gate * tl.sigmoid(gate) * up
    tl.store(out_ptr + rows * n_cols + cols, out.to(out_ptr.dtype.element_ty), mask=mask)


@triton.jit
def _swiglu_backward_kernel(
    dout_ptr,
    dout_row_stride,
    dout_col_stride,
    gate_ptr,
    gate_row_stride,
    up_ptr,
    up_row_stride,
    dgate_ptr,
    dup_ptr,
    n_rows,
    n_cols,
    BLOCK_ROWS: tl.constexpr,
    BLOCK_COLS: tl.constexpr,
):
    rows = (tl.program_id(0) * BLOCK_ROWS + tl.arange(0, BLOCK_ROWS)).to(tl.int64)[:, None]
    cols = (tl.program_id(1) * BLOCK_COLS + tl.arange(0, BLOCK_COLS))[None, :]
    mask = (rows < n_rows) & (cols < n_cols)
    dout = tl.load(
        dout_ptr + rows * dout_row_stride + cols * dout_col_stride, mask=mask, other=0.0
    ).to(tl.float32)
    gate = tl.load(gate_ptr + rows * gate_row_stride + cols, mask=mask, other=0.0).to(tl.float32)
    up = tl.load(up_ptr + rows * up_row_stride + cols, mask=mask, other=0.0).to(tl.float32)
    sig = tl.sigmoid(gate)
    silu = gate * sig
    # silu'(g) = sig(g) * (1 + g * (1 - sig(g)))
    dgate = dout * up * sig * (1.0 + gate * (1.0 - sig))
    dup = dout * silu
    tl.store(dgate_ptr + rows * n_cols + cols, dgate.to(dgate_ptr.dtype.element_ty), mask=mask)
    tl.store(dup_ptr + rows * n_cols + cols, dup.to(dup_ptr.dtype.element_ty), mask=mask)


def _rows(x: torch.Tensor) -> torch.Tensor:
    """x as [rows, cols] with unit column stride (a copy only when that needs one)."""
    flat = x.reshape(-1, x.shape[-1]) if x.dim() else x.reshape(1, 1)
    return flat if flat.stride(-1) == 1 else flat.contiguous()


def _launch(n_rows: int, n_cols: int) -> tuple[tuple[int, int], dict[str, int]]:
    """(grid, block sizes and warps) for a [rows, cols] elementwise pass."""
    block_cols = min(int(triton.next_power_of_2(n_cols)), _MAX_BLOCK_COLS)
    block_rows = max(1, min(int(triton.next_power_of_2(n_rows)), _BLOCK_ELEMENTS // block_cols))
    grid = (triton.cdiv(n_rows, block_rows), triton.cdiv(n_cols, block_cols))
    warps = max(4, min(16, block_rows * block_cols // 512))
    return grid, {"BLOCK_ROWS": block_rows, "BLOCK_COLS": block_cols, "num_warps": warps}


def _forward(
    gate: torch.Tensor, up: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Launch the forward: (out [rows, cols], and the 2-D views of gate and up it read)."""
    gate_rows, up_rows = _rows(gate), _rows(up)
    n_rows, n_cols = gate_rows.shape
    out = torch.empty((n_rows, n_cols), dtype=gate.dtype, device=gate.device)
    if out.numel():
        grid, blocks = _launch(n_rows, n_cols)
        _swiglu_forward_kernel[grid](
            gate_rows,
            gate_rows.stride(0),
            up_rows,
            up_rows.stride(0),
            out,
            n_rows,
            n_cols,
            **blocks,
        )
    return out, gate_rows, up_rows


def _backward(
    dout: torch.Tensor, gate_rows: torch.Tensor, up_rows: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Launch the backward: (dgate, dup) as [rows, cols]; dout may have any strides, zero too."""
    n_rows, n_cols = gate_rows.shape
    dout_rows = dout.reshape(n_rows, n_cols)
    dgate = torch.empty((n_rows, n_cols), dtype=gate_rows.dtype, device=gate_rows.device)
    dup = torch.empty((n_rows, n_cols), dtype=up_rows.dtype, device=up_rows.device)
    if dgate.numel():
        grid, blocks = _launch(n_rows, n_cols)
        _swiglu_backward_kernel[grid](
            dout_rows,
            dout_rows.stride(0),
            dout_rows.stride(1),
            gate_rows,
            gate_rows.stride(0),
            up_rows,
            up_rows.stride(0),
            dgate,
            dup,
            n_rows,
            n_cols,
            **blocks,
        )
    return dgate, dup


class _SwiGLUFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, gate: torch.Tensor, up: torch.Tensor) -> torch.Tensor:
        out, gate_rows, up_rows = _forward(gate, up)
        ctx.save_for_backward(gate_rows, up_rows)
        ctx.shape = gate.shape
        return out.view(gate.shape)

    @staticmethod
    def backward(ctx: Any, dout: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        gate_rows, up_rows = ctx.saved_tensors
        dgate, dup = _backward(dout, gate_rows, up_rows)
        return dgate.view(ctx.shape), dup.view(ctx.shape)


def swiglu(gate: torch.Tensor, up: torch.Tensor) -> torch.Tensor:
    """silu(gate) * up, elementwise; gate and up have the same shape."""
    if gate.shape != up.shape:
        raise ValueError(
            f"swiglu: gate {tuple(gate.shape)} and up {tuple(up.shape)} must have the same shape"
        )
    if not use_triton(gate):
        return swiglu_reference(gate, up)
    result: torch.Tensor = _SwiGLUFunction.apply(gate, up)
    return result


def swiglu_reference(gate: torch.Tensor, up: torch.Tensor) -> torch.Tensor:
    """The same computation in PyTorch (fp32, cast back to gate's dtype)."""
    return (torch.nn.functional.silu(gate.float()) * up.float()).to(gate.dtype)
