"""LoRA SFT on a CUDA GPU: transformers + peft vs + Liger-Kernel vs Lathe's kernels, side by side.

    .venv/bin/python bench/train_gpu.py [--models smollm2-135m llama-1b] [--seq-len 2048]
                                        [--batch-size 4] [--steps 8] [--warmup-steps 3]
                                        [--gradient-checkpointing] [--peak-tflops 989]

Needs a CUDA GPU. Random-init SmolLM2-135M and Llama-3.2-1B shapes (nothing is downloaded),
bf16, LoRA r 16 (alpha 32, no dropout) on every linear projection of the blocks, right-padded
random batches of T tokens. Each variant runs in a fresh process (Liger patches transformers
globally); see bench/lora_sft_run.py for what is the same in all of them.

Measured over the timed steps (after the warm-up steps, which compile the kernels):
- tokens/s: non-padding tokens / wall time (synchronised);
- peak memory: torch.cuda.max_memory_allocated (weights, optimizer state, activations);
- LoRA-MFU: tokens/s x the FLOPs a token of LoRA training needs (lora_sft_run.
  lora_flops_per_token: forward 2N, backward 2N through the frozen weights, the adapters'
  forward and backward, causal attention) / the GPU's peak dense bf16 FLOP/s;
- the gradient norm of the LoRA parameters at the last step, so a run that trains nothing shows,
  and the step-1 loss, which must agree across variants (same weights, same batch).
Targets for Lathe: >= 2.0x the tokens/s of transformers + peft at <= 0.5x its peak memory,
>= 1.3x the tokens/s of transformers + peft + Liger, LoRA-MFU >= 30%."""

from __future__ import annotations

import argparse
import math
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import torch
from rich.console import Console
from rich.table import Table

from lora_sft_run import MODELS, VARIANTS, RunResult, RunSpec, run_variant

# Peak dense bf16 tensor-core TFLOP/s by device name (no sparsity), from the vendor's sheets.
PEAK_BF16_TFLOPS = {
    "H200": 989.0,
    "H100": 989.0,
    "GH200": 989.0,
    "A100": 312.0,
    "L40S": 362.0,
    "L4": 121.0,
    "A10G": 70.0,
    "RTX 4090": 165.0,
}
VARIANT_LABELS = {
    "hf-peft": "HF+PEFT",
    "hf-peft-liger": "HF+PEFT+Liger",
    "lathe": "Lathe",
}
TARGET_SPEEDUP = 2.0
TARGET_MEMORY = 0.5
TARGET_SPEEDUP_LIGER = 1.3
TARGET_MFU = 0.30
# At random init the loss is ~ln(vocab) ~ 11; bf16 rounding moves it by ~1e-2 between variants.
FIRST_LOSS_TOLERANCE = 0.05
GIB = 1 << 30


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--models", nargs="+", choices=list(MODELS), default=list(MODELS), help="model shapes"
    )
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=VARIANTS,
        default=list(VARIANTS),
        help="what to compare (Liger is skipped when liger_kernel is not installed)",
    )
    parser.add_argument("--seq-len", type=int, default=2048, help="tokens per sequence, T")
    parser.add_argument("--batch-size", type=int, default=4, help="sequences per step")
    parser.add_argument(
        "--warmup-steps", type=int, default=3, help="untimed steps first (>= 1; they compile)"
    )
    parser.add_argument("--steps", type=int, default=8, help="timed optimizer steps")
    parser.add_argument("--rank", type=int, default=16, help="LoRA rank (alpha = 2 x rank)")
    parser.add_argument(
        "--gradient-checkpointing",
        action="store_true",
        help="recompute activations in every variant (off: in none, Lathe's training default)",
    )
    parser.add_argument(
        "--min-length-fraction",
        type=float,
        default=0.75,
        help="each row keeps a random length in [this x T, T]; the rest is padding",
    )
    parser.add_argument(
        "--peak-tflops",
        type=float,
        default=None,
        help="the GPU's peak dense bf16 TFLOP/s for LoRA-MFU (None: from the device name)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for weights and batches")
    args = parser.parse_args(argv)
    if args.warmup_steps < 1 or args.steps < 1:
        parser.error("--warmup-steps and --steps must be >= 1")
    if not 0.0 < args.min_length_fraction <= 1.0:
        parser.error("--min-length-fraction must be in (0, 1]")
    return args


def peak_tflops(device_name: str, override: float | None) -> float | None:
    if override is not None:
        return override
    # Longest names first: "GH200" before "H200", "H100" inside "NVIDIA H100 80GB HBM3".
    for name in sorted(PEAK_BF16_TFLOPS, key=len, reverse=True):
        if name in device_name:
            return PEAK_BF16_TFLOPS[name]
    return None


def liger_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("liger_kernel") is not None


def run_in_fresh_process(spec: RunSpec) -> list[RunResult]:
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            return pool.submit(run_variant, spec).result()
    except BrokenProcessPool as error:
        return [RunResult(spec.variant, key, error=f"process died: {error}") for key in spec.models]


def _ratio(value: float | None, baseline: float | None) -> float | None:
    if value is None or baseline is None or baseline == 0:
        return None
    return value / baseline


def _fmt(value: float | None, pattern: str) -> str:
    return "-" if value is None or math.isnan(value) else pattern.format(value)


def results_table(
    model_key: str, results: dict[str, RunResult], peak: float | None
) -> tuple[Table, list[str]]:
    """The table of one model and the warnings (zero gradients, diverging step-1 losses)."""
    table = Table(title=f"{MODELS[model_key]['label']}: LoRA SFT")
    for column in (
        "variant",
        "tokens/s",
        "vs HF+PEFT",
        "vs Liger",
        "peak GiB",
        "mem vs HF+PEFT",
        "LoRA-MFU",
        "loss step 1",
        "loss last",
        "grad norm",
    ):
        table.add_column(column, justify="left" if column == "variant" else "right")
    baseline = results.get("hf-peft")
    liger = results.get("hf-peft-liger")
    warnings = []
    for variant, result in results.items():
        label = VARIANT_LABELS[variant]
        if result.error is not None:
            table.add_row(label, "error", *["-"] * 8)
            warnings.append(f"{label}: {result.error}")
            continue
        mfu = None
        if peak is not None and result.tokens_per_s and result.flops_per_token:
            mfu = result.tokens_per_s * result.flops_per_token / (peak * 1e12)
        table.add_row(
            label,
            _fmt(result.tokens_per_s, "{:,.0f}"),
            _fmt(
                _ratio(result.tokens_per_s, baseline.tokens_per_s if baseline else None), "{:.2f}x"
            ),
            _fmt(_ratio(result.tokens_per_s, liger.tokens_per_s if liger else None), "{:.2f}x"),
            _fmt(result.peak_bytes / GIB if result.peak_bytes else None, "{:.2f}"),
            _fmt(_ratio(result.peak_bytes, baseline.peak_bytes if baseline else None), "{:.2f}x"),
            _fmt(mfu, "{:.1%}"),
            _fmt(result.first_loss, "{:.4f}"),
            _fmt(result.last_loss, "{:.4f}"),
            _fmt(result.grad_norm, "{:.4g}"),
        )
        if result.grad_norm is None or not result.grad_norm > 0 or math.isinf(result.grad_norm):
            warnings.append(f"{label}: gradient norm {result.grad_norm}: this run trains nothing")
        if baseline is not None and baseline.first_loss is not None and result.first_loss:
            gap = abs(result.first_loss - baseline.first_loss)
            if gap > FIRST_LOSS_TOLERANCE:
                warnings.append(f"{label}: step-1 loss differs from HF+PEFT's by {gap:.4f}")
    return table, warnings


def verdicts(results: dict[str, RunResult], peak: float | None) -> list[str]:
    """Lathe against the targets, one line each."""
    lathe, baseline, liger = (results.get(v) for v in ("lathe", "hf-peft", "hf-peft-liger"))
    if lathe is None or lathe.error is not None:
        return []
    lines = []

    def check(name: str, value: float | None, target: float, at_least: bool) -> None:
        if value is None:
            lines.append(f"{name}: not measured")
            return
        met = value >= target if at_least else value <= target
        sign = ">=" if at_least else "<="
        lines.append(f"{name}: {value:.2f} (target {sign} {target}) {'met' if met else 'MISSED'}")

    if baseline is not None and baseline.error is None:
        check(
            "tokens/s vs HF+PEFT",
            _ratio(lathe.tokens_per_s, baseline.tokens_per_s),
            TARGET_SPEEDUP,
            True,
        )
        check(
            "peak memory vs HF+PEFT",
            _ratio(lathe.peak_bytes, baseline.peak_bytes),
            TARGET_MEMORY,
            False,
        )
    if liger is not None and liger.error is None:
        check(
            "tokens/s vs HF+PEFT+Liger",
            _ratio(lathe.tokens_per_s, liger.tokens_per_s),
            TARGET_SPEEDUP_LIGER,
            True,
        )
    if peak is not None and lathe.tokens_per_s and lathe.flops_per_token:
        check(
            "LoRA-MFU", lathe.tokens_per_s * lathe.flops_per_token / (peak * 1e12), TARGET_MFU, True
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console()
    if not torch.cuda.is_available():
        console.print(
            "bench/train_gpu.py needs a CUDA GPU: torch.cuda.is_available() is False here. "
            "On the CPU, tests/kernels checks the kernels (Triton's interpreter)."
        )
        return 2
    device_name = torch.cuda.get_device_name()
    peak = peak_tflops(device_name, args.peak_tflops)
    variants = list(args.variants)
    if "hf-peft-liger" in variants and not liger_installed():
        variants.remove("hf-peft-liger")
        console.print(
            "HF+PEFT+Liger skipped: liger_kernel is not installed (pip install -e '.[bench]')"
        )
    console.print(
        f"{device_name}, peak bf16 {_fmt(peak, '{:.0f}')} TFLOP/s"
        f"{'' if peak else ' (unknown device: pass --peak-tflops for LoRA-MFU)'}; "
        f"T = {args.seq_len}, batch {args.batch_size}, {args.warmup_steps} warm-up + "
        f"{args.steps} timed steps; bf16 weights under bf16 autocast, sdpa attention, "
        f"LoRA r {args.rank} alpha {2 * args.rank} on q/k/v/o/gate/up/down, AdamW, clip 1.0; "
        f"gradient checkpointing {'ON' if args.gradient_checkpointing else 'OFF'} in every variant"
    )
    by_model: dict[str, dict[str, RunResult]] = {key: {} for key in args.models}
    for variant in variants:
        spec = RunSpec(
            variant=variant,
            models=tuple(args.models),
            seq_len=args.seq_len,
            batch_size=args.batch_size,
            warmup_steps=args.warmup_steps,
            steps=args.steps,
            rank=args.rank,
            gradient_checkpointing=args.gradient_checkpointing,
            min_length_fraction=args.min_length_fraction,
            seed=args.seed,
        )
        for result in run_in_fresh_process(spec):
            by_model[result.model][variant] = result
    for key, results in by_model.items():
        table, warnings = results_table(key, results, peak)
        console.print(table)
        for result in results.values():
            if result.note:
                console.print(f"  {VARIANT_LABELS[result.variant]}: {result.note}")
        for line in verdicts(results, peak):
            console.print(f"  Lathe {line}")
        for warning in warnings:
            console.print(f"  [red]warning[/red] {warning}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
