"""LM head + cross-entropy without the tokens x vocab logits: loss = CE(hidden @ W^T + b, targets).

Tokens go through in chunks. For each chunk cuBLAS writes the chunk's logits, the Triton kernel
reads them once for an online softmax (running max and sum of exponentials), stores each row's
loss and overwrites the logits in place with their gradient, and cuBLAS turns that gradient into
the chunk's dHidden and adds its dW / dBias to fp32 accumulators. So the gradients are computed
in the forward (Liger-Kernel's scheme) and the backward only scales them by grad_output; peak
memory is one chunk of logits instead of the [N, V] logits, their fp32 copy and their gradient.

Reductions: "mean" divides the summed loss by the number of non-ignored targets (0 when there
are none, instead of F.cross_entropy's NaN, so a micro-batch of prompt-only tokens adds nothing
to the step rather than poisoning it); "sum" divides by `divisor` when given, which is how
gradient accumulation normalises by the global target-token count. The divide happens on the
device (a tensor divisor is never read back to the host), so nothing here synchronises."""

from __future__ import annotations

from typing import Any, Literal

import torch
import triton
import triton.language as tl
from torch.nn.functional import cross_entropy, linear

from lathe_kernels.runtime import compute_dtype, use_triton

__all__ = ["default_chunk_size", "linear_cross_entropy", "linear_cross_entropy_reference"]

Reduction = Literal["mean", "sum"]

# The default chunk keeps one chunk's logits near 2^25 elements (64 MiB in bf16) whatever the
# vocabulary: big enough that the chunk's GEMMs run at full speed, small beside the [N, V] logits.
_CHUNK_LOGITS_ELEMENTS = 1 << 25
# The widest vocabulary slice one program holds at once (Liger-Kernel's choice on CUDA).
_MAX_BLOCK_V = 32768
_NUM_WARPS = 32


@triton.jit
def _cross_entropy_rows_kernel(
    logits_ptr,
    logits_row_stride,
    targets_ptr,
    loss_ptr,
    scale_ptr,
    n_cols,
    ignore_index,
    WRITE_GRAD: tl.constexpr,
    BLOCK_V: tl.constexpr,
):
    """One program per row: loss_row = logsumexp(z) - z[target]; with WRITE_GRAD the row's logits
    are replaced by scale * (softmax(z) - onehot(target)) (zeros for an ignored target)."""
    row = tl.program_id(0).to(tl.int64)
    # int64: row * row_stride passes 2^31 once a chunk's tokens x vocab does.
    row_ptr = logits_ptr + row * logits_row_stride
    target = tl.load(targets_ptr + row)
    if target == ignore_index:
        tl.store(loss_ptr + row, 0.0)
        if WRITE_GRAD:
            for start in range(0, n_cols, BLOCK_V):
                cols = start + tl.arange(0, BLOCK_V)
                zero = tl.zeros((BLOCK_V,), dtype=row_ptr.dtype.element_ty)
                tl.store(row_ptr + cols, zero, mask=cols < n_cols)
        return

    running_max = float("-inf")
    running_sum = 0.0
    for start in range(0, n_cols, BLOCK_V):
        cols = start + tl.arange(0, BLOCK_V)
        z = tl.load(row_ptr + cols, mask=cols < n_cols, other=float("-inf")).to(tl.float32)
        new_max = tl.maximum(running_max, tl.max(z, 0))
        running_sum = running_sum * tl.exp(running_max - new_max) + tl.sum(tl.exp(z - new_max), 0)
        running_max = new_max
    log_normaliser = running_max + tl.log(running_sum)
    target_logit = tl.load(row_ptr + target).to(tl.float32)
    tl.store(loss_ptr + row, log_normaliser - target_logit)

    if WRITE_GRAD:
        scale = tl.load(scale_ptr)
        for start in range(0, n_cols, BLOCK_V):
            cols = start + tl.arange(0, BLOCK_V)
            col_ok = cols < n_cols
            z = tl.load(row_ptr + cols, mask=col_ok, other=0.0).to(tl.float32)
            softmax = tl.exp(z - log_normaliser)
            grad = tl.where(cols == target, softmax - 1.0, softmax) * scale
            tl.store(row_ptr + cols, grad.to(row_ptr.dtype.element_ty), mask=col_ok)


def _rows_loss_and_grad(
    logits: torch.Tensor,
    targets: torch.Tensor,
    loss_rows: torch.Tensor,
    scale: torch.Tensor,
    ignore_index: int,
    write_grad: bool,
) -> None:
    """Fills loss_rows [C] (fp32) from logits [C, V]; with write_grad the logits are overwritten
    with dLoss/dlogits."""
    n_rows, n_cols = logits.shape
    if n_rows == 0:
        return
    _cross_entropy_rows_kernel[(n_rows,)](
        logits,
        logits.stride(0),
        targets,
        loss_rows,
        scale,
        n_cols,
        ignore_index,
        WRITE_GRAD=write_grad,
        BLOCK_V=min(_MAX_BLOCK_V, triton.next_power_of_2(n_cols)),
        num_warps=_NUM_WARPS,
    )


def default_chunk_size(n_tokens: int, vocab_size: int) -> int:
    """A power of two near _CHUNK_LOGITS_ELEMENTS / vocab_size rows, at most n_tokens (and >= 1)."""
    rows = max(1, _CHUNK_LOGITS_ELEMENTS // max(1, vocab_size))
    return max(1, min(n_tokens, 1 << (rows.bit_length() - 1)))


def _add_weight_grad(grad_weight: torch.Tensor, grad_logits: torch.Tensor, h: torch.Tensor) -> None:
    """grad_weight (fp32) += grad_logits^T @ h. Each chunk's product comes out of the GEMM in the
    compute dtype (fp32 accumulation inside it), and the sum over chunks is fp32, so small late
    chunks are not rounded away as they would be in a bf16 running sum."""
    if grad_logits.dtype == torch.float32:
        grad_weight.addmm_(grad_logits.t(), h)
    else:
        grad_weight.add_(torch.mm(grad_logits.t(), h))


def _forward(
    hidden: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    targets: torch.Tensor,
    scale: torch.Tensor,
    ignore_index: int,
    chunk_size: int,
    grads_wanted: tuple[bool, bool, bool],
) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None, torch.Tensor | None]:
    """(loss, dHidden, dW (fp32), dBias (fp32)) for grad_output = 1; unwanted gradients are None."""
    want_hidden, want_weight, want_bias = grads_wanted
    write_grad = any(grads_wanted)
    n_tokens, hidden_size = hidden.shape
    vocab_size = weight.shape[0]
    loss_rows = torch.empty(n_tokens, dtype=torch.float32, device=hidden.device)
    grad_hidden = torch.empty_like(hidden) if want_hidden else None
    grad_weight = (
        torch.zeros(vocab_size, hidden_size, dtype=torch.float32, device=hidden.device)
        if want_weight
        else None
    )
    grad_bias = (
        torch.zeros(vocab_size, dtype=torch.float32, device=hidden.device) if want_bias else None
    )
    for start in range(0, n_tokens, chunk_size):
        end = min(start + chunk_size, n_tokens)
        h = hidden[start:end]
        logits = torch.mm(h, weight.t()) if bias is None else torch.addmm(bias, h, weight.t())
        _rows_loss_and_grad(
            logits, targets[start:end], loss_rows[start:end], scale, ignore_index, write_grad
        )
        if grad_hidden is not None:
            torch.mm(logits, weight, out=grad_hidden[start:end])
        if grad_weight is not None:
            _add_weight_grad(grad_weight, logits, h)
        if grad_bias is not None:
            grad_bias.add_(logits.sum(0, dtype=torch.float32))
    loss = loss_rows.sum() * scale[0]
    return loss, grad_hidden, grad_weight, grad_bias


class _LinearCrossEntropyFunction(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any,
        hidden: torch.Tensor,
        weight: torch.Tensor,
        bias: torch.Tensor | None,
        targets: torch.Tensor,
        scale: torch.Tensor,
        ignore_index: int,
        chunk_size: int,
    ) -> torch.Tensor:
        dtype = compute_dtype(hidden)
        grads_wanted = (
            ctx.needs_input_grad[0],
            ctx.needs_input_grad[1],
            bias is not None and ctx.needs_input_grad[2],
        )
        with torch.autocast(hidden.device.type, enabled=False):
            loss, grad_hidden, grad_weight, grad_bias = _forward(
                hidden.to(dtype),
                weight.to(dtype),
                bias.to(dtype) if bias is not None else None,
                targets,
                scale,
                ignore_index,
                chunk_size,
                grads_wanted,
            )
        ctx.save_for_backward(grad_hidden, grad_weight, grad_bias)
        ctx.dtypes = (hidden.dtype, weight.dtype, bias.dtype if bias is not None else None)
        return loss

    @staticmethod
    def backward(ctx: Any, grad_output: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        grad_hidden, grad_weight, grad_bias = ctx.saved_tensors
        hidden_dtype, weight_dtype, bias_dtype = ctx.dtypes
        # Out of place: the saved gradients stay intact if backward runs again (retain_graph).
        scale = grad_output.to(torch.float32)
        d_hidden = (grad_hidden * scale).to(hidden_dtype) if grad_hidden is not None else None
        d_weight = (grad_weight * scale).to(weight_dtype) if grad_weight is not None else None
        d_bias = (grad_bias * scale).to(bias_dtype) if grad_bias is not None else None
        return d_hidden, d_weight, d_bias, None, None, None, None


def _loss_scale(
    targets: torch.Tensor,
    ignore_index: int,
    reduction: Reduction,
    divisor: float | torch.Tensor | None,
) -> torch.Tensor:
    """1 / (what the summed loss is divided by), as a one-element fp32 tensor on targets' device."""
    device = targets.device
    if reduction == "mean":
        counted = (targets != ignore_index).sum().clamp(min=1)
        return counted.to(torch.float32).reciprocal().reshape(1)
    if divisor is None:
        return torch.ones(1, dtype=torch.float32, device=device)
    if isinstance(divisor, torch.Tensor):
        return divisor.to(device=device, dtype=torch.float32).reciprocal().reshape(1)
    return torch.full((1,), 1.0 / divisor, dtype=torch.float32, device=device)


def _validate(
    hidden: torch.Tensor,
    weight: torch.Tensor,
    targets: torch.Tensor,
    bias: torch.Tensor | None,
    reduction: str,
    divisor: float | torch.Tensor | None,
    chunk_size: int | None,
) -> None:
    if hidden.dim() != 2:
        raise ValueError(f"linear_cross_entropy: hidden must be [N, H], got {tuple(hidden.shape)}")
    if weight.dim() != 2 or weight.shape[1] != hidden.shape[1]:
        raise ValueError(
            f"linear_cross_entropy: weight is {tuple(weight.shape)}, "
            f"expected [V, {hidden.shape[1]}]"
        )
    if targets.shape != (hidden.shape[0],):
        raise ValueError(
            f"linear_cross_entropy: targets is {tuple(targets.shape)}, expected [{hidden.shape[0]}]"
        )
    if targets.dtype.is_floating_point or targets.dtype == torch.bool:
        raise ValueError(f"linear_cross_entropy: targets must be integer ids, got {targets.dtype}")
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ValueError(
            f"linear_cross_entropy: bias is {tuple(bias.shape)}, expected [{weight.shape[0]}]"
        )
    if reduction not in ("mean", "sum"):
        raise ValueError(
            f"linear_cross_entropy: reduction must be 'mean' or 'sum', got {reduction!r}"
        )
    if divisor is not None:
        if reduction != "sum":
            raise ValueError("linear_cross_entropy: divisor applies to reduction='sum' only")
        if isinstance(divisor, torch.Tensor) and divisor.numel() != 1:
            raise ValueError(
                f"linear_cross_entropy: divisor must hold one value, got {tuple(divisor.shape)}"
            )
        if not isinstance(divisor, torch.Tensor) and not divisor > 0:
            raise ValueError(f"linear_cross_entropy: divisor must be > 0, got {divisor}")
    if chunk_size is not None and chunk_size < 1:
        raise ValueError(f"linear_cross_entropy: chunk_size must be >= 1, got {chunk_size}")


def _check_target_range(targets: torch.Tensor, vocab_size: int, ignore_index: int) -> None:
    """A target outside [0, V) would read another row's logits; assert on the device (no sync)."""
    in_range = ((targets >= 0) & (targets < vocab_size)) | (targets == ignore_index)
    torch._assert_async(
        in_range.all(),
        f"linear_cross_entropy: targets must be in [0, {vocab_size}) or be ignore_index "
        f"({ignore_index})",
    )


def linear_cross_entropy(
    hidden: torch.Tensor,
    weight: torch.Tensor,
    targets: torch.Tensor,
    *,
    bias: torch.Tensor | None = None,
    ignore_index: int = -100,
    reduction: Reduction = "mean",
    divisor: float | torch.Tensor | None = None,
    chunk_size: int | None = None,
) -> torch.Tensor:
    """Cross-entropy of the logits hidden [N, H] @ weight [V, H]^T (+ bias [V]) against targets [N],
    as a 0-dim fp32 tensor; the [N, V] logits are never materialised."""
    _validate(hidden, weight, targets, bias, reduction, divisor, chunk_size)
    if not use_triton(hidden):
        return linear_cross_entropy_reference(
            hidden,
            weight,
            targets,
            bias=bias,
            ignore_index=ignore_index,
            reduction=reduction,
            divisor=divisor,
            chunk_size=chunk_size,
        )
    _check_target_range(targets, weight.shape[0], ignore_index)
    targets = targets.contiguous()
    scale = _loss_scale(targets, ignore_index, reduction, divisor)
    chunk = chunk_size or default_chunk_size(hidden.shape[0], weight.shape[0])
    loss: torch.Tensor = _LinearCrossEntropyFunction.apply(
        hidden, weight, bias, targets, scale, ignore_index, chunk
    )
    return loss


def linear_cross_entropy_reference(
    hidden: torch.Tensor,
    weight: torch.Tensor,
    targets: torch.Tensor,
    *,
    bias: torch.Tensor | None = None,
    ignore_index: int = -100,
    reduction: Reduction = "mean",
    divisor: float | torch.Tensor | None = None,
    chunk_size: int | None = None,
) -> torch.Tensor:
    """The same loss in PyTorch (autograd does the backward), with the [N, V] logits upcast to
    fp32 as transformers' loss does; `chunk_size` is accepted for the op's signature and unused."""
    _validate(hidden, weight, targets, bias, reduction, divisor, chunk_size)
    logits = linear(hidden, weight, bias).float()
    total = cross_entropy(logits, targets, ignore_index=ignore_index, reduction="sum")
    return total * _loss_scale(targets, ignore_index, reduction, divisor)[0]
