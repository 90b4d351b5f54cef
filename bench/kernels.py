"""Each of Lathe's training kernels against PyTorch eager (and Liger-Kernel where it is installed):
forward, backward and both together, at SmolLM2-135M and Llama-3.2-1B shapes, T tokens, bf16.

    .venv/bin/python bench/kernels.py [--ops rms_norm rope ...] [--shapes smollm2-135m llama-1b]
                                      [--tokens 2048] [--rank 16] [--warmup-ms 25] [--rep-ms 100]

Needs a CUDA GPU. Times are triton.testing.do_bench means on warm kernels (the first call, which
compiles, is outside the timing); the backward is timed alone on a kept graph
(retain_graph), gradients reset between runs. Peak memory is torch.cuda.max_memory_allocated
over one forward + backward, above what the inputs already hold. For the elementwise ops
(rms_norm, rope, swiglu) the achieved bandwidth is the least traffic the pass must move (read
each input once, write each output once) over its time, beside the device's copy bandwidth
measured here (a 1 GiB device-to-device copy: read + write). linear_cross_entropy (Lathe's and
Liger's) computes its gradients in the forward, so compare it on fwd+bwd. lora_linear has no
Liger-Kernel counterpart. Targets: elementwise ops >= 80% of copy bandwidth; every op faster
than eager."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from rich.console import Console
from rich.table import Table

from kernel_cases import (
    EAGER,
    ELEMENTWISE_OPS,
    LATHE,
    LIGER,
    OPS,
    SHAPES,
    Case,
    Outputs,
    build_cases,
    liger_functional,
)

IMPLEMENTATIONS = (EAGER, LATHE, LIGER)
PASSES = ("forward", "backward", "fwd+bwd")
COPY_BYTES = 1 << 30
BANDWIDTH_TARGET = 0.8
MIB = 1 << 20


@dataclass
class Measured:
    """One implementation of one case: ms per pass, peak MiB, or why it could not run."""

    ms: dict[str, float] = field(default_factory=dict)
    peak_mib: float | None = None
    error: str | None = None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--ops", nargs="+", choices=OPS, default=list(OPS), help="ops to time")
    parser.add_argument(
        "--shapes",
        nargs="+",
        choices=list(SHAPES),
        default=list(SHAPES),
        help="model shapes to time them at",
    )
    parser.add_argument("--tokens", type=int, default=2048, help="tokens per call, T")
    parser.add_argument("--rank", type=int, default=16, help="LoRA rank for lora_linear")
    parser.add_argument(
        "--warmup-ms", type=int, default=25, help="do_bench warm-up milliseconds per timing"
    )
    parser.add_argument(
        "--rep-ms", type=int, default=100, help="do_bench measuring milliseconds per timing"
    )
    parser.add_argument(
        "--no-liger",
        action="store_true",
        help="leave Liger-Kernel out even when liger_kernel is installed",
    )
    return parser.parse_args(argv)


def _as_tuple(outputs: Outputs) -> tuple[torch.Tensor, ...]:
    return outputs if isinstance(outputs, tuple) else (outputs,)


def _grad_outputs(outputs: tuple[torch.Tensor, ...]) -> list[torch.Tensor]:
    return [torch.randn_like(output) for output in outputs]


def passes(forward: Callable[[], Outputs]) -> dict[str, Callable[[], object]]:
    """The three timed callables of one implementation; the backward one reuses a kept graph."""
    kept = _as_tuple(forward())
    kept_grads = _grad_outputs(kept)

    def backward() -> None:
        torch.autograd.backward(kept, kept_grads, retain_graph=True)

    def forward_backward() -> None:
        torch.autograd.backward(_as_tuple(forward()), kept_grads)

    return {"forward": forward, "backward": backward, "fwd+bwd": forward_backward}


def peak_mib(forward: Callable[[], Outputs], leaves: list[torch.Tensor]) -> float:
    """Peak allocated MiB over one forward + backward, above what was allocated before it."""
    for leaf in leaves:
        leaf.grad = None
    gc.collect()
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    before = torch.cuda.memory_allocated()
    outputs = _as_tuple(forward())
    torch.autograd.backward(outputs, _grad_outputs(outputs))
    torch.cuda.synchronize()
    peak = torch.cuda.max_memory_allocated() - before
    for leaf in leaves:
        leaf.grad = None
    return peak / MIB


def measure(case: Case, warmup_ms: int, rep_ms: int) -> dict[str, Measured]:
    from triton.testing import do_bench

    results: dict[str, Measured] = {}
    for name, forward in case.forwards.items():
        measured = Measured()
        try:
            measured.peak_mib = peak_mib(forward, case.leaves)
            for pass_name, fn in passes(forward).items():
                measured.ms[pass_name] = float(
                    do_bench(fn, warmup=warmup_ms, rep=rep_ms, grad_to_none=case.leaves)
                )
        except Exception as error:  # one implementation failing must not hide the others
            measured.error = f"{type(error).__name__}: {error}"
        results[name] = measured
        torch.cuda.empty_cache()
    return results


def copy_bandwidth(warmup_ms: int, rep_ms: int) -> float:
    """Bytes/s of a 1 GiB device-to-device copy, counting its read and its write."""
    from triton.testing import do_bench

    source = torch.empty(COPY_BYTES, dtype=torch.uint8, device="cuda")
    target = torch.empty_like(source)
    ms = float(do_bench(lambda: target.copy_(source), warmup=warmup_ms, rep=rep_ms))
    return 2 * COPY_BYTES / (ms * 1e-3)


def _ms(measured: Measured | None, pass_name: str) -> str:
    if measured is None:
        return "-"
    if measured.error is not None:
        return "error"
    return f"{measured.ms[pass_name]:.3f}"


def _ratio(baseline: Measured | None, lathe: Measured, pass_name: str) -> str:
    """How many times faster Lathe is than the baseline (> 1 is faster)."""
    if baseline is None or baseline.error or lathe.error:
        return "-"
    return f"{baseline.ms[pass_name] / lathe.ms[pass_name]:.2f}x"


def _bandwidth(case: Case, lathe: Measured, pass_name: str, device_bandwidth: float) -> str:
    moved = {"forward": case.bytes_forward, "backward": case.bytes_backward}.get(pass_name)
    if moved is None or lathe.error:
        return "-"
    achieved = moved / (lathe.ms[pass_name] * 1e-3)
    share = achieved / device_bandwidth
    mark = "ok" if share >= BANDWIDTH_TARGET else "below 80%"
    return f"{achieved / 1e9:.0f} GB/s ({share:.0%}, {mark})"


def time_table(
    shape_label: str, rows: list[tuple[Case, dict[str, Measured]]], device_bandwidth: float
) -> Table:
    table = Table(title=f"{shape_label}: ms per call (lower is better); ratios = times faster")
    for column in ("op", "pass", "eager", "lathe", "liger", "vs eager", "vs liger", "bandwidth"):
        table.add_column(column, justify="left" if column in ("op", "pass") else "right")
    for case, results in rows:
        lathe = results[LATHE]
        for pass_name in PASSES:
            table.add_row(
                case.label if pass_name == "forward" else "",
                pass_name,
                _ms(results.get(EAGER), pass_name),
                _ms(lathe, pass_name),
                _ms(results.get(LIGER), pass_name),
                _ratio(results.get(EAGER), lathe, pass_name),
                _ratio(results.get(LIGER), lathe, pass_name),
                _bandwidth(case, lathe, pass_name, device_bandwidth)
                if case.op in ELEMENTWISE_OPS
                else "",
            )
    return table


def memory_table(shape_label: str, rows: list[tuple[Case, dict[str, Measured]]]) -> Table:
    table = Table(title=f"{shape_label}: peak MiB over forward + backward (above the inputs)")
    for column in ("op", "eager", "lathe", "liger", "lathe / eager", "lathe / liger"):
        table.add_column(column, justify="left" if column == "op" else "right")

    def mib(measured: Measured | None) -> str:
        if measured is None:
            return "-"
        return "error" if measured.peak_mib is None else f"{measured.peak_mib:.1f}"

    def share(baseline: Measured | None, lathe: Measured) -> str:
        if baseline is None or not baseline.peak_mib or lathe.peak_mib is None:
            return "-"
        return f"{lathe.peak_mib / baseline.peak_mib:.2f}"

    for case, results in rows:
        lathe = results[LATHE]
        table.add_row(
            case.label,
            mib(results.get(EAGER)),
            mib(lathe),
            mib(results.get(LIGER)),
            share(results.get(EAGER), lathe),
            share(results.get(LIGER), lathe),
        )
    return table


def errors(rows: list[tuple[Case, dict[str, Measured]]]) -> list[str]:
    return [
        f"{case.label} [{name}]: {measured.error}"
        for case, results in rows
        for name, measured in results.items()
        if measured.error is not None
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console()
    if not torch.cuda.is_available():
        console.print(
            "bench/kernels.py needs a CUDA GPU: torch.cuda.is_available() is False here. "
            "Correctness is covered on the CPU by tests/kernels (Triton's interpreter)."
        )
        return 2
    liger, liger_missing = (None, "left out (--no-liger)") if args.no_liger else liger_functional()
    torch.manual_seed(0)
    device_bandwidth = copy_bandwidth(args.warmup_ms, args.rep_ms)
    console.print(
        f"{torch.cuda.get_device_name()}: copy bandwidth {device_bandwidth / 1e9:.0f} GB/s; "
        f"T = {args.tokens} tokens, bf16, LoRA r {args.rank}; "
        f"Liger-Kernel: {'yes' if liger is not None else liger_missing}"
    )
    for shape_key in args.shapes:
        shape = SHAPES[shape_key]
        rows: list[tuple[Case, dict[str, Measured]]] = []
        for op in args.ops:
            for case in build_cases(op, shape, args.tokens, args.rank, liger):
                rows.append((case, measure(case, args.warmup_ms, args.rep_ms)))
            gc.collect()
            torch.cuda.empty_cache()
        console.print(time_table(shape.label, rows, device_bandwidth))
        console.print(memory_table(shape.label, rows))
        for line in errors(rows):
            console.print(f"[red]failed[/red] {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
